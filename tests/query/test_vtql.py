r"""The VTQL parser: every example query of the reference (section 4) and of the Kafinea
seeds, our superset (grouping, NOT, IS NULL, unquoted dates ...), precedence, the exact
error message for each way a query can be wrong, and a property: any text either parses
or raises `QuerySyntaxError`, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.errors import QuerySyntaxError
from comptoir.query.json_query import MAX_COMPARISONS, MAX_DEPTH, MAX_LIST
from comptoir.query.vtql import (
    Column,
    Condition,
    Logic,
    Node,
    Order,
    Statement,
    Value,
    parse,
)


def col(name: str, position: int) -> Column:
    return Column(name, position)


def val(text: str, position: int, quoted: bool = True) -> Value:
    return Value(text, quoted, position)


def select(
    module: Column,
    columns: tuple[Column, ...] = (),
    *,
    star: bool = False,
    count: bool = False,
    where: Node | None = None,
    order: tuple[Order, ...] = (),
    limit: int | None = None,
    offset: int | None = None,
) -> Statement:
    return Statement(module, columns, star, count, where, order, limit, offset)


def show(node: Node | None) -> str:
    """A condition tree without positions: `(a = 1 OR (b = 'x' AND NOT c IS NULL))`."""
    if node is None:
        return ""
    if isinstance(node, Condition):
        shown = [repr(v.text) if v.quoted else v.text for v in node.values]
        if node.op in ("IN", "NOT IN"):
            return f"{node.column} {node.op} ({', '.join(shown)})"
        return " ".join([node.column, node.op, *shown])
    if node.kind == "NOT":
        return f"NOT {show(node.items[0])}"
    return "(" + f" {node.kind} ".join(show(item) for item in node.items) + ")"


def where(query: str) -> str:
    return show(parse(f"SELECT * FROM Accounts WHERE {query};").where)


def error(query: str, *, require_semicolon: bool = True) -> str:
    with pytest.raises(QuerySyntaxError) as raised:
        parse(query, require_semicolon=require_semicolon)
    return str(raised.value)


# -- the examples of the reference and the seeds, with their full statements --

EXAMPLES = [
    (  # reference 4.3 (coreBOS)
        "select accountname from Accounts;",
        select(col("Accounts", 25), (col("accountname", 8),)),
    ),
    (  # seed 002 and reference 9: the folder of a document
        "SELECT id FROM DocumentFolders WHERE foldername LIKE 'FolderName' LIMIT 1 ;",
        select(
            col("DocumentFolders", 16),
            (col("id", 8),),
            where=Condition("foldername", "LIKE", (val("FolderName", 54),), 38),
            limit=1,
        ),
    ),
    (  # reference 8: the clients' query
        "SELECT * FROM Contacts;",
        select(col("Contacts", 15), star=True),
    ),
    (  # reference 4.3: references compare with ws ids
        "SELECT * FROM Contacts WHERE account_id = '11x45';",
        select(
            col("Contacts", 15),
            star=True,
            where=Condition("account_id", "=", (val("11x45", 43),), 30),
        ),
    ),
    (  # reference 4.4
        "SELECT count(*) FROM Leads;",
        select(col("Leads", 22), count=True),
    ),
    (  # reference 2.17: the rewrite of query_related
        "SELECT * FROM Documents WHERE id IN ('12x1','12x2') AND filesize > 10000;",
        select(
            col("Documents", 15),
            star=True,
            where=Logic(
                "AND",
                (
                    Condition("id", "IN", (val("12x1", 38), val("12x2", 45)), 31),
                    Condition("filesize", ">", (val("10000", 68, quoted=False),), 57),
                ),
            ),
        ),
    ),
    (  # reference 4.2 and 4.4: one direction after the list; paging with LIMIT offset, n
        "SELECT firstname, lastname FROM Contacts ORDER BY lastname, firstname DESC LIMIT 200, 100;",
        select(
            col("Contacts", 33),
            (col("firstname", 8), col("lastname", 19)),
            order=(
                Order(col("lastname", 51), descending=False),
                Order(col("firstname", 61), descending=True),
            ),
            limit=100,
            offset=200,
        ),
    ),
    (  # seed 002's query format, filled in
        "SELECT firstname,lastname FROM Contacts WHERE lastname IN('Doe','Roe') "
        "ORDER BY lastname LIMIT 0, 10 ;",
        select(
            col("Contacts", 32),
            (col("firstname", 8), col("lastname", 18)),
            where=Condition("lastname", "IN", (val("Doe", 59), val("Roe", 65)), 47),
            order=(Order(col("lastname", 81), descending=False),),
            limit=10,
            offset=0,
        ),
    ),
    (  # reference 4.2: SQL precedence
        "SELECT * FROM Accounts WHERE a = 'x' OR b = 'y' AND c = 'z';",
        select(
            col("Accounts", 15),
            star=True,
            where=Logic(
                "OR",
                (
                    Condition("a", "=", (val("x", 34),), 30),
                    Logic(
                        "AND",
                        (
                            Condition("b", "=", (val("y", 45),), 41),
                            Condition("c", "=", (val("z", 57),), 53),
                        ),
                    ),
                ),
            ),
        ),
    ),
    (  # reference 4.1: the odoo-vtiger report, an error in vtiger, a date here
        "SELECT * FROM Invoice WHERE invoicedate > 2019-02-25;",
        select(
            col("Invoice", 15),
            star=True,
            where=Condition("invoicedate", ">", (val("2019-02-25", 43, quoted=False),), 29),
        ),
    ),
]


@pytest.mark.parametrize(("query", "statement"), EXAMPLES)
def test_example(query: str, statement: Statement) -> None:
    assert parse(query) == statement


def test_query_related_sends_no_semicolon() -> None:
    query = "SELECT * FROM Documents WHERE filesize > 10000"  # seed 002, query_related
    expected = select(
        col("Documents", 15),
        star=True,
        where=Condition("filesize", ">", (val("10000", 42, quoted=False),), 31),
    )
    assert parse(query, require_semicolon=False) == expected
    assert parse(query + ";", require_semicolon=False) == expected
    assert (
        error(query) == "Syntax Error at position 47: end of query unexpected, expected one of: ;"
    )


# -- conditions: operators, values, precedence --

CONDITIONS = [
    # vtiger's operators
    ("a = 1", "a = 1"),
    ("a != 'x'", "a != 'x'"),
    ("a < 1", "a < 1"),
    ("a <= 1", "a <= 1"),
    ("a > 1", "a > 1"),
    ("a >= 1", "a >= 1"),
    ("a LIKE '%x_'", "a LIKE '%x_'"),
    ("a IN (1, 2, 3)", "a IN (1, 2, 3)"),
    ("a IN 'x'", "a IN ('x')"),
    ("a IN ('x')", "a IN ('x')"),
    ("a = ('x')", "a = 'x'"),
    ("a=1", "a = 1"),
    ("a<=-1", "a <= -1"),
    ("a=+4", "a = +4"),
    # the superset
    ("a <> 1", "a != 1"),
    ("a<>1", "a != 1"),
    ("a NOT IN (1, 2)", "a NOT IN (1, 2)"),
    ("a NOT LIKE 'x%'", "a NOT LIKE 'x%'"),
    ("a IS NULL", "a IS NULL"),
    ("a IS NOT NULL", "a IS NOT NULL"),
    ("NOT a = 1", "NOT a = 1"),
    ("NOT (a = 1 OR b = 2)", "NOT (a = 1 OR b = 2)"),
    ("NOT NOT a = 1", "NOT NOT a = 1"),
    ("(a = 1)", "a = 1"),
    ("((a = 1))", "a = 1"),
    # values
    ("a = ''", "a = ''"),
    ("a = 'it''s'", """a = "it's\""""),
    ("a = 'it\\'s'", """a = "it's\""""),
    ("a = ''''", """a = "'\""""),
    ("a = 'back\\\\slash'", "a = 'back\\\\slash'"),
    ("a = 'keep \\% and \\_'", "a = 'keep \\\\% and \\\\_'"),
    ('a = "double"', "a = 'double'"),
    ('a = ""', "a = ''"),
    ('a = "say ""hi"" \\"x\\""', """a = 'say "hi" "x"'"""),
    ('a = "it\'s"', """a = "it's\""""),
    ("a = 'two\nlines'", "a = 'two\\nlines'"),
    ("a = 'x OR b = 1'", "a = 'x OR b = 1'"),
    ("a = 10.5", "a = 10.5"),
    ("a = -3.25", "a = -3.25"),
    ("a = 2024-01-31", "a = 2024-01-31"),
    ("a = 2024-01-31T10:00:00", "a = 2024-01-31T10:00:00"),
    ("a = 2024-01-31T10:00", "a = 2024-01-31T10:00"),
    ("a = 12x5", "a = 12x5"),
    ("a = Active", "a = Active"),
    ("a = null", "a = null"),  # a word, as in vtiger; IS NULL tests for null
    ("a IN (Active, 'x', 3, 2024-01-31, 19x1)", "a IN (Active, 'x', 3, 2024-01-31, 19x1)"),
    # precedence: NOT, then AND, then OR; parentheses override; chains are flattened
    ("a = 1 OR b = 2 AND c = 3", "(a = 1 OR (b = 2 AND c = 3))"),
    ("a = 1 AND b = 2 OR c = 3", "((a = 1 AND b = 2) OR c = 3)"),
    ("(a = 1 OR b = 2) AND c = 3", "((a = 1 OR b = 2) AND c = 3)"),
    ("a = 1 AND b = 2 AND c = 3", "(a = 1 AND b = 2 AND c = 3)"),
    ("a = 1 OR b = 2 OR c = 3", "(a = 1 OR b = 2 OR c = 3)"),
    ("a = 1 AND (b = 2 AND c = 3)", "(a = 1 AND b = 2 AND c = 3)"),
    ("NOT a = 1 AND b = 2", "(NOT a = 1 AND b = 2)"),
    ("NOT a = 1 OR b = 2", "(NOT a = 1 OR b = 2)"),
    ("a = 1 AND NOT (b = 2 OR c = 3)", "(a = 1 AND NOT (b = 2 OR c = 3))"),
    ("NOT (a = 1) AND b NOT IN (2)", "(NOT a = 1 AND b NOT IN (2))"),
    (
        "a = 1 OR b = 2 AND (c = 3 OR d IS NULL) AND NOT e LIKE 'x'",
        "(a = 1 OR (b = 2 AND (c = 3 OR d IS NULL) AND NOT e LIKE 'x'))",
    ),
    # keywords in any case
    (
        "a not in (1) and b is not null or c like 'x'",
        "((a NOT IN (1) AND b IS NOT NULL) OR c LIKE 'x')",
    ),
    ("a Not Like 'x' AnD NoT b iS nUlL", "(a NOT LIKE 'x' AND NOT b IS NULL)"),
    # names kept as written
    (
        "hdnGrandTotal = 1 AND cf_123 = 2 AND _x = 3",
        "(hdnGrandTotal = 1 AND cf_123 = 2 AND _x = 3)",
    ),
]


