"""`logsgd-tui serve` without a browser: the command line, the page, the limit, the shutdown.

The server runs as the real command on a loopback port it picks itself (--port 0); a browser's
connection is played by aiohttp's websocket client, which starts an app process as a browser's
page does. tests/test_serve_browser.py drives the page itself in Chromium.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import textual_serve
from serve_harness import Server, alive, command_line
from textual_serve.app_service import AppService
from textual_serve.server import Server as StockServer

from logsgd.tui.cli import build_parser
from logsgd.tui.serve import (
    WRITTEN_AGAINST,
    app_argv,
    app_command,
    build_serve_parser,
    run_parser,
)

SEED_CSV = "x1,x2,y\n121,14.8,0\n114,15.2,0\n210,9.4,1\n198,8.1,1\n"
# The seed lecture's settings, for the seed data read from a CSV file.
SEED_SETTINGS = ("--lr", "0.01", "--batch-size", "2", "--init", "1e-8,-1e-8,1e-8")
# A file name a shell would take apart: spaces, both quotes, $, ;, a command substitution.
HOSTILE_NAME = 'it\'s "a" $HOME; touch PWNED $(touch PWNED2) `touch PWNED3` &.csv'
SECONDS = 30.0


def run_cli(*args: str, seconds: float = SECONDS) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "logsgd.tui", *args],
        capture_output=True,
        text=True,
        timeout=seconds,
        stdin=subprocess.DEVNULL,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert result.stderr.startswith("logsgd-tui: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


async def connect(url: str, until: bytes = b"step 0/0", **headers: str) -> tuple[Any, Any, bytes]:
    """A websocket to the server as its page opens one; waits until the app has drawn `until`."""
    session = aiohttp.ClientSession()
    websocket = await session.ws_connect(
        url.replace("http:", "ws:") + "ws?width=120&height=36", headers=headers
    )
    seen = b""
    deadline = time.monotonic() + SECONDS
    while until not in seen:
        message = await websocket.receive(timeout=max(0.1, deadline - time.monotonic()))
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data
        elif message.type != aiohttp.WSMsgType.TEXT:
            break
    return session, websocket, seen


async def disconnect(session: Any, websocket: Any) -> None:
    await websocket.close()
    await session.close()


def wait_until_ended(pids: list[int], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if alive(pid)], "app processes left running"


# ------------------------------------------------------------------------- the command line


def test_the_options_given_reach_the_app_as_given(tmp_path: Path) -> None:
    data = tmp_path / "-data.csv"  # a name that starts with a dash stays a path
    argv = [str(data), "--label", "y", "--features", "x1,x2", "--lr", "0.5", "--no-shuffle",
            "--init=-1,2,-3", "--standardize", "--seed", "7", "--batch-size", "3",
            "--l2", "0.1", "--momentum", "0.9", "--positive=-1"]  # fmt: skip
    args = build_serve_parser().parse_args(["--port", "9", "--max-sessions", "3", *argv])
    passed = app_argv(args)
    assert passed[-2:] == ["--", str(data)]
    assert not any(word.startswith(("--port", "--host", "--max")) for word in passed)
    again = build_parser().parse_args(passed)
    for action in run_parser()._actions:
        assert getattr(again, action.dest) == getattr(args, action.dest), action.dest


def test_a_scenario_reaches_the_app_a_file_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app_argv(build_serve_parser().parse_args(["--scenario", "seed"])) == ["--scenario=seed"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lecture.toml").write_text('[[stop]]\nstep = 2\nnote = "a"\n')
    passed = app_argv(build_serve_parser().parse_args(["--scenario", "lecture.toml"]))
    assert passed == [f"--scenario={tmp_path / 'lecture.toml'}"]
    assert build_parser().parse_args(passed).scenario == str(tmp_path / "lecture.toml")


def test_no_options_pass_nothing_on() -> None:
    assert app_argv(build_serve_parser().parse_args([])) == []


def test_the_command_line_is_one_shell_word_per_argument(tmp_path: Path) -> None:
    path = str(tmp_path / HOSTILE_NAME)
    command = app_command(["--lr=0.01", "--", path])
    assert command.startswith("exec ")
    assert shlex.split(command)[1:] == [sys.executable, "-m", "logsgd.tui", "--lr=0.01",
                                        "--", path]  # fmt: skip


def test_bad_input_is_one_line_and_status_2(tmp_path: Path) -> None:
    one_line_error(run_cli("serve", "--bogus"), "unrecognized arguments: --bogus")
    one_line_error(run_cli("serve", "--export", "text"), "--export")
    one_line_error(run_cli("serve", "--port", "70000"), "--port", "70000")
    one_line_error(run_cli("serve", "--port", "x"), "--port")
    one_line_error(run_cli("serve", "--max-sessions", "0"), "--max-sessions")
    one_line_error(run_cli("serve", "--host", "a b"), "--host", "'a b'")
    one_line_error(run_cli("serve", "--host", "999.1.1.1"), "--host")
    one_line_error(run_cli("serve", "--lr", "0"), "--lr: learning rate must be greater than 0")
    one_line_error(run_cli("serve", str(tmp_path / "missing.csv")), "missing.csv")
    # A scenario that cannot be played is refused before the server starts, as the app does.
    one_line_error(run_cli("serve", "--scenario", str(tmp_path / "none.toml")), "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[stop]]\nstep = 2\nnote = "a"\nquestion = "z9"\n')
    one_line_error(run_cli("serve", "--scenario", str(bad)), "question must be gJ")
    one_line_error(run_cli("serve", "--dataset", "nope"), "nope")


def test_a_host_not_of_this_machine_is_one_line_and_status_2() -> None:
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine. Binding to it
    # fails here, at once; nothing is sent anywhere.
    one_line_error(run_cli("serve", "--host", "192.0.2.1", "--port", "0"), "192.0.2.1",
                   "not an address of this machine")  # fmt: skip


def test_a_port_in_use_is_one_line_and_status_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        one_line_error(run_cli("serve", "--port", port), f"--port {port}", "in use")


def test_without_textual_serve_serve_says_how_to_install_it() -> None:
    code = "import sys; sys.modules['textual_serve'] = None; from logsgd.tui.cli import main; "
    code += "sys.exit(main(['serve']))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=SECONDS
    )
    one_line_error(result, "pip install 'logsgd-tui[serve]'")


def test_serve_help_names_its_options() -> None:
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    words = " ".join(result.stdout.split())  # argparse wraps lines anywhere
    for flag in ("--host", "--port", "--max-sessions", "--dataset", "--lr", "No login"):
        assert flag in words
    assert "--export" not in result.stdout


# ------------------------------------------------------------------------------ the server


def test_it_listens_on_loopback_by_default_and_says_where() -> None:
    with Server() as server:
        assert re.fullmatch(r"logsgd-tui: open http://127\.0\.0\.1:\d+/ \(Ctrl-C stops\)\n",
                            server.first_line)  # fmt: skip
        assert server.stop() == 0
    assert server.stderr == ""


def test_a_host_beyond_this_machine_is_warned_of_in_one_line() -> None:
    # Listens on every address for the moment it takes to read the warning; nothing connects.
    with Server(["--host", "0.0.0.0"]) as server:
        server.stop()
    (line,) = server.stderr.splitlines()
    assert line.startswith("logsgd-tui: warning: --host 0.0.0.0 ")
    assert "anyone who can reach port" in line and "gets an app process" in line


def test_the_page_loads_nothing_from_outside() -> None:
    with Server() as server:
        html = _get(server.url)[1]
    assert 'data-session-websocket-url="ws://127.0.0.1:' in html
    addresses = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)|url\(\s*["']?([^"')]*)""", html)
    assert addresses
    for address in ("".join(pair) for pair in addresses):
        assert address.startswith("/static/"), address
    assert not re.search(r"\b(?:https?|wss?):", html.replace("ws://127.0.0.1:", ""))


