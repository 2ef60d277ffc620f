"""`logsgd-tui serve`: the app in a browser, one app process per connection, by textual-serve.

textual-serve's Server starts an app per websocket by running a command line through a shell;
this module builds that line from the options given (each one shell-quoted, behind `exec`, so
the app is the server's own child), serves its own page (nothing loaded from outside: a lecture
hall may have no internet), limits the app processes (--max-sessions), and on Ctrl-C or SIGTERM
ends every one it started before it exits.

It relies on textual-serve's internals (Server._make_app, Server._process_messages,
AppService._open_app_process and its _process and _task): the pin in pyproject.toml and
tests/test_serve.py hold them (a failure names WRITTEN_AGAINST).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import ipaddress
import logging
import os
import re
import shlex
import signal
import socket
import sys
from collections.abc import Sequence
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from logsgd.core.scenario import is_builtin
from logsgd.core.text import visible
from logsgd.tui.cli import (
    PROG,
    UsageError,
    _Parser,
    add_run_options,
    add_scenario_option,
    with_scenario,
)

if TYPE_CHECKING:
    from asyncio.subprocess import Process

    from aiohttp import web

WRITTEN_AGAINST = "1.1.3"
INSTALL_HINT = (
    f"`{PROG} serve` needs textual-serve, which is not installed: "
    "pip install 'logsgd-tui[serve]' (in a checkout: pip install '.[serve]')"
)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 20
# After the quit message an app has this long to end by itself, then SIGTERM this long, then
# SIGKILL: the Ctrl-C of a lecturer in a hurry still ends in a second or two.
QUIT_SECONDS = 2.0
TERMINATE_SECONDS = 2.0
TEMPLATES = "serve_templates"
TITLE = PROG
# A host name as DNS spells one (RFC 1123 labels); anything else is refused before a lookup.
_HOST_NAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?")  # fmt: skip
# What a refused connection's terminal says (the page's websocket came after the limit).
FULL_TEXT = (
    "\r\n  The server is full: {limit} app sessions are open (--max-sessions {limit}).\r\n"
    "  Close one, or try again later.\r\n"
)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return int(text)


def _host(text: str) -> str:
    try:
        ipaddress.ip_address(text.strip("[]"))
        return text.strip("[]")
    except ValueError:
        pass
    if not _HOST_NAME.fullmatch(text) or text.replace(".", "").isdigit():
        raise argparse.ArgumentTypeError(f"not an IP address or host name: {text!r}")
    return text


def _sessions(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def run_parser() -> argparse.ArgumentParser:
    """The options every app process is started with: those of a run, and no others."""
    parser = _Parser(prog=PROG, add_help=False)
    add_run_options(parser)
    add_scenario_option(parser)
    return parser


def build_serve_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"{PROG} serve",
        description=(
            "Serve the app to a browser: every connection runs its own "
            f"`{PROG}` with these options. No login: anyone who can reach the port gets an "
            "app process, so it listens on this machine only unless --host says otherwise."
        ),
    )
    parser.add_argument(
        "--host",
        type=_host,
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}, this machine only; 0.0.0.0: all)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0: any free one)",
    )
    parser.add_argument(
        "--max-sessions",
        type=_sessions,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"app processes at most at once (default {DEFAULT_MAX_SESSIONS}); past it a new "
        "page says the server is full",
    )
    add_run_options(parser)
    add_scenario_option(parser)
    return parser


def app_argv(args: argparse.Namespace) -> list[str]:
    """The options of a run as given, for `logsgd-tui` itself: each one token, `--flag=value`.

    `--flag=value` keeps a value that starts with a dash (`--init=-1,2,3`) a value; the data
    file comes last, made absolute, after `--`, so a name that starts with a dash stays a path.
    """
    argv: list[str] = []
    data: str | None = None
    for action in run_parser()._actions:
        value = getattr(args, action.dest)
        if value == action.default:
            continue
        if not action.option_strings:
            data = os.path.abspath(value)
        elif action.dest == "scenario":  # a file, made absolute; a built-in by its name
            path = value if is_builtin(value) else os.path.abspath(value)
            argv.append(f"{action.option_strings[0]}={path}")
        elif isinstance(action, argparse.BooleanOptionalAction):
            flag = action.option_strings[0]
            argv.append(flag if value else flag.replace("--", "--no-", 1))
        elif action.nargs == 0:  # store_true
            argv.append(action.option_strings[0])
        else:
            argv.append(f"{action.option_strings[0]}={value}")
    return argv if data is None else [*argv, "--", data]


def app_command(argv: Sequence[str]) -> str:
    """The shell command line textual-serve runs per connection: this Python, this app, argv.

    Every word is shell-quoted, so a path with spaces, quotes, `$` or `;` is one argument and
    nothing else runs; `exec` makes the app the server's child, not a shell's.
    """
    words = [sys.executable, "-m", "logsgd.tui", *argv]
    return "exec " + " ".join(shlex.quote(word) for word in words)


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def page_url(host: str, port: int) -> str:
    """The address to open: the host as given, or this machine's name for every address."""
    if host in ("0.0.0.0", "::"):
        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