@pytest.mark.parametrize(("condition", "expected"), CONDITIONS)
def test_condition(condition: str, expected: str) -> None:
    assert where(condition) == expected


def test_values_keep_their_kind_and_position() -> None:
    statement = parse("SELECT * FROM A WHERE a IN ('x', \"y\", 3, z, 2024-01-31);")
    assert statement.where == Condition(
        "a",
        "IN",
        (
            val("x", 29),
            val("y", 34),
            val("3", 39, quoted=False),
            val("z", 42, quoted=False),
            val("2024-01-31", 45, quoted=False),
        ),
        23,
    )


# -- the rest of a statement --

STATEMENTS = [
    ("SELECT * FROM Accounts;", select(col("Accounts", 15), star=True)),
    ("SELECT count(*) FROM Accounts;", select(col("Accounts", 22), count=True)),
    ("SELECT COUNT ( * ) FROM Accounts;", select(col("Accounts", 25), count=True)),
    ("select Count(*) from accounts;", select(col("accounts", 22), count=True)),
    ("SeLeCt a,b FrOm X;", select(col("X", 17), (col("a", 8), col("b", 10)))),
    ("SELECT\t*\r\nFROM\nAccounts\n;\n \t", select(col("Accounts", 16), star=True)),
    ("SELECT * FROM X LIMIT 500;", select(col("X", 15), star=True, limit=500)),
    ("SELECT * FROM X LIMIT +5;", select(col("X", 15), star=True, limit=5)),
    ("SELECT * FROM X LIMIT 0;", select(col("X", 15), star=True, limit=0)),
    ("SELECT * FROM X LIMIT 2147483647;", select(col("X", 15), star=True, limit=2**31 - 1)),
    ("SELECT * FROM X LIMIT 20, 10;", select(col("X", 15), star=True, limit=10, offset=20)),
    ("SELECT * FROM X limit 10 offset 20;", select(col("X", 15), star=True, limit=10, offset=20)),
    (
        "SELECT * FROM X ORDER BY a DESC, b;",
        select(
            col("X", 15), star=True, order=(Order(col("a", 26), True), Order(col("b", 34), False))
        ),
    ),
    (
        "SELECT * FROM X order by a asc, b desc, c;",
        select(
            col("X", 15),
            star=True,
            order=(
                Order(col("a", 26), False),
                Order(col("b", 33), True),
                Order(col("c", 41), False),
            ),
        ),
    ),
    (
        "SELECT * FROM X WHERE a = 1 ORDER BY a LIMIT 1 OFFSET 2;",
        select(
            col("X", 15),
            star=True,
            where=Condition("a", "=", (val("1", 27, quoted=False),), 23),
            order=(Order(col("a", 38), False),),
            limit=1,
            offset=2,
        ),
    ),
]


