"""``digest serve``: build the site into a private folder, serve it, rebuild on change.

The only module that imports :mod:`livereload`.  We use its browser side (the
vendored ``livereload.js`` and the LiveReload websocket protocol, via
:class:`livereload.handlers.LiveReloadHandler`) but not ``livereload.Server``,
whose loop has the failure modes a preview must not have: it drops changes
made within 3 s of the previous reload, runs the build on the I/O thread (so
nothing is served while building), reloads browsers on a timer rather than
when the build is done, and serves files from a root without a base path.

Here instead:

* a watcher thread polls ``site.yaml``, ``content/``, ``templates/``,
  ``themes/`` and ``static/`` and waits for a quiet period (debounce) so a
  burst of changes (an editor's save, ``git checkout``) gives ONE rebuild;
* every rebuild re-reads ``site.yaml`` and writes into the preview folder (see
  :func:`preview_folder`: in the cache folder, kept for the next preview)
  (never ``public/``); browsers reload only after it finished;
* a failed rebuild keeps the last good site for assets and serves an error
  page (every problem as ``file:line: message``) in place of every HTML page;
  the error page live-reloads too, so fixing the file brings the site back;
* the site is served under the path of ``base_url`` (``/repo/`` for
  ``https://user.github.io/repo/``), exactly as deployed; ``/`` redirects there;
* nothing outside the built site is served (no ``..``, encoded or not, no
  symlinks, no dotfiles); missing paths (and names too long for the file
  system) get the site's ``404.html``, status 404;
* only requests for the names the server was bound for are answered
  (``127.0.0.1``, ``localhost``, ``[::1]`` and ``--host``; see :class:`Hosts`):
  any other ``Host`` gets 403, so a page on another site cannot read the
  preview through DNS rebinding, and the websocket refuses a foreign ``Origin``;
* SIGTERM and SIGINT stop the server (and remove its temporary folder, when it had to
  take one).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import ipaddress
import itertools
import mimetypes
import os
import secrets
import shutil
import socket
import stat
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import livereload
from livereload.handlers import LiveReloadHandler
from tornado import httpserver, iostream, netutil, web

from digest.build import BuildOptions, Session, build
from digest.config import CONFIG_NAME, Config, load_config
from digest.errors import BuildError, DigestError, Problem
from digest.publish import PREVIEW, PREVIEW_LOCK, try_hold
from digest.watch import DEBOUNCE, Watcher, stop_on_sigterm, watch_paths

CHUNK = 64 * 1024
BUILD_PATH = "/__digest__/build"  # the current build id, for a page checking it is current
ALL_INTERFACES = ("0.0.0.0", "::", "", "*")

# ---------------------------------------------------------------- build state


@dataclass(frozen=True)
class State:
    """What is being served: the last good site and, if the last build failed, why."""

    build_id: str
    root: Path | None  # the last good build, None before the first success
    base_path: str  # "/" or "/repo/"
    problems: tuple[str, ...] = ()  # the last build's errors; empty when it succeeded
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.problems)


class SiteBuilder:
    """Builds the site (re-reading site.yaml every time) into a private folder."""

    def __init__(
        self,
        config_path: Path,
        output: Path,
        base_url: str | None = None,
        drafts: bool = False,
    ) -> None:
        self.config_path = config_path
        self.output = output
        self.base_url = base_url
        self.drafts = drafts
        self._ids = itertools.count(1)
        self._nonce = secrets.token_hex(4)
        self.state = State(self._next_id(), None, "/", ("not built yet",))
        self.root = config_path.resolve().parent
        self.watch_paths: tuple[Path, ...] = self._default_watch_paths(None)
        self.session = Session()  # what each build keeps for the next (see digest.build)

    def _next_id(self) -> str:
        return f"{self._nonce}-{next(self._ids)}"

    def _default_watch_paths(self, config: Config | None) -> tuple[Path, ...]:
        return watch_paths(self.config_path, config.content.dir if config is not None else None)

    def rebuild(self, jobs: int | None = None) -> State:
        """Build now; ``jobs=1`` keeps the build in this process (no fork from a
        thread of a multi-threaded server)."""
        start = time.perf_counter()
        old = self.state
        config: Config | None = None
        problems: list[str] = []
        try:
            config = load_config(self.config_path, base_url=self.base_url, drafts=self.drafts)
            # (the session remembers; the output is the preview's own, see preview_folder)
            options = BuildOptions(output=self.output, jobs=jobs, private=True)
            build(config, options, session=self.session)
        except BuildError as exc:
            problems = [
                f"{'warning' if p.warning else 'error'}: {p}" for p in _errors_first(exc.problems)
            ]
        except DigestError as exc:
            problems = [f"error: {exc.problem}"]
        except Exception:  # a bug in digest: show it, keep serving
            problems = ["internal error (please report):", traceback.format_exc()]
        seconds = time.perf_counter() - start
        if config is not None:
            self.watch_paths = self._default_watch_paths(config)
        base_path = config.site.base_path if config is not None else old.base_path
        root = old.root if problems else self.output
        self.state = State(self._next_id(), root, base_path, tuple(problems), seconds)
        return self.state


def _errors_first(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.warning)


# ---------------------------------------------------------------- allowed host names

LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")


def host_name(netloc: str) -> str:
    """The name part of a ``Host`` header or URL netloc, lower case: ``"[::1]:8000"``
    -> ``"::1"``, ``"LocalHost:80"`` -> ``"localhost"``; ``""`` when malformed."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        end = netloc.find("]")
        rest = netloc[end + 1 :]
        if end < 0 or (rest and not rest[1:].isdigit()) or (rest and rest[0] != ":"):
            return ""
        return netloc[1:end]
    name, _, port = netloc.partition(":")
    if port and not port.isdigit():
        return ""
    return name.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Hosts:
    """The host names the preview answers for, with or without a port.

    Always ``127.0.0.1``, ``localhost`` and ``::1``, plus the ``--host`` given.
    Bound to all interfaces (``--host 0.0.0.0``), also the machine's own name and
    any IP address: an address typed in a browser cannot be rebound by DNS.  Any
    other name is what a DNS-rebinding page sends, and is refused.
    """

    def __init__(self, bound: str) -> None:
        names = set(LOCAL_NAMES)
        self.any_ip = bound in ALL_INTERFACES
        if self.any_ip:
            hostname = socket.gethostname().lower()
            names |= {hostname, hostname.split(".")[0] + ".local"}
        elif bound:
            names.add(host_name(bound) if bound.startswith("[") else bound.lower().rstrip("."))
        self.names = frozenset(n for n in names if n)

    def allows(self, netloc: str) -> bool:
        name = host_name(netloc)
        return bool(name) and (name in self.names or (self.any_ip and _is_ip(name)))

    def shown(self) -> str:
        return ", ".join(f"[{n}]" if ":" in n else n for n in sorted(self.names))