class OneLine(logging.Formatter):
    """textual-serve's and aiohttp's log records as one line each: never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        message = visible(record.getMessage()).strip()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message = f"{message}: {type(error).__name__}: {visible(str(error))}"
        return f"{PROG} serve: {message}"


def quiet_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLine())
    for name in ("textual-serve", "aiohttp"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.WARNING)
        logger.propagate = False


async def end_process(process: Process) -> None:
    """End an app process that did not end by itself: SIGTERM, then SIGKILL; then reap it.

    The signals go by os.kill, not Process.terminate: that polls the process first, which
    reaps one that has just ended behind the back of asyncio's child watcher (it then warns
    of an unknown child and reports status 255).
    """
    for signum in (signal.SIGTERM, signal.SIGKILL):
        if process.returncode is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signum)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), TERMINATE_SECONDS)
    await process.wait()


def make_server(command: str, max_sessions: int) -> Any:
    """A textual-serve Server for `command`; imported here, so the rest runs without it."""
    import aiohttp_jinja2
    import jinja2
    from aiohttp import WSCloseCode, web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    class Sessions:
        """The app sessions open now: their websockets and processes, at most `limit`."""

        def __init__(self, limit: int) -> None:
            self.limit = limit
            self.open = 0  # counted from the websocket's arrival until its process is reaped
            self.websockets: set[web.WebSocketResponse] = set()
            self.processes: set[Process] = set()
            self.stopping = False

        @property
        def full(self) -> bool:
            return self.stopping or self.open >= self.limit

    class ServedApp(AppService):
        """One connection's app: its own session (Ctrl-C in the server's terminal reaches the
        server alone, which ends the apps itself), and counted until it has ended."""

        def __init__(self, sessions: Sessions, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.sessions = sessions

        async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
            environment = self._build_environment(width=width, height=height)
            self._process = process = await asyncio.create_subprocess_shell(
                self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment,
                start_new_session=True,
            )
            self.sessions.processes.add(process)
            assert process.stdin is not None
            self._stdin = process.stdin
            return process

        async def end(self) -> None:
            """Ask the app to quit; end it if it does not; reap it."""
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(self.stop(), QUIT_SECONDS)
            process = self._process
            if process is not None:
                await end_process(process)
                self.sessions.processes.discard(process)
            if self._task is not None:  # its reader ends at the end of the app's output
                await asyncio.wait_for(self._task, TERMINATE_SECONDS)
                self._task = None

    class LogsgdServer(Server):
        def __init__(self) -> None:
            templates = files("logsgd.tui").joinpath(TEMPLATES)
            super().__init__(command, title=TITLE, templates_path=str(templates))
            self.sessions = Sessions(max_sessions)
            self.loopback_only = True

        async def _make_app(self) -> web.Application:
            # The stock app's routes less /download (the app delivers no files), and an index
            # of our own: relative addresses, and the page that says the server is full.
            app = web.Application()
            aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
            app.add_routes(
                [
                    web.get("/", self.handle_page, name="index"),
                    web.get("/ws", self.handle_websocket, name="websocket"),
                    web.static("/static", self.statics_path, name="static"),
                ]
            )
            return app

        def allowed(self, request: web.Request) -> bool:
            """A loopback server answers to loopback names only (a web page elsewhere could
            otherwise reach it by a DNS name that rebinds to 127.0.0.1), and a websocket only
            to its own page (a browser lets any site open a websocket anywhere)."""
            host = request.url.host or ""  # from the Host header; an IPv6 one unbracketed
            if self.loopback_only and not (host == "localhost" or is_loopback(host)):
                return False
            origin = request.headers.get("Origin")
            return origin is None or origin == f"{request.scheme}://{request.host}"

        async def handle_page(self, request: web.Request) -> web.StreamResponse:
            if not self.allowed(request):
                raise web.HTTPForbidden(text="not this server's address\n")
            context = {"limit": self.sessions.limit, "title": TITLE}
            if self.sessions.full:
                return aiohttp_jinja2.render_template("full.html", request, context, status=503)
            scheme = "wss" if request.secure else "ws"
            context |= {
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
                "static_url": "/static/",
                "websocket_url": f"{scheme}://{request.host}/ws",
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            if not self.allowed(request):
                raise web.HTTPForbidden(text="not this server's page\n")
            websocket = web.WebSocketResponse(heartbeat=15)
            sessions = self.sessions
            if sessions.full:  # its page came before the last place was taken
                await websocket.prepare(request)
                await websocket.send_bytes(FULL_TEXT.format(limit=sessions.limit).encode())
                await websocket.close()
                return websocket
            sessions.open += 1  # before any await: two connections cannot take one place
            service: ServedApp | None = None
            try:
                await websocket.prepare(request)
                sessions.websockets.add(websocket)
                service = ServedApp(
                    sessions,
                    self.command,
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=websocket.close,
                    download_manager=self.download_manager,
                )
                width = to_int(request.query.get("width", "80"), 80)
                height = to_int(request.query.get("height", "24"), 24)
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except Exception as error:  # noqa: BLE001 - one browser's trouble ends its session only
                logging.getLogger("textual-serve").warning(
                    "a session ended: %s: %s", type(error).__name__, error
                )
            finally:
                try:
                    if service is not None:
                        await service.end()
                finally:
                    sessions.websockets.discard(websocket)
                    sessions.open -= 1
            return websocket

        async def close_all(self) -> None:
            """Stop taking sessions; close every page's websocket, end and reap every app."""
            sessions = self.sessions
            sessions.stopping = True
            for websocket in list(sessions.websockets):
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
            deadline = asyncio.get_running_loop().time() + QUIT_SECONDS + TERMINATE_SECONDS + 1
            while sessions.open and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            for process in list(sessions.processes):  # any a stuck handler left behind
                await end_process(process)

    return LogsgdServer()


