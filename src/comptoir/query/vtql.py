r"""VTQL, the query language of vtiger's webservice, parsed into an unresolved syntax tree.

    parse("SELECT accountname FROM Accounts WHERE bill_city IN ('Paris', 'Lyon') LIMIT 5;")
    Statement(module=Column("Accounts", 25), columns=(Column("accountname", 8),), ...,
              where=Condition("bill_city", "IN", (Value("Paris", True, 54), ...), 40), limit=5)

Names are kept exactly as written: resolving them through the registry, converting values
and applying vtiger's 100-row cap is the caller's job.  Every error is a `QuerySyntaxError`
naming the 1-based position, the token as written and what was expected there.

What we accept (keywords case-insensitive, names case-sensitive; AND binds tighter than OR,
NOT tightest; the ";" is optional with `require_semicolon=False`, for query_related):

    query     = SELECT fields FROM name [WHERE or] [ORDER BY sort {"," sort}]
                [LIMIT int ["," int | OFFSET int]] ";"
    fields    = "*" | COUNT "(" "*" ")" | name {"," name}
    or        = and {OR and}
    and       = not {AND not}
    not       = NOT not | "(" or ")" | condition
    condition = name compare values | name [NOT] (LIKE | IN) values | name IS [NOT] NULL
    compare   = "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
    values    = value | "(" value {"," value} ")"          (several values only after IN)
    sort      = name [ASC | DESC]
    value     = string | number | date | word
    string    = '...' or "...": the quote doubled ('it''s') or escaped ('it\'s'), \\ for \
    number    = [+-]digits[.digits]     date = YYYY-MM-DD[THH:MM[:SS]]
    word      = [A-Za-z0-9_]+ (12x5, Active, or any keyword: vtiger takes any word as a value)
    name      = [A-Za-z_][A-Za-z0-9_]* that is not a keyword;  int = [+]digits below 2**31

What vtiger accepts (VTQL_parser.y, reference section 4), a subset of the above:

    query     = SELECT fields FROM name [WHERE cond {(AND | OR) cond}]
                [ORDER BY name {"," name} [ASC | DESC]] [LIMIT int ["," int]] ";"
    cond      = name ("=" | "!=" | "<" | "<=" | ">" | ">=" | LIKE | IN) values
    value     = '...' (not empty, '' for a quote) | [+-]digits | word

vtiger pastes the conditions into SQL, so AND binds tighter than OR there too, and its
`ORDER BY a, b DESC` sorts a ascending and b descending, as it does here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NoReturn

from comptoir.errors import QuerySyntaxError
from comptoir.query.json_query import MAX_COMPARISONS, MAX_DEPTH, MAX_LIST

MAX_LENGTH = 100_000
MAX_INTEGER = 2**31 - 1

KEYWORDS = frozenset(
    {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "IS", "NULL", "ORDER", "BY"}
    | {"ASC", "DESC", "LIMIT", "OFFSET", "COUNT"}
)
COMPARISONS = ("=", "!=", "<>", "<", "<=", ">", ">=")
MEMBERSHIP = ("IN", "NOT IN")


@dataclass(frozen=True, slots=True)
class Value:
    text: str  # the literal's content: unquoted and unescaped for strings
    quoted: bool  # True for a '...' or "..." string
    position: int  # 1-based character position in the query text


@dataclass(frozen=True, slots=True)
class Condition:
    column: str
    op: str  # "=", "!=", "<", "<=", ">", ">=", [NOT] LIKE, [NOT] IN, IS [NOT] NULL
    values: tuple[Value, ...]  # one; 1..n for [NOT] IN; none for IS [NOT] NULL
    position: int  # of the column


@dataclass(frozen=True, slots=True)
class Logic:
    kind: Literal["AND", "OR", "NOT"]
    items: tuple[Node, ...]  # NOT has exactly one item


Node = Condition | Logic


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    position: int


@dataclass(frozen=True, slots=True)
class Order:
    column: Column
    descending: bool


@dataclass(frozen=True, slots=True)
class Statement:
    module: Column
    columns: tuple[Column, ...]  # empty for * and for count(*)
    star: bool
    count: bool
    where: Node | None
    order: tuple[Order, ...]
    limit: int | None  # as written: the 100-row cap is the caller's
    offset: int | None


def parse(text: str, *, require_semicolon: bool = True) -> Statement:
    """The statement of a VTQL query; `QuerySyntaxError` for anything wrong."""
    if len(text) > MAX_LENGTH:
        raise _error(MAX_LENGTH + 1, f"query too long (more than {MAX_LENGTH} characters)")
    return _Parser(text).statement(require_semicolon)


# one token after optional whitespace; `quote` is a string that never closes, `bad` any
# character no token starts with.  Possessive `*+` keeps strings linear (no backtracking).
_TOKEN = re.compile(
    r"[ \t\r\n]*+(?:"
    r"(?P<string>'(?:[^'\\]|''|\\.)*+'|\"(?:[^\"\\]|\"\"|\\.)*+\")"
    r"|(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?)(?![A-Za-z0-9_])"
    r"|(?P<number>[+-]?[0-9]+(?:\.[0-9]+)?)(?![A-Za-z0-9_])"
    r"|(?P<word>[A-Za-z0-9_]+)"
    r"|(?P<op><=|>=|<>|!=|[=<>])"
    r"|(?P<punct>[(),*;])"
    r"|(?P<quote>['\"])"
    r"|(?P<end>\Z)"
    r"|(?P<bad>.))",
    re.DOTALL,
)
_UNESCAPE = {q: re.compile(q + q + r"|\\([\\'\"])") for q in "'\""}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"\+?[0-9]{1,10}")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # string, date, number, word, op, end, or the punctuation itself: ( ) , * ;
    text: str  # as written
    value: str  # unquoted and unescaped for strings, else the text
    position: int


def _clip(text: str, size: int = 40) -> str:
    text = text if len(text) <= size else text[:size] + "..."
    return text if text.isprintable() else repr(text)[1:-1]


def _error(position: int, problem: str) -> QuerySyntaxError:
    return QuerySyntaxError(f"Syntax Error at position {position}: {problem}")


def _join(kind: Literal["AND", "OR"], items: list[Node]) -> Node:
    """`a AND (b AND c)` is one AND of three items; a single item stands alone."""
    if len(items) == 1:
        return items[0]
    flat: list[Node] = []
    for item in items:
        if isinstance(item, Logic) and item.kind == kind:
            flat.extend(item.items)
        else:
            flat.append(item)
    return Logic(kind, tuple(flat))


class _Parser:
    """Recursive descent over tokens lexed on demand, so the first error in the text wins."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.depth = 0
        self.conditions = 0
        self.tok = self._lex()

    # tokens

    def _lex(self) -> _Token:
        match = _TOKEN.match(self.text, self.offset)
        kind = match.lastgroup if match else None
        if match is None or kind is None:  # unreachable: `end` or `bad` always match
            raise _error(self.offset + 1, "unexpected input")
        start, self.offset, text = match.start(kind), match.end(), match.group(kind)
        if kind == "bad":
            raise _error(start + 1, f"unexpected character '{_clip(text)}'")
        if kind == "quote":
            raise _error(start + 1, f"unterminated string starting {_clip(self.text[start:], 20)}")
        value = text
        if kind == "string":
            quote = text[0]
            value = _UNESCAPE[quote].sub(lambda m: m.group(1) or quote, text[1:-1])
        return _Token(text if kind == "punct" else kind, text, value, start + 1)

    def _advance(self) -> _Token:
        token, self.tok = self.tok, self._lex()
        return token

    def _is(self, what: str) -> bool:
        """The current token is the keyword `what` (upper case) or the punctuation `what`."""
        if what.isalpha():
            return self.tok.kind == "word" and self.tok.text.upper() == what
        return self.tok.kind == what

    def _take(self, what: str) -> bool:
        if self._is(what):
            self._advance()
            return True
        return False

    def _expect(self, what: str, expected: Sequence[str]) -> None:
        if not self._take(what):
            self._fail(expected)

    def _fail(self, expected: Sequence[str]) -> NoReturn:
        if self.tok.kind == "end":
            found = "end of query"
            expected = [";"] if ";" in expected else expected  # say what is missing
        else:
            found = f"token '{_clip(self.tok.text)}'"
        raise _error(
            self.tok.position, f"{found} unexpected, expected one of: {', '.join(expected)}"
        )

    # clauses

    def statement(self, require_semicolon: bool) -> Statement:
        self._expect("SELECT", ["SELECT"])
        columns: tuple[Column, ...] = ()
        star = self._take("*")
        count = not star and self._take("COUNT")
        if count:
            for part in "(*)":
                self._expect(part, [part])
        elif not star:
            columns = self._names(["*", "count(*)", "column"])
        self._expect("FROM", ["','", "FROM"] if columns else ["FROM"])
        module = self._name(["module"])
        where: Node | None = None
        order: tuple[Order, ...] = ()
        limit = offset = None
        follow = ["WHERE", "ORDER BY", "LIMIT"]
        if self._take("WHERE"):
            where = self._or()
            follow = ["AND", "OR", "ORDER BY", "LIMIT"]
        if self._take("ORDER"):
            self._expect("BY", ["BY"])
            order, follow = self._order()
        if self._take("LIMIT"):
            limit, offset, follow = self._limit()
        if self._take(";"):
            if self.tok.kind != "end":
                self._fail(["end of query"])
        elif require_semicolon or self.tok.kind != "end":
            self._fail([*follow, ";"])
        return Statement(module, columns, star, count, where, order, limit, offset)

    def _name(self, expected: Sequence[str]) -> Column:
        token = self.tok
        if (
            token.kind != "word"
            or not _NAME.fullmatch(token.text)
            or token.text.upper() in KEYWORDS
        ):
            self._fail(expected)
        self._advance()
        return Column(token.text, token.position)

    def _names(self, expected: Sequence[str]) -> tuple[Column, ...]:
        names = [self._name(expected)]
        while self._take(","):
            names.append(self._name(["column"]))
        return tuple(names)

    def _order(self) -> tuple[tuple[Order, ...], list[str]]:
        items: list[Order] = []
        while True:
            column = self._name(["column"])
            descending = self._is("DESC")
            explicit = descending or self._is("ASC")
            if explicit:
                self._advance()
            items.append(Order(column, descending))
            if not self._take(","):
                follow = ["','", "LIMIT"] if explicit else ["ASC", "DESC", "','", "LIMIT"]
                return tuple(items), follow

    def _limit(self) -> tuple[int, int | None, list[str]]:
        first = self._integer()
        if self._take(","):
            return self._integer(), first, []
        if self._take("OFFSET"):
            return first, self._integer(), []
        return first, None, ["','", "OFFSET"]

    def _integer(self) -> int:
        token = self.tok
        if token.kind != "number" or not _INTEGER.fullmatch(token.text):
            self._fail([f"integer from 0 to {MAX_INTEGER}"])
        if int(token.text) > MAX_INTEGER:
            self._fail([f"integer from 0 to {MAX_INTEGER}"])
        self._advance()
        return int(token.text)

    # conditions: OR of ANDs of NOT / ( ... ) / condition

    def _or(self) -> Node:
        items = [self._and()]
        while self._take("OR"):
            items.append(self._and())
        return _join("OR", items)

    def _and(self) -> Node:
        items = [self._not()]
        while self._take("AND"):
            items.append(self._not())
        return _join("AND", items)

    def _not(self) -> Node:
        token = self.tok
        node: Node
        if self._take("NOT"):
            self._enter(token)
            node = Logic("NOT", (self._not(),))
        elif self._take("("):
            self._enter(token)
            node = self._or()
            self._expect(")", ["AND", "OR", ")"])
        else:
            return self._condition()
        self.depth -= 1
        return node

    def _enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error(token.position, f"nested too deeply (more than {MAX_DEPTH} levels)")

    def _condition(self) -> Condition:
        column = self._name(["column", "NOT", "("])
        self.conditions += 1
        if self.conditions > MAX_COMPARISONS:
            raise _error(column.position, f"too many conditions (more than {MAX_COMPARISONS})")
        token = self.tok
        if token.kind == "op":
            self._advance()
            op = "!=" if token.text == "<>" else token.text
        elif self._take("LIKE") or self._take("IN"):
            op = token.text.upper()
        elif self._take("NOT"):
            operator = self.tok
            if not (self._take("LIKE") or self._take("IN")):
                self._fail(["LIKE", "IN"])
            op = "NOT " + operator.text.upper()
        elif self._take("IS"):
            negated = self._take("NOT")
            self._expect("NULL", ["NULL"] if negated else ["NOT", "NULL"])
            op = "IS NOT NULL" if negated else "IS NULL"
            return Condition(column.name, op, (), column.position)
        else:
            self._fail([*COMPARISONS, "LIKE", "NOT", "IN", "IS"])
        return Condition(column.name, op, self._values(op), column.position)

    def _values(self, op: str) -> tuple[Value, ...]:
        opening = self.tok
        if not self._take("("):
            return (self._value(["value", "("]),)
        values = [self._value(["value"])]
        while self._is(","):
            if op not in MEMBERSHIP:
                raise _error(opening.position, "columns data inappropriate")
            self._advance()
            if len(values) >= MAX_LIST:
                raise _error(self.tok.position, f"too many values in a list (more than {MAX_LIST})")
            values.append(self._value(["value"]))
        self._expect(")", ["','", ")"] if op in MEMBERSHIP else [")"])
        return tuple(values)

    def _value(self, expected: Sequence[str]) -> Value:
        token = self.tok
        if token.kind not in ("string", "number", "date", "word"):
            self._fail(expected)
        self._advance()
        return Value(token.value, token.kind == "string", token.position)