def test_a_data_path_a_shell_would_split_reaches_the_app_as_one_argument(tmp_path: Path) -> None:
    folder = tmp_path / "a $dir; with `spaces`"
    folder.mkdir()
    data = folder / HOSTILE_NAME
    data.write_text(SEED_CSV)
    with Server([str(data), *SEED_SETTINGS], cwd=tmp_path) as server:

        async def session() -> None:
            http, websocket, seen = await connect(server.url)
            assert b"0.6931" in seen
            (app,) = server.apps()
            assert command_line(app)[-2:] == ["--", str(data)]
            assert "--init=1e-8,-1e-8,1e-8" in command_line(app)
            await disconnect(http, websocket)

        asyncio.run(session())
    assert not list(tmp_path.glob("PWNED*")) and not list(Path.cwd().glob("PWNED*"))


def test_past_max_sessions_a_page_says_the_server_is_full_and_no_app_starts() -> None:
    with Server(["--max-sessions", "1"]) as server:

        async def session() -> None:
            first = await connect(server.url)
            (app,) = server.wait_for_apps(1)
            status, html = await fetch(server.url)
            assert status == 503 and "The server is full" in html and "--max-sessions 1" in html
            # A page loaded before the last place went: its websocket gets the same words.
            _, _, refused = await connect(server.url, until=b"server is full")
            assert b"The server is full" in refused
            time.sleep(0.5)
            assert server.apps() == [app]
            await disconnect(*first[:2])
            wait_until_ended([app])
            assert (await fetch(server.url))[0] == 200

        asyncio.run(session())