def _bind_error(error: OSError, host: str, port: int) -> UsageError:
    if isinstance(error, socket.gaierror):
        return UsageError(f"--host {host!r}: no such host ({error.strerror})")
    reasons = {
        errno.EADDRINUSE: f"--port {port}: in use by another program (try another, or 0: any)",
        errno.EACCES: f"--port {port}: not allowed for this user (ports below 1024 need root)",
        errno.EADDRNOTAVAIL: f"--host {host!r}: not an address of this machine",
    }
    return UsageError(reasons.get(error.errno or 0, f"--host {host!r} --port {port}: {error}"))


async def serve(server: Any, host: str, port: int) -> int:
    """Listen, say where, and serve until SIGINT or SIGTERM; then end every app and return."""
    from aiohttp import web

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(await server._make_app(), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port, shutdown_timeout=1.0).start()
        except OSError as error:
            raise _bind_error(error, host, port) from None
        bound = [address[:2] for address in runner.addresses]
        server.loopback_only = all(is_loopback(address) for address, _ in bound)
        actual_port = bound[0][1]
        if not server.loopback_only:
            print(
                f"{PROG}: warning: --host {host} is reachable from other machines, and there "
                f"is no login: anyone who can reach port {actual_port} gets an app process",
                file=sys.stderr,
                flush=True,
            )
        print(f"{PROG}: open {page_url(host, actual_port)} (Ctrl-C stops)", flush=True)
        await stop.wait()
        await server.close_all()
    finally:
        await runner.cleanup()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    print(f"{PROG}: stopped", flush=True)
    return 0


def run_serve(argv: Sequence[str]) -> int:
    """`logsgd-tui serve ...`: check everything the apps would refuse, then serve them."""
    args = build_serve_parser().parse_args(argv)
    try:
        import textual_serve  # noqa: F401 - only to say how to install it
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    with_scenario(args)  # a bad file, setting or scenario fails here, not in every browser
    command = app_command(app_argv(args))
    quiet_logging()
    server = make_server(command, args.max_sessions)
    return asyncio.run(serve(server, args.host, args.port))