@pytest.mark.parametrize(("query", "statement"), STATEMENTS)
def test_statement(query: str, statement: Statement) -> None:
    assert parse(query) == statement


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM X",
        "SELECT * FROM X;",
        "SELECT * FROM X ;  \n",
        "SELECT * FROM X WHERE a = 1\n",
    ],
)
def test_semicolon_is_optional_on_demand(query: str) -> None:
    assert parse(query, require_semicolon=False).module == col("X", 15)


def test_limits_are_accepted_up_to_the_bound() -> None:
    nested = "(" * MAX_DEPTH + "a = 1" + ")" * MAX_DEPTH
    assert where(nested) == "a = 1"
    assert where("NOT " * MAX_DEPTH + "a = 1") == "NOT " * MAX_DEPTH + "a = 1"
    many = " AND ".join(f"c{i} = {i}" for i in range(MAX_COMPARISONS))
    assert where(many).count(" AND ") == MAX_COMPARISONS - 1
    values = ", ".join(str(i) for i in range(MAX_LIST))
    condition = parse(f"SELECT * FROM X WHERE a IN ({values});").where
    assert isinstance(condition, Condition)
    assert len(condition.values) == MAX_LIST
    assert parse("SELECT * FROM X WHERE a = '" + "x" * 99_950 + "';").module.name == "X"


