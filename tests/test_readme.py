"""The README's key table lists every command's keys, as the app defines them."""

from __future__ import annotations

from pathlib import Path

from logsgd.tui.commands import COMMANDS

README = Path(__file__).resolve().parent.parent / "README.md"


def key_table() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("| key | what it does |")
    return text[start : text.index("\n\n", start)]


def test_every_command_key_is_in_the_readme_key_table() -> None:
    table = key_table()
    cells = {cell.strip() for row in table.splitlines() for cell in row.split("|")}
    words = {word for cell in cells for word in cell.replace(",", " ").replace("/", " ").split()}
    if "1-5" in words:  # the panel keys, as a range
        words |= {str(k) for k in range(1, 6)}
    spelled = {"Esc": "Escape"}
    missing = [
        c.keys_shown
        for c in COMMANDS
        if spelled.get(first := c.keys_shown.split()[0], first) not in words
    ]
    assert not missing, missing