class HostRefused(web.RequestHandler):
    """The answer to a request whose Host is not one the preview was bound for."""

    def initialize(self, hosts: Hosts) -> None:
        self.hosts = hosts

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.clear_header("Server")
        self.finish(
            f"403 forbidden: this digest preview answers only for {self.hosts.shown()}, "
            f"not {self.request.host[:100]!r}\n"
        )


class _App(web.Application):
    """Routes requests for an allowed Host; refuses every other one."""

    def __init__(self, handlers: list, hosts: Hosts, **settings: Any) -> None:
        super().__init__(handlers, **settings)
        self.hosts = hosts

    def find_handler(self, request: Any, **kwargs: Any) -> Any:
        if not self.hosts.allows(request.headers.get("Host") or request.host or ""):
            return self.get_handler_delegate(request, HostRefused, {"hosts": self.hosts})
        return super().find_handler(request, **kwargs)


# ---------------------------------------------------------------- HTTP


_SNIPPET = """<script>(function(){{var b={build_id};\
document.addEventListener("LiveReloadConnect",function(){{\
fetch("{build_path}",{{cache:"no-store"}}).then(function(r){{return r.text()}})\
.then(function(t){{if(t&&t!==b)location.reload()}}).catch(function(){{}})}});\
var s=document.createElement("script");\
s.src="/livereload.js?host="+location.hostname+"&port="+\
(location.port||(location.protocol=="https:"?443:80));\
document.head.appendChild(s)}})();</script>"""