# -- errors: the exact message, naming the position, the token and what was expected --

W = "SELECT * FROM X WHERE "  # a condition starts at position 23
ERRORS = [
    # the statement
    ("", "Syntax Error at position 1: end of query unexpected, expected one of: SELECT"),
    ("  \n", "Syntax Error at position 4: end of query unexpected, expected one of: SELECT"),
    (";", "Syntax Error at position 1: token ';' unexpected, expected one of: SELECT"),
    ("UPDATE X;", "Syntax Error at position 1: token 'UPDATE' unexpected, expected one of: SELECT"),
    (
        "SELECT FROM X;",
        "Syntax Error at position 8: token 'FROM' unexpected, expected one of: *, count(*), column",
    ),
    ("SELECT * X;", "Syntax Error at position 10: token 'X' unexpected, expected one of: FROM"),
    (
        "SELECT * FROMM X;",
        "Syntax Error at position 10: token 'FROMM' unexpected, expected one of: FROM",
    ),
    (
        "SELECT *, a FROM X;",
        "Syntax Error at position 9: token ',' unexpected, expected one of: FROM",
    ),
    (
        "SELECT a b FROM X;",
        "Syntax Error at position 10: token 'b' unexpected, expected one of: ',', FROM",
    ),
    (
        "SELECT a, FROM X;",
        "Syntax Error at position 11: token 'FROM' unexpected, expected one of: column",
    ),
    (
        "SELECT count(id) FROM X;",
        "Syntax Error at position 14: token 'id' unexpected, expected one of: *",
    ),
    (
        "SELECT count FROM X;",
        "Syntax Error at position 14: token 'FROM' unexpected, expected one of: (",
    ),
    (
        "SELECT REPLACE(a) FROM X;",
        "Syntax Error at position 15: token '(' unexpected, expected one of: ',', FROM",
    ),
    (
        "SELECT * FROM;",
        "Syntax Error at position 14: token ';' unexpected, expected one of: module",
    ),
    (
        "SELECT * FROM where;",
        "Syntax Error at position 15: token 'where' unexpected, expected one of: module",
    ),
    (
        "SELECT * FROM 12x;",
        "Syntax Error at position 15: token '12x' unexpected, expected one of: module",
    ),
    ("SELECT * FROM X", "Syntax Error at position 16: end of query unexpected, expected one of: ;"),
    (
        "SELECT * FROM X LIMIT 5",
        "Syntax Error at position 24: end of query unexpected, expected one of: ;",
    ),
    (
        "SELECT * FROM X Y;",
        "Syntax Error at position 17: token 'Y' unexpected, expected one of: WHERE, ORDER BY, LIMIT, ;",
    ),
    (
        "SELECT * FROM X; x",
        "Syntax Error at position 18: token 'x' unexpected, expected one of: end of query",
    ),
    (
        "SELECT * FROM X;;",
        "Syntax Error at position 17: token ';' unexpected, expected one of: end of query",
    ),
    (
        "SELECT * FROM X; DROP TABLE x;",
        "Syntax Error at position 18: token 'DROP' unexpected, expected one of: end of query",
    ),
    # conditions
    (W + ";", "Syntax Error at position 23: token ';' unexpected, expected one of: column, NOT, ("),
    (
        W + "AND = 1;",
        "Syntax Error at position 23: token 'AND' unexpected, expected one of: column, NOT, (",
    ),
    (
        W + "1 = 1;",
        "Syntax Error at position 23: token '1' unexpected, expected one of: column, NOT, (",
    ),
    (
        W + "'a' = 1;",
        "Syntax Error at position 23: token ''a'' unexpected, expected one of: column, NOT, (",
    ),
    (
        W + "a = 1 AND",
        "Syntax Error at position 32: end of query unexpected, expected one of: column, NOT, (",
    ),
    (
        W + "REPLACE(a) = 'x';",
        "Syntax Error at position 30: token '(' unexpected, expected one of: "
        "=, !=, <>, <, <=, >, >=, LIKE, NOT, IN, IS",
    ),
    (
        W + "a = REPLACE(x);",
        "Syntax Error at position 34: token '(' unexpected, expected one of: AND, OR, ORDER BY, LIMIT, ;",
    ),
    (
        W + "a;",
        "Syntax Error at position 24: token ';' unexpected, expected one of: "
        "=, !=, <>, <, <=, >, >=, LIKE, NOT, IN, IS",
    ),
    (
        W + "a == 1;",
        "Syntax Error at position 26: token '=' unexpected, expected one of: value, (",
    ),
    (
        W + "a < > 1;",
        "Syntax Error at position 27: token '>' unexpected, expected one of: value, (",
    ),
    (W + "a =;", "Syntax Error at position 26: token ';' unexpected, expected one of: value, ("),
    (
        W + "a NOT = 1;",
        "Syntax Error at position 29: token '=' unexpected, expected one of: LIKE, IN",
    ),
    (
        W + "a IS 1;",
        "Syntax Error at position 28: token '1' unexpected, expected one of: NOT, NULL",
    ),
    (W + "a IS NOT 1;", "Syntax Error at position 32: token '1' unexpected, expected one of: NULL"),
    (W + "a IN ();", "Syntax Error at position 29: token ')' unexpected, expected one of: value"),
    (
        W + "a IN (1 2);",
        "Syntax Error at position 31: token '2' unexpected, expected one of: ',', )",
    ),
    (W + "a IN (1,);", "Syntax Error at position 31: token ')' unexpected, expected one of: value"),
    (W + "a IN (1;", "Syntax Error at position 30: token ';' unexpected, expected one of: ',', )"),
    (W + "a = ('x', 'y');", "Syntax Error at position 27: columns data inappropriate"),
    (W + "a LIKE ('x','y');", "Syntax Error at position 30: columns data inappropriate"),
    (
        W + "a = ('x' 'y');",
        "Syntax Error at position 32: token ''y'' unexpected, expected one of: )",
    ),
    (
        W + "(a = 1;",
        "Syntax Error at position 29: token ';' unexpected, expected one of: AND, OR, )",
    ),
    (
        W + "a = 1);",
        "Syntax Error at position 28: token ')' unexpected, expected one of: AND, OR, ORDER BY, LIMIT, ;",
    ),
    (
        W + "NOT;",
        "Syntax Error at position 26: token ';' unexpected, expected one of: column, NOT, (",
    ),
    (
        W + "a = 1 b = 2;",
        "Syntax Error at position 29: token 'b' unexpected, expected one of: AND, OR, ORDER BY, LIMIT, ;",
    ),
    (  # vtiger's lexing of a partial date, as in the odoo-vtiger report
        W + "a = 2019-02;",
        "Syntax Error at position 31: token '-02' unexpected, expected one of: AND, OR, ORDER BY, LIMIT, ;",
    ),
    # ORDER BY, LIMIT
    (
        "SELECT * FROM X ORDER a;",
        "Syntax Error at position 23: token 'a' unexpected, expected one of: BY",
    ),
    (
        "SELECT * FROM X ORDER BY;",
        "Syntax Error at position 25: token ';' unexpected, expected one of: column",
    ),
    (
        "SELECT * FROM X ORDER BY a b;",
        "Syntax Error at position 28: token 'b' unexpected, expected one of: ASC, DESC, ',', LIMIT, ;",
    ),
    (
        "SELECT * FROM X ORDER BY a DESC b;",
        "Syntax Error at position 33: token 'b' unexpected, expected one of: ',', LIMIT, ;",
    ),
    (
        "SELECT * FROM X ORDER BY a LIMIT 1 WHERE a = 1;",
        "Syntax Error at position 36: token 'WHERE' unexpected, expected one of: ',', OFFSET, ;",
    ),
    (
        "SELECT * FROM X LIMIT -1;",
        "Syntax Error at position 23: token '-1' unexpected, expected one of: integer from 0 to 2147483647",
    ),
    (
        "SELECT * FROM X LIMIT 10.5;",
        "Syntax Error at position 23: token '10.5' unexpected, expected one of: integer from 0 to 2147483647",
    ),
    (
        "SELECT * FROM X LIMIT 2147483648;",
        "Syntax Error at position 23: token '2147483648' unexpected, "
        "expected one of: integer from 0 to 2147483647",
    ),
    (
        "SELECT * FROM X LIMIT 99999999999999999999999;",
        "Syntax Error at position 23: token '99999999999999999999999' unexpected, "
        "expected one of: integer from 0 to 2147483647",
    ),
    (
        "SELECT * FROM X LIMIT x;",
        "Syntax Error at position 23: token 'x' unexpected, expected one of: integer from 0 to 2147483647",
    ),
    (
        "SELECT * FROM X LIMIT 1 OFFSET -2;",
        "Syntax Error at position 32: token '-2' unexpected, expected one of: integer from 0 to 2147483647",
    ),
    (
        "SELECT * FROM X LIMIT 1, 2, 3;",
        "Syntax Error at position 27: token ',' unexpected, expected one of: ;",
    ),
    (
        "SELECT * FROM X LIMIT 1 OFFSET 2 OFFSET 3;",
        "Syntax Error at position 34: token 'OFFSET' unexpected, expected one of: ;",
    ),
    # the lexer
    ("SELECT @", "Syntax Error at position 8: unexpected character '@'"),
    (W + "email = a@b.c;", "Syntax Error at position 32: unexpected character '@'"),
    (W + "a = #1;", "Syntax Error at position 27: unexpected character '#'"),
    (W + "a = .5;", "Syntax Error at position 27: unexpected character '.'"),
    (W + "a = 10.;", "Syntax Error at position 29: unexpected character '.'"),
    ("SELECT * FROM Accounts.name;", "Syntax Error at position 23: unexpected character '.'"),
    (W + "a = 1 && b = 2;", "Syntax Error at position 29: unexpected character '&'"),
    (W + "a ! 1;", "Syntax Error at position 25: unexpected character '!'"),
    ("SELECT\x00", "Syntax Error at position 7: unexpected character '\\x00'"),
    ("SELECT\u00a0*", "Syntax Error at position 7: unexpected character '\\xa0'"),
    (W + "a = 'abc;", "Syntax Error at position 27: unterminated string starting 'abc;"),
    (W + 'a = "abc', 'Syntax Error at position 27: unterminated string starting "abc'),
    (W + "a = 'it''s;", "Syntax Error at position 27: unterminated string starting 'it''s;"),
    (W + "a = 'C:\\';", "Syntax Error at position 27: unterminated string starting 'C:\\';"),
    (
        W + "a = 'abcdefghijklmnopqrstuvwxyz",
        "Syntax Error at position 27: unterminated string starting 'abcdefghijklmnopqrs...",
    ),
    (  # tokens are shown clipped
        "SELECT * FROM X " + "y" * 50 + ";",
        "Syntax Error at position 17: token '" + "y" * 40 + "...' unexpected, "
        "expected one of: WHERE, ORDER BY, LIMIT, ;",
    ),
    # the bounds of one query
    (
        "SELECT * FROM X WHERE a = '" + "x" * 100_000 + "';",
        "Syntax Error at position 100001: query too long (more than 100000 characters)",
    ),
    (
        W + "(" * (MAX_DEPTH + 1) + "a = 1" + ")" * (MAX_DEPTH + 1) + ";",
        f"Syntax Error at position {23 + MAX_DEPTH}: nested too deeply (more than {MAX_DEPTH} levels)",
    ),
    (
        W + "NOT " * (MAX_DEPTH + 1) + "a = 1;",
        f"Syntax Error at position {23 + 4 * MAX_DEPTH}: nested too deeply (more than {MAX_DEPTH} levels)",
    ),
    (
        W + "NOT (" * 9 + "a = 1" + ")" * 9 + ";",
        f"Syntax Error at position {23 + 5 * 8}: nested too deeply (more than {MAX_DEPTH} levels)",
    ),
    (
        W + " OR ".join(["ab = 1"] * (MAX_COMPARISONS + 1)) + ";",
        f"Syntax Error at position {23 + 10 * MAX_COMPARISONS}: "
        f"too many conditions (more than {MAX_COMPARISONS})",
    ),
    (
        W + "a IN (" + ",".join(["1"] * (MAX_LIST + 1)) + ");",
        f"Syntax Error at position {29 + 2 * MAX_LIST}: too many values in a list (more than {MAX_LIST})",
    ),
    (
        "SELECT * FROM X LIMIT 1",
        "Syntax Error at position 24: end of query unexpected, expected one of: ;",
    ),
]


