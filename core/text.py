"""Text from a file or the command line, made safe to show: its control characters made visible.

A CSV header such as ESC[31m or ESC]0;TITLE ESC\\ would, written raw, recolour or retitle the
terminal, and a right-to-left override would reorder what follows it. Every such string (column
names, label values, file names, paths) goes through `visible` once, where it enters: it is
then the same harmless text on screen, in every export and in every error message.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the bidirectional marks, embeddings, overrides and
# isolates that reorder the text around them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# As Python writes them in a repr.
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """text with every control or bidi-control character written as an escape: ESC -> \\x1b."""
    return _CONTROL.sub(_escape, text)


_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WHOLE = re.compile(r"[+-]?[0-9]+")
# The longest whole number read: far past any setting's range (2**63 has 19 digits), and a
# number this long still prints in a message without Python's 4,300-digit limit.
WHOLE_DIGITS_MAX = 100
_SPECIAL = frozenset(sign + word for sign in ("", "+", "-") for word in ("inf", "infinity", "nan"))


def read_number(text: str) -> float | None:
    """The float `text` spells in plain ASCII (12, -0.5, 1e-3, inf, nan), or None.

    Python's float() also reads "1_0" as 10 and full-width "１２" as 12; a lecturer who typed
    those made a slip, and the data file, the command line and the edit form all refuse them
    alike. Spaces around the number are allowed.
    """
    stripped = text.strip()
    if _DECIMAL.fullmatch(stripped) or stripped.lower() in _SPECIAL:
        return float(stripped)
    return None


def read_whole(text: str) -> int | None:
    """The whole number `text` spells in plain ASCII digits (12, -3), or None; None too for
    more digits than WHOLE_DIGITS_MAX (no setting, row or step is that long, and int() of
    more than Python's 4,300 digits raises)."""
    stripped = text.strip()
    if not _WHOLE.fullmatch(stripped) or len(stripped.lstrip("+-")) > WHOLE_DIGITS_MAX:
        return None
    return int(stripped)


def whole_wanted(text: str) -> str:
    """What a message says was wanted where `text` was not read as a whole number: "a whole
    number", or, for digits too many, "a whole number of at most 100 digits"."""
    digits = _WHOLE.fullmatch(text.strip()) is not None
    return f"a whole number of at most {WHOLE_DIGITS_MAX} digits" if digits else "a whole number"


def plural(count: int, word: str) -> str:
    """'1 feature', '3 features'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# A typed or read value is quoted in a message up to this many characters.
QUOTE_LIMIT = 40


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """repr() of text cut to `limit` characters, so control characters and length stay visible:
    a 100 KB paste is quoted as its first 40 characters and how long it was."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"
