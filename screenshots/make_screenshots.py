"""Regenerate the SVG screenshots in screenshots/ from the real app, at fixed terminal sizes.

Run: python screenshots/make_screenshots.py [--out DIR] [NAME ...]

Every picture is the app as built by the `logsgd-tui` command line, driven by the same keys a
lecturer presses; nothing is drawn by hand. The output is deterministic: no clock, no random
seed left open, the text cursor does not blink.

browser-step1.png is the page of `logsgd-tui serve` in headless Chromium (Debian's chromium,
driven as tests/test_serve_browser.py drives it) after → : a PNG, since it is the browser's
picture of the page, fonts and all. Without chromium it is left out, and the script says so.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

from textual.widgets import Input

from logsgd.tui.app import LogSGDApp
from logsgd.tui.cli import build_parser, make_engine, resolve_setup

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the Chromium driver and the serve harness
WIDE = (120, 36)
COMPACT = (80, 24)
# Epochs for the converged picture: breast cancer, standardized, is flat by then (accuracy
# about 98%, full-data loss about 0.09 and falling by less than 0.002 an epoch).
CONVERGED_EPOCHS = 30
PINNED_STEPS = 12


@dataclass(frozen=True)
class Shot:
    """One screenshot: the command line, the keys pressed, and where that must have led.

    `steps` and `epochs` say where the keys should land, as a headless engine reaches it; a
    wrong key map then stops the script instead of leaving a wrong picture behind.
    """

    filename: str
    argv: tuple[str, ...]
    keys: tuple[str, ...]
    steps: int = 0
    epochs: int = 0
    screen: str = "MainScreen"  # the class name of the screen on top
    size: tuple[int, int] = WIDE


SHOTS = (
    Shot("seed-step0.svg", (), ()),
    Shot("seed-step1.svg", (), ("right",), steps=1),
    Shot("seed-step2.svg", (), ("right", "right"), steps=2),
    Shot("help.svg", (), ("question_mark",), screen="HelpScreen"),
    Shot("edit-form.svg", (), ("e",), screen="EditScreen"),
    Shot(
        "converged.svg",
        ("--dataset", "breast-cancer", "--standardize"),
        ("right_square_bracket",) * CONVERGED_EPOCHS + ("c",),
        epochs=CONVERGED_EPOCHS,
    ),
    Shot("compact-80x24.svg", (), ("right", "4"), steps=1, size=COMPACT),
    Shot("boundary-step1.svg", (), ("v", "right"), steps=1),
    Shot("boundary-step2.svg", (), ("v", "right", "right"), steps=2),
    # The loss landscape: raw features swing across the low region; standardized, go down.
    Shot("landscape-swing.svg", (), ("o", *["right"] * 6), steps=6),
    Shot("landscape-standardized.svg", (), ("o", "z", *["right"] * 6), steps=6),
    # The seed lecture's raw run pinned as A, then standardized: both on the loss chart.
    Shot(
        "pinned-raw-vs-standardized.svg",
        (),
        ("right",) * PINNED_STEPS + ("P", "z") + ("right",) * PINNED_STEPS + ("c",),
        steps=PINNED_STEPS,
    ),
)


async def take(shot: Shot, out: Path) -> Path:
    setup = resolve_setup(build_parser().parse_args(list(shot.argv)))
    reference = make_engine(setup)
    reference.run_epochs(shot.epochs)
    reference.run_steps(shot.steps)
    app = LogSGDApp(make_engine(setup))
    app.animation_level = "none"
    async with app.run_test(size=shot.size) as pilot:
        for key in shot.keys:
            await pilot.press(key)
        await pilot.pause()
        for text_input in app.screen.query(Input):
            text_input.cursor_blink = False
        await pilot.pause()
        assert app.state is not None
        step = app.state.event.step
        screen = type(app.screen).__name__
        if (step, screen) != (reference.cursor, shot.screen):
            raise SystemExit(
                f"{shot.filename}: expected step {reference.cursor} on {shot.screen}, "
                f"got step {step} on {screen}"
            )
        app.save_screenshot(filename=shot.filename, path=str(out))
    return out / shot.filename


BROWSER_SHOT = "browser-step1.png"
BROWSER_SIZE = (1280, 800)  # CSS pixels: 142x38 cells at the page's 16 px font


async def take_browser(out: Path) -> Path | None:
    """The seed lecture after → in a browser, served by `logsgd-tui serve`."""
    from chromium import Chromium, find_chromium
    from serve_harness import Server

    executable = find_chromium()
    if executable is None:
        print(f"{BROWSER_SHOT}: left out, chromium is not installed (apt-get install chromium)")
        return None
    with Server() as server:
        async with Chromium(executable, *BROWSER_SIZE) as browser:
            page = await browser.open(server.url)
            await page.wait_for(("step 0/0", "0.6931"), 60)
            await page.press("Right")
            await page.wait_for(("step 1/1", "-0.5875", "4.394e-32"), 60)
            await asyncio.sleep(0.5)  # the buffer is written; let xterm.js paint it
            path = await page.screenshot(out / BROWSER_SHOT)
            await page.close()
    return path


async def take_all(out: Path, only: list[str]) -> None:
    for shot in SHOTS:
        if only and shot.filename not in only:
            continue
        path = await take(shot, out)
        print(f"wrote {path}")
    if not only or BROWSER_SHOT in only:
        browser_path = await take_browser(out)
        if browser_path is not None:
            print(f"wrote {browser_path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory for the SVG files")
    parser.add_argument("only", nargs="*", help="file names of the shots to take (default: all)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(take_all(args.out, args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