@pytest.mark.parametrize(("query", "message"), ERRORS)
def test_error(query: str, message: str) -> None:
    assert error(query) == message


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT * FROM X WHERE a = 1 x",
            "Syntax Error at position 29: token 'x' unexpected, expected one of: AND, OR, ORDER BY, LIMIT, ;",
        ),
        (
            "SELECT * FROM X; x",
            "Syntax Error at position 18: token 'x' unexpected, expected one of: end of query",
        ),
        (
            "SELECT * FROM",
            "Syntax Error at position 14: end of query unexpected, expected one of: module",
        ),
        (
            "SELECT * FROM X LIMIT",
            "Syntax Error at position 22: end of query unexpected, expected one of: integer from 0 to 2147483647",
        ),
    ],
)
def test_error_without_semicolon(query: str, message: str) -> None:
    assert error(query, require_semicolon=False) == message


def test_error_has_the_code_query_syntax() -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse("SELECT;")
    assert raised.value.code == "query_syntax"


# -- property: any text parses or raises QuerySyntaxError, never anything else --

VALID = [query for query, _ in EXAMPLES + STATEMENTS] + [
    W + condition + ";" for condition, _ in CONDITIONS
]
VTQL_CHARACTERS = st.sampled_from(list("'\"()*,;=<>!-+.\\ \t\n0123456789aAxXzT_@%"))
NASTY = ["(", ")", "NOT ", "'", "''", "\\", ";", ",", " AND ", " OR ", " IN ", " IS ", "2024-01-31"]


