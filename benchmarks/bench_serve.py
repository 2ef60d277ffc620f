"""`logsgd-tui serve` in headless Chromium: page to numbers vs a minimal app, keys vs tmux.

    python benchmarks/bench_serve.py [--runs 7] [--presses 30] [--poll 0.002]

Read the way a person reads it: by the text on the page, from xterm.js's buffer (through the
page's JavaScript, as tests/test_serve_browser.py reads it), polled every --poll seconds.

- Page to numbers: from asking Chromium to open the page to the first poll that shows the
  seed lecture's "step 0/0" and "0.6931": the page, textual.js, the websocket, the app's start
  and its first frame. The baseline is benchmarks/minimal_app.py (its status line says the same
  words) served the same way: the same Server of tui/serve.py running `exec python
  minimal_app.py` (`bench_serve.py --serve-minimal`). Runs alternate, each a new tab (its app
  ended before the next opens), after one untimed run of each; medians.
- Key latency: from sending → to the page to the first poll that shows the new step (its
  status line and the chart's title, as bench_app.py waits in tmux), against the same app in a
  120x36 tmux pane (bench_app.py's control-mode client). The page is sized to 120x36 cells
  too, so both draw the same screen. The same for minimal_app.py, page and pane, for
  information: the cost of the way through the browser itself, for a screen that hardly
  changes. The four take turns, press by press.

Without chromium (or tmux) it prints why and gives no figures, so run_all.py can include it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the Chromium driver and the serve harness

from bench_app import (  # noqa: E402
    DROPPED_VARIABLES,
    FIRST_FRAME_TEXTS,
    MINIMAL,
    PYCACHE,
    Tmux,
    at_step,
    minimal_argv,
    real_argv,
)
from bench_app import HEIGHT as ROWS  # noqa: E402
from bench_app import WIDTH as COLUMNS  # noqa: E402
from bench_engine import Figure  # noqa: E402
from serve_harness import COMMAND, Server  # noqa: E402

if TYPE_CHECKING:  # chromium.py needs aiohttp, which comes with textual-serve: imported late
    from chromium import Chromium, Page

# The page's 16 px Roboto Mono cell is 9 x 20 CSS pixels (measured); FitAddon takes whole cells,
# less the page's scrollbar-free margin: this viewport gives 120x36, the tmux pane's size.
VIEWPORT = (1085, 765)
# The first frame in tmux may take 1.4x the minimal app's (bench_app.py); the page no more.
TARGET_PAGE = 1.4
# A key in the browser goes through the websocket, the server's process and xterm.js's
# parser and renderer on top of the app's own work; twice the terminal's is the limit set.
TARGET_KEY = 2.0
SECONDS = 60.0


def _environment() -> dict[str, str]:
    # As bench_app.py starts its apps: from bytecode cached outside the repository.
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


async def _until(page: Page, ready: object, started: float, poll: float) -> float:
    assert callable(ready)
    deadline = started + SECONDS
    while True:
        screen = await page.screen()
        now = time.perf_counter()
        if ready(screen):
            return now - started
        if now > deadline:
            raise TimeoutError(f"the page never got there; it showed:\n{screen}")
        await asyncio.sleep(poll)


async def _page_to_numbers(browser: Chromium, server: Server, poll: float) -> float:
    page = await browser.open(server.url, record=False)
    seconds = await _until(
        page, lambda s: all(t in s for t in FIRST_FRAME_TEXTS), page.opened_at, poll
    )
    await page.close()
    deadline = time.monotonic() + SECONDS
    while server.apps() and time.monotonic() < deadline:  # its app has ended
        await asyncio.sleep(0.05)
    return seconds


async def _page_figure(browser: Chromium, real: Server, baseline: Server, runs: int,
                       poll: float) -> Figure:  # fmt: skip
    times: dict[str, list[float]] = {"real": [], "minimal": []}
    for i in range(-1, runs):
        order = [("real", real), ("minimal", baseline)]
        for name, server in order if i % 2 else order[::-1]:
            seconds = await _page_to_numbers(browser, server, poll)
            if i >= 0:
                times[name].append(seconds)
    for name, values in times.items():
        print(f"page to numbers  {name}: {_ms(values)}")
    return Figure(
        "serve: page to the seed lecture's numbers, vs a minimal app served alike",
        statistics.median(times["real"]) * 1000,
        "ms",
        baseline=statistics.median(times["minimal"]) * 1000,
        target_ratio=TARGET_PAGE,
    )


def _ms(values: list[float]) -> str:
    return " ".join(f"{v * 1000:.0f}" for v in values)


async def _press(place: str, page: Page, tmux: Tmux, session: str, step: int, chart: bool,
                 poll: float) -> float:  # fmt: skip
    """Seconds from → to `step` on screen, in the page or in the tmux session."""
    if place == "browser":
        started = time.perf_counter()
        await page.press("Right")
        return await _until(page, at_step(step, chart), started, poll)
    started = tmux.send(session, "Right")
    return tmux.wait(session, at_step(step, chart), started, SECONDS, f"step {step}")


async def _key_figures(browser: Chromium, servers: dict[str, Server], workdir: Path,
                       presses: int, poll: float) -> list[Figure]:  # fmt: skip
    """→ in a page against the same app in tmux: the real app, and the minimal one (whose
    figure is the cost of the way through the browser for a screen that hardly changes)."""
    argv = {"real": real_argv(), "minimal": minimal_argv()}
    chart = {"real": True, "minimal": False}
    pages = {name: await browser.open(server.url, record=False) for name, server in servers.items()}
    tmux = Tmux(workdir, poll)
    keys: dict[tuple[str, str], list[float]] = {}
    try:
        tmux.open(list(servers))
        for name, page in pages.items():
            await _until(page, at_step(0, chart[name]), page.opened_at, poll)
            started = tmux.start(name, argv[name])
            tmux.wait(name, at_step(0, chart[name]), started, SECONDS, "the first frame")
            await page.focus()
        size = await pages["real"].evaluate(
            "window.__terminals.filter(t => t.buffer).map(t => t.cols + 'x' + t.rows)[0]"
        )
        await asyncio.sleep(0.5)
        places = [(name, place) for name in servers for place in ("browser", "terminal")]
        for k in range(1, presses + 1):
            for name, place in places[k % 4 :] + places[: k % 4]:  # who goes first rotates
                seconds = await _press(place, pages[name], tmux, name, k, chart[name], poll)
                keys.setdefault((name, place), []).append(seconds)
                await asyncio.sleep(0.05)
    finally:
        tmux.close()
    for page in pages.values():
        await page.close()
    for (name, place), values in sorted(keys.items()):
        print(f"key latency  {name} {place}: {_ms(values)}")
    figures = []
    for name in servers:
        browser_ms = [v * 1000 for v in keys[(name, "browser")]]
        terminal_ms = [v * 1000 for v in keys[(name, "terminal")]]
        what = "the seed lecture" if name == "real" else "minimal_app.py"
        figures.append(
            Figure(
                f"serve: → in the browser ({size} cells) vs tmux {COLUMNS}x{ROWS}, {what}",
                statistics.median(browser_ms),
                "ms",
                baseline=statistics.median(terminal_ms),
                target_ratio=TARGET_KEY if name == "real" else None,
                note=f"max {max(browser_ms):.0f} vs {max(terminal_ms):.0f} ms",
            )
        )
    return figures


async def _figures(executable: str, runs: int, presses: int, poll: float) -> list[Figure]:
    from chromium import Chromium

    env = _environment()
    minimal = [sys.executable, str(Path(__file__).resolve()), "--serve-minimal"]
    with (
        Server(env=env) as real,
        Server(command=minimal, env=env) as baseline,
        tempfile.TemporaryDirectory(prefix="logsgd-bench-") as tmp,
    ):
        async with Chromium(executable, *VIEWPORT) as browser:
            page_figure = await _page_figure(browser, real, baseline, runs, poll)
            servers = {"real": real, "minimal": baseline}
            key_figures = await _key_figures(browser, servers, Path(tmp), presses, poll)
    return [page_figure, *key_figures]


def serve_figures(runs: int = 7, presses: int = 30, poll: float = 0.002) -> list[Figure]:
    """The two figures; none (and a line saying why) without chromium, tmux or textual-serve."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = [
        what
        for what, there in (
            ("chromium", executable is not None),
            ("tmux", shutil.which("tmux") is not None),
            ("textual-serve", _has_textual_serve()),
            ("logsgd-tui", COMMAND.exists()),
        )
        if not there
    ]
    if missing:
        print(f"serve: skipped, not installed: {', '.join(missing)}")
        return []
    assert executable is not None
    return asyncio.run(_figures(executable, runs, presses, poll))


def _has_textual_serve() -> bool:
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        return False
    return True


def serve_minimal(port: int) -> int:
    """The baseline's server: tui/serve.py's, running minimal_app.py for each page."""
    from logsgd.tui.serve import make_server, quiet_logging, serve

    quiet_logging()
    command = "exec " + shlex.join([sys.executable, str(MINIMAL)])
    return asyncio.run(serve(make_server(command, 20), "127.0.0.1", port))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="pages opened per app")
    parser.add_argument("--presses", type=int, default=30, help="→ presses in each place")
    parser.add_argument("--poll", type=float, default=0.002, help="seconds between reads")
    parser.add_argument("--serve-minimal", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_minimal:
        sys.exit(serve_minimal(args.port))
    for figure in serve_figures(args.runs, args.presses, args.poll):
        print(figure.line())


if __name__ == "__main__":
    main()
