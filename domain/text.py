"""Free text a person typed: when it says nothing at all."""

from __future__ import annotations

import unicodedata

FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Letters that draw nothing (the Hangul fillers, the blank Braille pattern): pasted into a
field they look like an empty one."""


def blank(text: str) -> bool:
    """True when `text` shows nothing: only whitespace, invisible format characters (zero-width
    space and joiners, the byte-order mark, soft hyphens: Unicode's Cf) and blank fillers.

    A summary of zero-width spaces is refused like an empty one: it would show as nothing on
    the board and in the case file.
    """
    return all(
        char.isspace() or char in FILLERS or unicodedata.category(char) == "Cf" for char in text
    )