def survives(text: str, require_semicolon: bool) -> None:
    try:
        result = parse(text, require_semicolon=require_semicolon)
    except QuerySyntaxError as exc:
        assert str(exc).startswith("Syntax Error at position ")
    else:
        assert isinstance(result, Statement)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.booleans())
def test_random_text_parses_or_fails_cleanly(text: str, require_semicolon: bool) -> None:
    survives(text, require_semicolon)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(VALID),
    st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "replace"]),
            st.integers(min_value=0),
            st.one_of(st.characters(), VTQL_CHARACTERS, st.sampled_from(NASTY)),
        ),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_mutated_queries_parse_or_fail_cleanly(
    query: str, mutations: list[tuple[str, int, str]], require_semicolon: bool
) -> None:
    for action, where_, piece in mutations:
        at = where_ % (len(query) + 1)
        if action == "insert":
            query = query[:at] + piece + query[at:]
        elif action == "delete":
            query = query[:at] + query[at + 1 :]
        else:
            query = query[:at] + piece + query[at + 1 :]
    survives(query, require_semicolon)


TOKENS = [
    "SELECT", "select", "*", "count", "(", ")", ",", "FROM", "Accounts", "WHERE", "a", "b",
    "=", "<>", "!=", "<", ">=", "LIKE", "NOT", "IN", "IS", "NULL", "AND", "OR", "'x'", "''",
    "1", "-2.5", "2024-01-31", "12x5", "ORDER", "BY", "ASC", "DESC", "LIMIT", "OFFSET", "10", ";",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40), st.booleans())
def test_random_token_sequences_parse_or_fail_cleanly(
    tokens: list[str], require_semicolon: bool
) -> None:
    survives(" ".join(tokens), require_semicolon)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_random_conditions_parse_or_fail_cleanly(tokens: list[str]) -> None:
    survives(W + " ".join(tokens) + ";", True)
