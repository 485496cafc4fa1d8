"""The filter operators of the query languages, declared once.

This table drives the parser (which symbols exist, which fields they apply to), the SQL
compiler (what each one means) and the documentation (the OpenAPI document, docs/query.md).
The symbols and their meaning are PostgreSQL's, as in ZeyOS: `~` is a POSIX-style regular
expression match (the part of RE2's syntax that PostgreSQL reads alike, see docs/query.md),
`~~` is LIKE with `%` and `_` wildcards and `\\` as the escape character.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Family(enum.Enum):
    COMPARE = "compare"  # = != < <= > >=, against one value (null: IS [NOT] NULL)
    MEMBER = "member"  # IN / !IN, against a list of values
    REGEX = "regex"  # regular expressions, text only
    LIKE = "like"  # LIKE patterns, text only


@dataclass(frozen=True, slots=True)
class Operator:
    symbol: str
    family: Family
    description: str
    #: for COMPARE: the SQL comparison; for the others: does the operator negate the match
    comparison: str = ""
    negated: bool = False
    ignore_case: bool = False

    @property
    def text_only(self) -> bool:
        return self.family in (Family.REGEX, Family.LIKE)


OPERATORS: tuple[Operator, ...] = (
    Operator("=", Family.COMPARE, "Equals (null: is null)", "="),
    Operator("!=", Family.COMPARE, "Not equals (null: is not null)", "!="),
    Operator("<>", Family.COMPARE, "Not equals (null: is not null)", "!="),
    Operator("<", Family.COMPARE, "Less than", "<"),
    Operator("<=", Family.COMPARE, "Less than or equal to", "<="),
    Operator(">", Family.COMPARE, "Greater than", ">"),
    Operator(">=", Family.COMPARE, "Greater than or equal to", ">="),
    Operator("IN", Family.MEMBER, "Contains (is one of a list of values)"),
    Operator("!IN", Family.MEMBER, "Does not contain (is none of a list of values)",
             negated=True),
    Operator("~", Family.REGEX, "Matches regular expression"),
    Operator("~*", Family.REGEX, "Matches regular expression, case-insensitive",
             ignore_case=True),
    Operator("!~", Family.REGEX, "Not matches regular expression", negated=True),
    Operator("!~*", Family.REGEX, "Not matches regular expression, case-insensitive",
             negated=True, ignore_case=True),
    Operator("~~", Family.LIKE, "Is like (% any characters, _ one character)"),
    Operator("~~*", Family.LIKE, "Is like, case-insensitive", ignore_case=True),
    Operator("!~~", Family.LIKE, "Not like", negated=True),
    Operator("!~~*", Family.LIKE, "Not like, case-insensitive", negated=True,
             ignore_case=True),
)

#: symbol -> operator (matched exactly)
BY_SYMBOL: dict[str, Operator] = {op.symbol: op for op in OPERATORS}
EQUALS = BY_SYMBOL["="]

#: the groups of a composite filter: `["AND"|"OR"|"NOT", {...}, ...]`
GROUPS = ("AND", "OR", "NOT")

#: seconds a query with a regular expression may run (then it is stopped: a 400)
REGEX_TIMEOUT = 1.0
