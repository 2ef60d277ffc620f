"""Headless Chromium driven over the DevTools protocol, for `logsgd-tui serve`'s browser tests.

No browser driver and no download: Debian's `chromium` is started with
`--remote-debugging-port=0`, and the protocol's JSON messages go over aiohttp's websocket
client (aiohttp comes with textual-serve). The browser may reach 127.0.0.1 and nothing else:
every name but 127.0.0.1 resolves to nothing and every other address goes to a proxy that is
not there, so a page that needed the internet would not render.

The app's screen is read from xterm.js's own buffer. textual.js keeps its terminal in a local
variable; a script run before any of the page's (`TERMINAL_HOOK`) catches the object when
textual.js stores it as `this.terminal`, and `screen_text` reads its lines.

Also used by screenshots/make_screenshots.py and benchmarks/bench_serve.py.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_NAMES = ("chromium", "chromium-browser")
START_SECONDS = 30.0
# The proxy for every non-loopback address: the discard port on this machine, where nothing
# listens; names other than 127.0.0.1 do not resolve at all.
OFFLINE_FLAGS = (
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
QUIET_FLAGS = (
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--password-store=basic",
    "--use-mock-keychain",
)

TERMINAL_HOOK = """
window.__terminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
    if (value && typeof value === "object") window.__terminals.push(value);
  },
});
"""
SCREEN_TEXT = """
(() => {
  const terminal = window.__terminals.find((t) => t && t.buffer && t.buffer.active);
  if (!terminal) return null;
  const buffer = terminal.buffer.active, lines = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""
KEYS = {
    "Right": {"key": "ArrowRight", "code": "ArrowRight", "windowsVirtualKeyCode": 39},
    "Left": {"key": "ArrowLeft", "code": "ArrowLeft", "windowsVirtualKeyCode": 37},
}


class BrowserError(RuntimeError):
    """Chromium did not start, refused a command, or never showed what was waited for."""


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """One headless Chromium, its own profile, offline but for 127.0.0.1."""

    def __init__(self, executable: str, width: int = 1280, height: int = 800) -> None:
        self.executable = executable
        self.width, self.height = width, height
        self.profile = Path(tempfile.mkdtemp(prefix="logsgd-chromium-"))
        self.process: subprocess.Popen[bytes] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Chromium:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.executable,
                "--headless",
                "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
                "--disable-gpu",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={self.width},{self.height}",
                *OFFLINE_FLAGS,
                *QUIET_FLAGS,
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        active_port = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_SECONDS
        while not (active_port.exists() and len(active_port.read_text().splitlines()) >= 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise BrowserError(f"{self.executable} did not start its DevTools endpoint")
            await asyncio.sleep(0.05)
        port, path = active_port.read_text().splitlines()[:2]
        self._session = aiohttp.ClientSession()
        self._socket = await self._session.ws_connect(
            f"ws://127.0.0.1:{port}{path}", max_msg_size=0
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._socket is not None
        async for message in self._socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            answer = self._answers.pop(data.get("id", -1), None)
            if answer is not None and not answer.done():
                answer.set_result(data)
            elif "method" in data:
                for listener in list(self._listeners):
                    listener(data)

    async def send(
        self, method: str, session: str | None = None, timeout: float = 30.0, **params: Any
    ) -> dict[str, Any]:
        assert self._socket is not None
        number = next(self._ids)
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[number] = answer
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        await self._socket.send_str(json.dumps(message))
        data = await asyncio.wait_for(answer, timeout)
        if "error" in data:
            raise BrowserError(f"{method}: {data['error']}")
        result: dict[str, Any] = data.get("result", {})
        return result

    async def open(self, url: str, record: bool = True) -> Page:
        """A new tab at url, its terminal hooked, and with `record` every request it makes
        recorded (the protocol then sends every websocket frame too: a benchmark leaves it)."""
        target = (await self.send("Target.createTarget", url="about:blank"))["targetId"]
        session = (await self.send("Target.attachToTarget", targetId=target, flatten=True))[
            "sessionId"
        ]
        page = Page(self, target, session)
        self._listeners.append(page.on_event)
        await self.send("Page.enable", session)
        if record:
            await self.send("Network.enable", session)
        await self.send("Page.addScriptToEvaluateOnNewDocument", session, source=TERMINAL_HOOK)
        # Each tab keys as the focused one, so two tabs can be typed into at once.
        await self.send("Emulation.setFocusEmulationEnabled", session, enabled=True)
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        page.opened_at = time.perf_counter()
        await self.send("Page.navigate", session, url=url)
        return page

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._socket is not None:
            await self._socket.close()
        if self._session is not None:
            await self._session.close()
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab: evaluate its JavaScript, read its terminal, press keys, close it."""

    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session
        self.requests: list[str] = []  # every URL the page asked for, websockets included
        self.opened_at = 0.0
        self.focused = False

    def on_event(self, event: dict[str, Any]) -> None:
        if event.get("sessionId") != self.session:
            return
        params = event.get("params", {})
        if event["method"] == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif event["method"] == "Network.webSocketCreated":
            self.requests.append(params["url"])

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise's, once settled)."""
        result = await self.browser.send(
            "Runtime.evaluate",
            self.session,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def screen(self) -> str:
        """The terminal's visible lines as text ("" before the terminal exists)."""
        return await self.evaluate(SCREEN_TEXT) or ""

    async def wait_for(
        self, texts: Iterable[str], seconds: float = 30.0, poll: float = 0.01
    ) -> tuple[str, float]:
        """Until every text is on the terminal: (the screen, seconds since the page opened)."""
        wanted = list(texts)
        deadline = time.perf_counter() + seconds
        screen = ""
        while time.perf_counter() < deadline:
            screen = await self.screen()
            if all(text in screen for text in wanted):
                return screen, time.perf_counter() - self.opened_at
            await asyncio.sleep(poll)
        raise BrowserError(f"never showed {wanted} in {seconds:g} s; the screen:\n{screen}")

    async def focus(self) -> None:
        """Give the terminal the keyboard, as a click into it would."""
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        self.focused = True

    async def press(self, name: str) -> None:
        if not self.focused:
            await self.focus()
        key = KEYS[name]
        for kind in ("rawKeyDown", "keyUp"):
            await self.browser.send(
                "Input.dispatchKeyEvent", self.session, type=kind, **key, nativeVirtualKeyCode=0
            )

    async def screenshot(self, path: Path) -> Path:
        data = (await self.browser.send("Page.captureScreenshot", self.session, format="png"))[
            "data"
        ]
        path.write_bytes(base64.b64decode(data))
        return path

    async def close(self) -> None:
        self.browser._listeners.remove(self.on_event)
        await self.browser.send("Target.closeTarget", targetId=self.target)
