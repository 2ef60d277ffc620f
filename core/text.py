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