def live_snippet(build_id: str) -> str:
    """The script added to every HTML page: load livereload.js; if a rebuild
    finished before the websocket connected, reload at once."""
    return _SNIPPET.format(build_id=_js_string(build_id), build_path=BUILD_PATH)


def _js_string(s: str) -> str:
    import json

    return json.dumps(s).replace("<", "\\u003c")


def inject(page: bytes, snippet: str) -> bytes:
    """Add the live-reload snippet before </head> (or at the end)."""
    data = snippet.encode("utf-8")
    lower = page.lower()
    for tag in (b"</head>", b"</body>"):
        i = lower.find(tag)
        if i >= 0:
            return page[:i] + data + page[i:]
    return page + data


def error_page(state: State) -> bytes:
    """The page shown in place of every HTML page while the build is broken."""
    items = "\n".join(f"<li><pre>{html.escape(p)}</pre></li>" for p in state.problems)
    last_good = (
        "The last good build is kept for assets; pages come back as soon as the build succeeds."
        if state.root is not None
        else "Nothing has been built yet."
    )
    text = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · digest serve</title>
<style>
:root {{ color-scheme: light dark; --fg: #222; --bg: #fff; --err: #b00020; --box: #fff4f4; }}
@media (prefers-color-scheme: dark) {{
  :root {{ --fg: #e8eaed; --bg: #15171a; --err: #ff8a80; --box: #2a1a1c; }}
}}
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
       padding: 0 1rem; color: var(--fg); background: var(--bg); }}
h1 {{ color: var(--err); }}
ul {{ padding: 0; list-style: none; }}
pre {{ background: var(--box); border-left: 4px solid var(--err); padding: .75rem 1rem;
       white-space: pre-wrap; overflow-wrap: anywhere; margin: .5rem 0; color: var(--fg); }}
</style>
</head>
<body>
<main>
<h1>Build failed</h1>
<p>digest could not build the site. Fix the problem below and save: this page reloads
by itself. {last_good}</p>
<ul class="digest-build-errors">
{items}
</ul>
</main>
</body>
</html>
"""
    return text.encode("utf-8")


class Preview:
    """Ties the builder, the watcher and the browsers together."""

    def __init__(self, builder: SiteBuilder, log: Callable[[str], None] | None = None) -> None:
        self.builder = builder
        self.waiters: set[LiveReloadHandler] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.log = log or _print
        self.rebuilds = 0

    @property
    def state(self) -> State:
        return self.builder.state

    def rebuild(self, changes: int = 0, jobs: int | None = 1) -> State:
        state = self.builder.rebuild(jobs)
        self.rebuilds += 1
        what = f" ({changes} file{'s' if changes != 1 else ''} changed)" if changes else ""
        if state.failed:
            self.log(f"build failed{what} in {state.seconds:.2f} s:")
            for p in state.problems:
                self.log(f"  {p}")
        else:
            self.log(f"built{what} in {state.seconds:.2f} s")
        self.notify()
        return state

    def notify(self) -> None:
        """Tell every connected browser to reload (thread-safe)."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._reload_all)

    def _reload_all(self) -> None:
        msg = {"command": "reload", "path": "/", "liveCSS": False, "liveImg": False}
        for w in list(self.waiters):
            try:
                w.write_message(msg)
            except Exception:  # a closed socket: forget it
                self.waiters.discard(w)


def _print(msg: str) -> None:
    print(f"digest serve: {msg}", file=sys.stderr, flush=True)


class ReloadSocket(LiveReloadHandler):
    """The LiveReload websocket, with per-server waiters and a same-origin check."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def check_origin(self, origin: str) -> bool:
        """Same origin only, and only for a host name the preview answers for."""
        netloc = urlsplit(origin).netloc.lower()
        hosts = getattr(self.application, "hosts", None)
        if hosts is not None and not hosts.allows(netloc):
            return False
        return netloc == (self.request.host or "").lower()

    def on_message(self, message: str | bytes) -> None:
        import json

        try:
            msg = json.loads(message)
        except ValueError:
            return
        if not isinstance(msg, dict):
            return
        if msg.get("command") == "hello":
            self.send_message(
                {
                    "command": "hello",
                    "protocols": ["http://livereload.com/protocols/official-7"],
                    "serverName": "digest",
                }
            )
        elif msg.get("command") == "info":
            self.preview.waiters.add(self)

    def on_close(self) -> None:
        self.preview.waiters.discard(self)


class LiveReloadJS(web.RequestHandler):
    """livereload.js, as shipped with the livereload package."""

    def get(self) -> None:
        js = Path(livereload.__file__).resolve().parent / "vendors" / "livereload.js"
        self.set_header("Content-Type", "application/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.write(js.read_bytes())


class BuildIdHandler(web.RequestHandler):
    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(self.preview.state.build_id)


def resolve(root: Path, rel: str) -> Path | None:
    """The file or folder ``rel`` (already percent-decoded) names inside ``root``.

    None for anything that could leave the built site: ``..`` or ``.``
    segments, empty segments (``//``, absolute paths), backslashes, NUL,
    dotfiles, and symlinks anywhere on the way.
    """
    if "\x00" in rel or "\\" in rel:
        return None
    parts = rel.split("/")
    if parts and parts[-1] == "":
        parts = parts[:-1]
    for part in parts:
        if part in ("", ".", "..") or part.startswith(".") or ":" in part:
            return None
    real_root = os.path.realpath(root)
    plain = os.path.join(real_root, *parts) if parts else real_root
    try:
        real = os.path.realpath(plain)
    except (OSError, ValueError):  # a name the file system cannot hold
        return None
    if real != plain:  # a symlink somewhere on the way
        return None
    if real != real_root and not real.startswith(real_root + os.sep):
        return None  # pragma: no cover - excluded above; kept as a second fence
    return Path(real)


def _kind(path: Path | None) -> str | None:
    """``"dir"``, ``"file"`` or None (missing, or a name too long for the file system:
    any OSError is "not there", never a 500)."""
    if path is None:
        return None
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else None


def _content_type(path: Path) -> str:
    kind, _ = mimetypes.guess_type(path.name)
    if path.suffix in (".html", ".htm"):
        return "text/html; charset=utf-8"
    if path.suffix == ".xml":
        return "application/xml; charset=utf-8"
    if path.suffix == ".json":
        return "application/json; charset=utf-8"
    if path.name == "CNAME" or path.suffix == ".txt":
        return "text/plain; charset=utf-8"
    kind = kind or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript",):
        kind += "; charset=utf-8"
    return kind


class SiteHandler(web.RequestHandler):
    """Serves the built site under its base path."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def on_connection_close(self) -> None:  # the client went away: stop quietly
        self._gone = True

    def compute_etag(self) -> None:
        return None

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.clear_header("Server")

    async def head(self) -> None:
        await self.get(include_body=False)

    async def get(self, include_body: bool = True) -> None:
        state = self.preview.state
        try:
            path = unquote(self.request.path, errors="strict")
        except UnicodeDecodeError:
            await self._not_found(state, include_body)
            return
        base = unquote(state.base_path)
        if not path.startswith(base):
            if path == "/" or path + "/" == base:
                self.redirect(state.base_path, permanent=False)
                return
            await self._not_found(state, include_body)
            return
        rel = path[len(base) :]
        root = state.root
        target = resolve(root, rel) if root is not None else None
        if target is not None and _kind(target) == "dir":
            if not path.endswith("/"):  # like GitHub Pages: /repo/world -> /repo/world/
                query = f"?{self.request.query}" if self.request.query else ""
                self.redirect(self.request.path + "/" + query, permanent=False)
                return
            target = target / "index.html"
        if target is None or _kind(target) != "file":
            if root is None and state.failed:
                await self._error(state, include_body)
                return
            await self._not_found(state, include_body)
            return
        if state.failed and target.suffix in (".html", ".htm"):
            await self._error(state, include_body)
            return
        await self._send(target, 200, state, include_body)

    async def _not_found(self, state: State, include_body: bool) -> None:
        if state.failed:
            await self._error(state, include_body)
            return
        root = state.root
        page = root / "404.html" if root is not None else None
        if page is not None and _kind(page) == "file" and resolve(page.parent, "404.html"):
            await self._send(page, 404, state, include_body)
            return
        self.set_status(404)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        if include_body:
            self.write("404 not found\n")

    async def _error(self, state: State, include_body: bool) -> None:
        body = inject(error_page(state), live_snippet(state.build_id))
        self.set_status(500)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Length", str(len(body)))
        if include_body:
            await self._write(body)

    async def _send(self, target: Path, status: int, state: State, include_body: bool) -> None:
        ctype = _content_type(target)
        try:
            data = target.read_bytes()
        except OSError:  # swapped away by a rebuild at this instant
            self.set_status(503)
            self.set_header("Retry-After", "1")
            return
        if ctype.startswith("text/html"):
            data = inject(data, live_snippet(state.build_id))
        self.set_status(status)
        self.set_header("Content-Type", ctype)
        self.set_header("Content-Length", str(len(data)))
        if include_body:
            await self._write(data)

    async def _write(self, data: bytes) -> None:
        for i in range(0, len(data), CHUNK):
            if getattr(self, "_gone", False):
                return
            self.write(data[i : i + CHUNK])
            try:
                await self.flush()
            except iostream.StreamClosedError:
                self._gone = True
                return

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


def make_app(preview: Preview, hosts: Hosts | None = None) -> web.Application:
    return _App(
        [
            (r"/livereload", ReloadSocket, {"preview": preview}),
            (r"/livereload\.js", LiveReloadJS),
            (BUILD_PATH.replace(".", r"\."), BuildIdHandler, {"preview": preview}),
            (r"/.*", SiteHandler, {"preview": preview}),
        ],
        hosts or Hosts("127.0.0.1"),
        compress_response=False,
        websocket_ping_interval=20,
        log_function=lambda handler: None,
    )


# ---------------------------------------------------------------- the server


class PreviewServer:
    """A running preview: ``start()`` builds and binds, ``serve_forever()`` serves.

    ``start`` raises OSError when the address is taken; ``stop`` may be
    called from another thread.
    """

    def __init__(
        self,
        config_path: Path | str | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        base_url: str | None = None,
        drafts: bool = False,
        debounce: float = DEBOUNCE,
        log: Callable[[str], None] | None = None,
        polling: bool = False,
    ) -> None:
        cfg = Path(config_path) if config_path else Path.cwd() / CONFIG_NAME
        if cfg.is_dir():
            cfg = cfg / CONFIG_NAME
        if not cfg.is_file():
            load_config(cfg)  # raises BuildError: configuration file not found
        self.host, self.port = host, port
        self._tmp: Path | None = None  # (a temporary folder of its own, removed at the end)
        self._hold: int | None = None  # (the kept preview folder's lock)
        kept = preview_folder(cfg)
        if kept is not None:
            output, self._hold = kept
        else:
            self._tmp = Path(tempfile.mkdtemp(prefix="digest-serve-"))
            output = self._tmp / "site"
        self.builder = SiteBuilder(cfg.absolute(), output, base_url, drafts)
        self.preview = Preview(self.builder, log)
        self.watcher = Watcher(
            lambda: self.builder.watch_paths,
            self.preview.rebuild,
            debounce=debounce,
            listener=self.builder.session,  # (a rebuild looks again at the changed files only)
            polling=polling,  # (--poll: every file looked at, no inotify)
        )
        self._sockets: list = []
        self._stopped = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None

    @property
    def url(self) -> str:
        host = self.host if self.host not in ALL_INTERFACES else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{self.builder.state.base_path}"

    def start(self) -> State:
        """Build once and bind the listening socket."""
        self.watcher.prime()  # before building: edits made during the build are seen
        # The first build may use worker processes (no server threads yet);
        # rebuilds from the watcher thread run in-process (jobs=1).
        state = self.preview.rebuild(jobs=None if threading.active_count() == 1 else 1)
        try:
            self._sockets = netutil.bind_sockets(self.port, self.host or None)
        except OSError:
            self.cleanup()
            raise
        self.port = self._sockets[0].getsockname()[1]
        return state

    def serve_forever(self, ready: Callable[[], None] = lambda: None) -> None:
        """Serve until stopped; ``ready`` is called once the event loop is serving (a
        Ctrl+C before that would land inside the loop's own set-up)."""
        try:
            asyncio.run(self._main(ready))
        finally:
            self.watcher.stop()
            self.cleanup()

    async def _main(self, ready: Callable[[], None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        self.preview.loop = self._loop
        server = httpserver.HTTPServer(make_app(self.preview, Hosts(self.host)))
        server.add_sockets(self._sockets)
        self.watcher.start()
        if self._stopped.is_set():
            self._stop_event.set()
        ready()
        try:
            await self._stop_event.wait()
        finally:
            server.stop()
            for w in list(self.preview.waiters):
                w.close()
            await server.close_all_connections()

    def stop(self) -> None:
        """Stop serving (from any thread)."""
        self._stopped.set()
        loop, event = self._loop, self._stop_event
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    def cleanup(self) -> None:
        for s in self._sockets:
            s.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        if self._hold is not None:  # (the preview folder stays, for the next preview)
            os.close(self._hold)
            self._hold = None


def preview_folder(config_path: Path) -> tuple[Path, int] | None:
    """Where ``digest serve`` builds: ``<cache_dir>/preview/site``, kept between runs so
    that the next preview starts from the pages this one leaves there (into an empty
    folder, a first build of 10,000 articles rendered all 19,548 files, 20 s, and the
    first edit after it linked them all into a second tree, 3.9 s), with the lock that
    keeps the folder this process's alone while it serves (a descriptor, to close when
    done: see publish.try_hold).  None when the folder cannot be had: a site.yaml that
    does not load (the first build reports it), a cache folder that cannot be written
    or is a symlink, or another ``digest serve`` of the site using it; the preview then
    builds into a temporary folder of its own."""
    try:
        config = load_config(config_path)
    except Exception:  # (a speed-up only: the first build reports what is wrong)
        return None
    folder = config.cache_dir / PREVIEW
    try:
        if any(p.is_symlink() for p in (config.cache_dir, folder, folder / "site")):
            return None  # (not made by digest: never followed)
        folder.mkdir(parents=True, exist_ok=True)
        held = try_hold(folder / PREVIEW_LOCK)
    except OSError:
        return None
    return None if held is None else (folder / "site", held)


def serve(
    config: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    base_url: str | None = None,
    drafts: bool = False,
    open_browser: bool = False,
    polling: bool = False,
) -> int:
    """Run the preview until interrupted; the exit status.  ``polling``: see
    digest.watch.Watcher."""
    if host in ALL_INTERFACES:
        print(
            f"warning: binding {host or 'all interfaces'}: the preview is reachable from "
            "other machines on your network; use --host 127.0.0.1 to keep it local",
            file=sys.stderr,
        )
    restore = stop_on_sigterm()
    server: PreviewServer | None = None
    try:
        server = PreviewServer(config, host, port, base_url, drafts, polling=polling)
        try:
            server.start()
        except OSError as exc:
            print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        url = server.url

        def ready() -> None:
            print(f"Serving {url} (Ctrl+C to stop)", flush=True)
            if open_browser:
                threading.Timer(0.3, webbrowser.open, args=(url,)).start()

        server.serve_forever(ready)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        if server is not None:  # a temporary folder goes, however the preview stops
            server.watcher.stop()
            server.cleanup()
            with contextlib.suppress(KeyboardInterrupt):  # (a second Ctrl+C)
                server.builder.session.settle()  # what it deferred, for the next process
        restore()
    return 0
