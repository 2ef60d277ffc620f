"""`logsgd-tui serve` in a real browser: headless Chromium, offline but for 127.0.0.1.

The page is opened as a student opens it, the seed lecture is read from xterm.js's buffer,
→ is pressed as a key, and the step-1 numbers are read back; closing the page must end its
app process. Chromium is driven over the DevTools protocol (tests/chromium.py); every request
the page makes is recorded and must be to the server. CI installs Debian's chromium; without
it these tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest
from chromium import Chromium, find_chromium
from serve_harness import Server, alive

CHROMIUM = find_chromium()
if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("chromium is not installed; .ci/run installs it")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

STEP0 = ("step 0/0", "0.6931")
STEP1 = ("step 1/1", "-0.5875", "4.394e-32")
SECONDS = 60.0  # a first page on a loaded two-core machine: start-up of Chromium and the app


def wait_until_ended(pids: list[int], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if alive(pid)], "app processes left running"


def test_the_seed_lecture_steps_in_the_browser_and_its_app_ends_with_the_page() -> None:
    assert CHROMIUM is not None
    with Server() as server:

        async def lecture() -> None:
            async with Chromium(CHROMIUM) as browser:
                page = await browser.open(server.url)
                screen, _ = await page.wait_for(STEP0, SECONDS)
                assert "Dataset (4 rows)" in screen
                (app,) = server.wait_for_apps(1)
                await page.press("Right")
                screen, _ = await page.wait_for(STEP1, SECONDS)
                assert "w0 <- w0 - lr * g0 = 1.000e-08 - 0.01 * 58.75 = -0.5875" in screen
                # Everything the page asked for came from the server, and nothing else could
                # have: this browser resolves no name, not even localhost, which the server
                # answers to (so the check stays on this machine).
                origin = server.url.rstrip("/").split("//")[1]
                assert page.requests
                for url in page.requests:
                    assert url.split("//")[1].startswith(origin + "/"), url
                by_name = server.url.replace("127.0.0.1", "localhost")
                outside = await page.evaluate(
                    f"fetch({by_name!r}, {{mode: 'no-cors'}})"
                    ".then(() => 'reached', () => 'unreachable')"
                )
                assert outside == "unreachable"
                await page.close()
                wait_until_ended([app])

        asyncio.run(lecture())
        assert server.apps() == []


def test_two_pages_have_a_run_each() -> None:
    assert CHROMIUM is not None
    with Server() as server:

        async def two_pages() -> list[int]:
            async with Chromium(CHROMIUM) as browser:
                first = await browser.open(server.url)
                second = await browser.open(server.url)
                for page in (first, second):
                    await page.wait_for(STEP0, SECONDS)
                apps = server.wait_for_apps(2)
                await first.press("Right")
                await first.wait_for(STEP1, SECONDS)
                await asyncio.sleep(0.5)  # time for a stray step to show, were there one
                assert "step 0/0" in await second.screen()
                for _ in range(2):
                    await second.press("Right")
                await second.wait_for(("step 2/2",), SECONDS)
                assert "step 1/1" in await first.screen()
                for page in (first, second):
                    await page.close()
                return apps

        apps = asyncio.run(two_pages())
        wait_until_ended(apps)
        assert len(set(apps)) == 2