def test_another_host_name_or_origin_is_refused() -> None:
    # A loopback server answers only to loopback names (DNS rebinding), and its websocket
    # only to its own page (any site's script may open a websocket to 127.0.0.1).
    with Server() as server:
        assert _get(server.url, Host="attacker.example")[0] == 403
        assert _get(server.url, Host="localhost")[0] == 200

        async def session() -> None:
            async with aiohttp.ClientSession() as http:
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(
                        server.url.replace("http:", "ws:") + "ws",
                        headers={"Origin": "http://attacker.example"},
                    )
                assert refused.value.status == 403

        asyncio.run(session())
        assert server.apps() == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_ends_the_server_and_every_app(signum: int) -> None:
    with Server() as server:

        async def sessions() -> list[int]:
            opened = [await connect(server.url) for _ in range(2)]
            apps = server.wait_for_apps(2)
            assert server.stop(signum) == 0
            for http, websocket, _ in opened:
                await disconnect(http, websocket)
            return apps

        apps = asyncio.run(sessions())
    assert not [pid for pid in apps if alive(pid)], "app processes left running"
    assert "Traceback" not in server.stderr
    assert server.stderr == ""


# ------------------------------------------------------------------ textual-serve's internals


def test_textual_serve_is_the_version_serve_was_written_against() -> None:
    # tui/serve.py overrides private methods; a new textual-serve may have moved them.
    installed = version("textual-serve")
    assert installed.split(".")[:2] == WRITTEN_AGAINST.split(".")[:2], (
        f"textual-serve {installed}: tui/serve.py was written against {WRITTEN_AGAINST}"
    )
    source = inspect.getsource(AppService._open_app_process)
    assert "create_subprocess_shell" in source and "self._stdin" in source
    for name in ("_build_environment", "stop", "start", "run"):
        assert callable(getattr(AppService, name))
    for name in ("_make_app", "_process_messages"):
        assert callable(getattr(StockServer, name))
    parameters = inspect.signature(StockServer.__init__).parameters
    assert {"command", "title", "templates_path", "statics_path"} <= set(parameters)


def test_our_page_gives_textual_js_what_the_stock_page_does() -> None:
    stock = (Path(textual_serve.__file__).parent / "templates" / "app_index.html").read_text()
    ours = files("logsgd.tui").joinpath("serve_templates", "app_index.html").read_text()
    for needed in ('class="textual-terminal"', "data-session-websocket-url=", "data-font-size=",
                   "-first-byte", "-closed", "js/textual.js", "css/xterm.css"):  # fmt: skip
        assert needed in stock and needed in ours, needed
    assert "fonts.googleapis.com" in stock  # what ours is for; if it goes, so may ours
    static = Path(textual_serve.__file__).parent / "static" / "fonts"
    for font in re.findall(r"fonts/([\w-]+\.ttf)", ours):
        assert (static / font).is_file(), font


async def fetch(url: str, **headers: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as answer:
        return answer.status, await answer.text()


def _get(url: str, **headers: str) -> tuple[int, str]:
    return asyncio.run(fetch(url, **headers))
