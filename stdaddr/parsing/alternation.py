"""Alternatives of one pattern, each behind the characters it can start with.

Python's ``re`` tries the alternatives of a pattern one by one at every position of the text; it skips
positions by a set of opening characters only when every alternative opens with a literal. The tail's
tokenizer has thirty-odd alternatives, most of which open with a digit or one of a few words: behind a
lookahead of its opening characters, an alternative that cannot start at a position fails in one step
(about a third of the tokenizer's time). The lookahead is derived from the alternative itself, so the
pattern matches exactly what it matched without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

try:  # Python 3.11+
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["guarded_alternation"]

_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


class _Unbounded(Exception):
    """An alternative may open with any character (or its opening cannot be told): no guard."""


def _class_items(items: list[tuple[Any, Any]]) -> str:
    """The text of a character class's items, as ``[...]`` holds them."""
    out = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            out.append(re.escape(chr(av)))
        elif name == "RANGE":
            low, high = av
            out.append(f"{re.escape(chr(low))}-{re.escape(chr(high))}")
        elif name == "CATEGORY" and str(av) in _CATEGORIES:
            out.append(_CATEGORIES[str(av)])
        else:
            raise _Unbounded
    return "".join(out)


def _opening(items: Any, classes: list[str]) -> bool:
    """Add the characters ``items`` (a parsed sequence) can open with to ``classes`` (items of a class, or a
    negated class ``[^...]``); True when the sequence can match the empty string (then what follows it
    can open the match too)."""
    return all(_opening_item(str(op), av, classes) for op, av in items)


def _opening_item(name: str, av: Any, classes: list[str]) -> bool:
    """As :func:`_opening`, for one parsed item."""
    if name == "LITERAL":
        classes.append(re.escape(chr(av)))
        return False
    if name == "IN":
        items = list(av)
        if items and str(items[0][0]) == "NEGATE":
            classes.append(f"[^{_class_items(items[1:])}]")
        else:
            classes.append(_class_items(items))
        return False
    if name == "CATEGORY" and str(av) in _CATEGORIES:
        classes.append(_CATEGORIES[str(av)])
        return False
    if name == "SUBPATTERN":
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:  # a flag (?i: ...) changes which characters match
            raise _Unbounded
        return _opening(sub, classes)
    if name == "ATOMIC_GROUP":
        return _opening(av, classes)
    if name == "BRANCH":
        empty = False
        for branch in av[1]:
            empty = _opening(branch, classes) or empty
        return empty
    if name in _REPEATS:
        low, _high, sub = av
        return _opening(sub, classes) or low == 0
    if name in _ZERO_WIDTH:
        return True  # takes no character: what follows opens the match
    raise _Unbounded  # any character, a back reference, a conditional group


def _guard(alternative: str) -> str | None:
    """A lookahead of the characters ``alternative`` can open with, None when it may open with any or
    match the empty string."""
    try:
        parsed = _p.parse(alternative)
        if parsed.state.flags & re.IGNORECASE:
            return None
        classes: list[str] = []
        if _opening(parsed, classes):
            return None
    except (_Unbounded, re.error, AttributeError, TypeError, ValueError):
        return None
    negated = [c for c in classes if c.startswith("[^")]
    plain = "".join(c for c in classes if not c.startswith("[^"))
    return f"(?={'|'.join(([f'[{plain}]'] if plain else []) + negated)})"


def guarded_alternation(alternatives: Iterable[str]) -> str:
    """``"|".join(alternatives)``, each alternative behind a lookahead of the characters it can open with.

    >>> guarded_alternation(["(?P<n>[0-9]+号)", "(?P<w>[a-z]*)"])
    '(?=[0-9])(?:(?P<n>[0-9]+号))|(?P<w>[a-z]*)'
    """
    out = []
    for alternative in alternatives:
        guard = _guard(alternative)
        out.append(alternative if guard is None else f"{guard}(?:{alternative})")
    return "|".join(out)
