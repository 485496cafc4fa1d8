"""Regular expressions that mean the same on both databases.

SQLite matches with RE2 (linear time, bounded memory: no pattern can hang it); PostgreSQL
with its own engine ("AREs").  `problem(pattern)` accepts only the syntax both read alike,
and names the first construct outside it, so that a query answers the same on both.
"""

from __future__ import annotations

import re

import re2

from comptoir.storage.database import compile_pattern


def problem(pattern: str) -> str | None:
    """Why a pattern cannot be used, or None."""
    try:
        compile_pattern(pattern)
    except re2.error as exc:
        return f"invalid regular expression ({exc})"
    unportable = _unportable(pattern)
    if unportable is not None:
        shown = unportable if len(unportable) <= 80 else unportable[:77] + "..."
        return f"{shown} is not supported in regular expressions (see docs/query.md)"
    return None


#: SQLite matches with RE2, PostgreSQL with its own AREs: a pattern means the same to both
#: only within this syntax (`_unportable`); escapes of these letters, or of punctuation
_ESCAPES = frozenset("dDtnrfva")
_BOUND = re.compile(r"\{([0-9]{1,3})(,([0-9]{0,3}))?\}")


def _unportable(pattern: str) -> str | None:
    """The first construct of an RE2 pattern outside the syntax that RE2 and PostgreSQL
    read alike, or None: literals, escaped punctuation, `\\d \\D \\t \\n \\r \\f \\v \\a`,
    `.`, `^`, `$`, `|`, groups `( )` and `(?: )`, bracket expressions (no `[:alpha:]`, no
    range followed by `-`), and quantifiers `* + ? {m} {m,} {m,n}` (at most 255) on an atom,
    each optionally lazy.  (Not: flags like `(?i)`, use `~*`; `\\w \\s \\b`, which the two
    read differently; `\\p`, `\\z`, `\\Q`, which PostgreSQL does not know.)"""
    i, quantifiable = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            escaped = pattern[i + 1:i + 2]
            if escaped.isascii() and escaped.isalnum() and escaped not in _ESCAPES:
                return pattern[i:i + 2]
            i, quantifiable = i + 2, True
        elif c == "[":
            i, problem = _bracket(pattern, i)
            if problem is not None:
                return problem
            quantifiable = True
        elif c == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                return pattern[i:i + 3]
            i, quantifiable = i + (3 if pattern.startswith("(?:", i) else 1), False
        elif c in "*+?{":
            bound = _BOUND.match(pattern, i) if c == "{" else None
            if c == "{" and (bound is None or any(int(n) > 255 for n in bound.group(1, 3) if n)):
                return bound.group(0) if bound else "{"  # a literal brace: \\{
            if not quantifiable:
                return pattern[i:i + 2]
            i = bound.end() if bound else i + 1
            i, quantifiable = i + (pattern[i:i + 1] == "?"), False
        else:  # ^ $ | start no atom; ) . and literals end one
            i, quantifiable = i + 1, c not in "^$|"
    return None


def _bracket(pattern: str, i: int) -> tuple[int, str | None]:
    """Where the bracket expression at `i` ends, and what in it is not portable."""
    j = i + 1
    j += pattern[j:j + 1] == "^"
    j += pattern[j:j + 1] == "]"  # a ] first is a literal
    after_range = False
    while j < len(pattern) and pattern[j] != "]":
        c = pattern[j]
        if c == "[" and pattern[j + 1:j + 2] in (":", ".", "="):
            return j, pattern[j:j + 2]
        if c == "\\":
            escaped = pattern[j + 1:j + 2]
            if escaped.isascii() and escaped.isalnum() and escaped not in _ESCAPES:
                return j, pattern[j:j + 2]
            j, after_range = j + 2, False
        elif c == "-" and after_range and pattern[j + 1:j + 2] != "]":
            return j, pattern[i:j + 2]
        elif pattern[j + 1:j + 2] == "-" and pattern[j + 2:j + 3] not in ("]", ""):
            if pattern[j + 2] == "\\":
                return j, pattern[j:j + 4]
            j, after_range = j + 3, True
        else:
            j, after_range = j + 1, False
    return j + 1, None
