"""The fetch stage (``digest fetch``): items of the feeds in site.yaml into content/.

Each ``feeds:`` entry names a folder under the content folder; every new item of
the feed becomes one file there, ``YYYY-MM-DD-slug.md`` with front matter
(title, date, source, source_url, section, tags) and the feed's own text, or,
with ``fetch_pages: true``, ``YYYY-MM-DD-slug.html``: the article page as
served, read by the same reader as any saved page (the folder's
``_source.yaml``, written here, gives it source, section and tags).

- **Idempotent and resumable.** ``_fetched.json`` in the folder maps each
  item's key (its GUID, else its link) to the file written for it; an item
  already there is skipped. A file and then the state are written after each
  item, both atomically (a temporary file renamed into place), so a killed
  run loses at most the item in flight and never leaves half a file.
- **Polite.** At most :attr:`Limits.per_host` connections to one host, a
  delay between requests to one host, a User-Agent naming digest and its
  URL, robots.txt honoured for every URL (redirect hops included), connect
  and read timeouts and a deadline per response, a size limit per response,
  redirects followed only to http(s).
- **Reported per feed.** A feed that cannot be fetched or parsed is one
  failure in the report; the other feeds carry on.

Feeds are parsed by feedparser (RSS, Atom); JSON Feed, which feedparser 6 does
not read, is plain JSON mapped field by field. HTTP is urllib3 (already
required by trafilatura): a connection pool per host whose size is the
per-host limit, streaming reads for the size limit, no automatic redirects.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import urllib3
import yaml

from digest import __url__, __version__
from digest.config import FeedConfig, FetchConfig, url_problem
from digest.htmltext import collapse, paragraphs_and_text
from digest.slugs import slugify

USER_AGENT = f"digest/{__version__} (+{__url__})"
ROBOTS_AGENT = "digest"  # the name robots.txt rules are matched against
STATE_NAME = "_fetched.json"
DEFAULTS_NAME = "_source.yaml"
_DEFAULTS_MARK = "# Written by `digest fetch` for this feed's folder; edit site.yaml instead.\n"
REDIRECTS = (301, 302, 303, 307, 308)
_HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}


@dataclass(frozen=True)
class Limits:
    """How polite and how patient fetching is."""

    per_host: int = 2  # connections to one host at a time
    delay: float = 1.0  # seconds between the starts of two requests to one host
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # between two bytes
    deadline: float = 60.0  # for a whole response
    max_bytes: int = 10 * 1024 * 1024  # per response (after decompression)
    max_redirects: int = 5
    workers: int = 8  # feeds fetched at the same time


class FetchError(Exception):
    """One URL could not be fetched; the message says why, for the report."""


# ---------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes


class _Host:
    """One host's share of politeness: a connection limit and the next start time."""

    def __init__(self, per_host: int) -> None:
        self.slots = threading.BoundedSemaphore(per_host)
        self.lock = threading.Lock()
        self.next_start = 0.0


class Client:
    """GET with the limits above; robots.txt checked for every URL it requests."""

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        self.pool = urllib3.PoolManager(
            num_pools=64,
            maxsize=limits.per_host,
            block=True,
            retries=False,
            timeout=urllib3.Timeout(connect=limits.connect_timeout, read=limits.read_timeout),
        )
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, url: str, accept: str = "*/*") -> Response:
        """The response at ``url`` after redirects; FetchError for anything but a 2xx."""
        for _ in range(self.limits.max_redirects + 1):
            self._check_allowed(url)
            resp = self._request(url, accept)
            if resp.status in REDIRECTS:
                url = self._redirect_target(url, resp)
                continue
            if resp.status >= 400 or resp.status < 200:
                raise FetchError(f"HTTP {resp.status} from {url}")
            return resp
        raise FetchError(f"more than {self.limits.max_redirects} redirects from {url}")

    @staticmethod
    def _redirect_target(url: str, resp: Response) -> str:
        location = resp.content_type  # _request keeps Location there for redirects
        if not location:
            raise FetchError(f"HTTP {resp.status} from {url} without a Location")
        target = urljoin(url, location)
        if urlsplit(target).scheme not in ("http", "https"):
            raise FetchError(f"{url} redirects to {target[:200]!r}, which is not http(s)")
        return target

    def _host(self, url: str) -> _Host:
        netloc = urlsplit(url).netloc.lower()
        with self._lock:
            return self._hosts.setdefault(netloc, _Host(self.limits.per_host))

    def _request(self, url: str, accept: str) -> Response:
        host = self._host(url)
        with host.slots:
            with host.lock:
                now = time.monotonic()
                start = max(now, host.next_start)
                host.next_start = start + self.limits.delay
            time.sleep(max(0.0, start - now))
            return self._download(url, accept)

    def _download(self, url: str, accept: str) -> Response:
        limits = self.limits
        deadline = time.monotonic() + limits.deadline
        try:
            resp = self.pool.request(
                "GET",
                url,
                headers={**_HEADERS, "Accept": accept},
                preload_content=False,
                redirect=False,
            )
        except urllib3.exceptions.TimeoutError:
            raise FetchError(f"timed out connecting to {url}") from None
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            raise FetchError(f"cannot fetch {url}: {_reason(exc)}") from None
        try:
            if resp.status in REDIRECTS:
                return Response(url, resp.status, resp.headers.get("Location", ""), b"")
            length = resp.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limits.max_bytes:
                raise FetchError(f"{url} is {int(length):,} bytes, over {limits.max_bytes:,}")
            chunks: list[bytes] = []
            size = 0
            while chunk := resp.read1(64 * 1024):  # whatever has arrived, at most 64 KiB
                size += len(chunk)
                if size > limits.max_bytes:
                    raise FetchError(f"{url} is over {limits.max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url} took longer than {limits.deadline:g} s")
                chunks.append(chunk)
            content_type = resp.headers.get("Content-Type", "")
            return Response(url, resp.status, content_type, b"".join(chunks))
        except urllib3.exceptions.TimeoutError:
            raise FetchError(f"timed out reading {url}") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise FetchError(f"cannot fetch {url}: {_reason(exc)}") from None
        finally:
            resp.release_conn()

    # ------------------------------------------------------------ robots.txt

    def _check_allowed(self, url: str) -> None:
        robots = self._robots_for(url)
        if not robots.can_fetch(ROBOTS_AGENT, url):
            raise FetchError(f"robots.txt of {urlsplit(url).netloc} disallows {url}")

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                self._robots[origin] = self._read_robots(origin)
            return self._robots[origin]

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        """The rules of ``origin``: none when it has no robots.txt (4xx), everything
        disallowed on 401/403; a server error or timeout is a FetchError."""
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        url = origin + "/robots.txt"
        for _ in range(self.limits.max_redirects + 1):
            resp = self._request(url, "text/plain")
            if resp.status in REDIRECTS:
                url = self._redirect_target(url, resp)
                continue
            break
        else:
            raise FetchError(f"robots.txt of {origin}: too many redirects")
        if resp.status in (401, 403):
            parser.parse(["User-agent: *", "Disallow: /"])
        elif 400 <= resp.status < 500:
            parser.parse([])
        elif resp.status >= 500:
            raise FetchError(f"robots.txt of {origin} could not be read (HTTP {resp.status})")
        else:
            parser.parse(resp.body.decode("utf-8", "replace").splitlines())
        return parser

    def close(self) -> None:
        self.pool.clear()


def _reason(exc: object) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason).split(": ", 1)[-1][:200] or type(exc).__name__


# ---------------------------------------------------------------- feeds


@dataclass(frozen=True)
class Item:
    """One feed entry, as far as digest uses it."""

    key: str  # GUID, else link, else title and date
    title: str
    link: str | None
    date: datetime | None
    html: str  # the entry's content, else its summary (HTML or text)
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parsed:
    title: str | None
    items: tuple[Item, ...]
    note: str | None = None  # a problem that did not stop the feed being read


def parse_feed(body: bytes, content_type: str = "") -> Parsed:
    """The items of an RSS, Atom or JSON feed; FetchError when it is none of them."""
    if "json" in content_type or body.lstrip()[:1] == b"{":
        return _parse_json_feed(body)
    d = feedparser.parse(body)
    items = tuple(i for i in map(_feedparser_item, d.entries) if i)
    if d.bozo and not items:  # a feed with slips (an unescaped '&') is still read
        raise FetchError(f"malformed feed: {_reason(d.get('bozo_exception') or 'unreadable')}")
    if not d.entries and not d.get("version"):
        raise FetchError("not a feed (RSS, Atom or JSON Feed)")
    note = f"feed has errors: {_reason(d.bozo_exception)}" if d.bozo else None
    title = _text(d.feed.get("title", "")) or None
    return Parsed(title, items, note)


def _feedparser_item(e: Any) -> Item | None:
    content = e.get("content") or []
    html = content[0].get("value", "") if content else e.get("summary", "")
    stamp = e.get("published_parsed") or e.get("updated_parsed")
    date = datetime(*stamp[:6]).replace(tzinfo=timezone.utc) if stamp else None
    tags = tuple(t.get("term", "") for t in e.get("tags", []) if t.get("term"))
    return _item(e.get("id"), e.get("title", ""), e.get("link"), date, html, tags)


def _parse_json_feed(body: bytes) -> Parsed:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(f"malformed JSON feed: {exc}") from None
    version = data.get("version", "") if isinstance(data, dict) else ""
    if not (isinstance(version, str) and version.startswith("https://jsonfeed.org/version/")):
        raise FetchError("not a JSON Feed (no jsonfeed.org version)")
    items = []
    for e in data.get("items") or []:
        if not isinstance(e, dict):
            continue
        html = e.get("content_html") or _escape_html(e.get("content_text") or "")
        html = html or _escape_html(e.get("summary") or "")
        date = _json_date(e.get("date_published") or e.get("date_modified"))
        tags = tuple(t for t in e.get("tags") or [] if isinstance(t, str))
        items.append(_item(e.get("id"), e.get("title") or "", e.get("url"), date, html, tags))
    title = data.get("title") if isinstance(data.get("title"), str) else None
    return Parsed(title, tuple(i for i in items if i))


def _json_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _escape_html(text: str) -> str:
    paras = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"
        for p in paras
    )


def _item(
    guid: Any, title: Any, link: Any, date: datetime | None, html: Any, tags: tuple[str, ...]
) -> Item | None:
    link = link if isinstance(link, str) and not url_problem(link, allow_relative=False) else None
    html = html if isinstance(html, str) else ""
    title = _text(title if isinstance(title, str) else "")
    if not title:
        words = _text(html).split()
        title = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
    key = str(guid).strip() if guid not in (None, "") else link
    if not title or not key and not date:
        return None
    return Item(key or f"{title}|{date.isoformat() if date else ''}", title, link, date, html, tags)


def _text(html: str) -> str:
    return collapse(paragraphs_and_text(html)[1]) if "<" in html or "&" in html else collapse(html)


# ---------------------------------------------------------------- writing items


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]#!|{}"})


def markdown_text(html: str) -> str:
    """The visible text of an entry's HTML as Markdown paragraphs, every character
    that Markdown or HTML would read as markup escaped."""
    paragraphs, text = paragraphs_and_text(html)
    out = []
    for p in paragraphs or ((text,) if text else ()):
        p = p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        p = p.translate(_MD_SPECIAL)
        if p[:1] in "-+=" or p.split(" ", 1)[0].rstrip(".)").isdigit():
            p = "\\" + p if p[:1] in "-+=" else p.replace(".", "\\.", 1).replace(")", "\\)", 1)
        out.append(p)
    return "\n\n".join(out)


def atomic_write(path: Path, data: bytes) -> None:
    """``path`` holds ``data`` whole or is untouched: written beside it, then renamed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class _Names:
    """Slugs already used under the content folder: a new item never takes one
    (the slug is the file name without its date prefix, and must be unique)."""

    def __init__(self, content_dir: Path) -> None:
        self.lock = threading.Lock()
        self.taken = {_slug_of(p.name) for p in content_dir.rglob("*") if p.is_file()}

    def reserve(self, folder: Path, date: datetime, title: str, ext: str) -> Path:
        base = slugify(title)[:60].strip("-") or "item"
        with self.lock:
            slug, n = base, 2
            while slug in self.taken:
                slug, n = f"{base}-{n}", n + 1
            self.taken.add(slug)
        return folder / f"{date:%Y-%m-%d}-{slug}{ext}"


def _slug_of(name: str) -> str:
    stem = name.rsplit(".", 1)[0]
    return stem[11:] if len(stem) > 11 and stem[:10].replace("-", "").isdigit() else stem


# ---------------------------------------------------------------- one feed


@dataclass
class FeedReport:
    folder: str
    url: str
    new: int = 0
    skipped: int = 0
    error: str | None = None  # the feed itself failed
    item_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return (1 if self.error else 0) + len(self.item_errors)


class _State:
    """``_fetched.json``: item key -> file name, written after every new item."""

    def __init__(self, folder: Path, url: str) -> None:
        self.path = folder / STATE_NAME
        self.url = url
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            items = data.get("items", {}) if isinstance(data, dict) else {}
        except (OSError, ValueError):
            items = {}
        self.items: dict[str, str] = {str(k): str(v) for k, v in items.items()}

    def save(self) -> None:
        data = {"version": 1, "feed": self.url, "items": dict(sorted(self.items.items()))}
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        atomic_write(self.path, text.encode("utf-8"))


def fetch_feed(
    feed: FeedConfig, cfg: FetchConfig, client: Client, names: _Names, now: datetime
) -> FeedReport:
    """Every new item of one feed written into its folder; never raises for the feed's
    own problems (they are in the report)."""
    report = FeedReport(feed.folder, feed.url)
    try:
        resp = client.get(
            feed.url,
            "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, */*;q=0.8",
        )
        parsed = parse_feed(resp.body, resp.content_type)
    except FetchError as exc:
        report.error = str(exc)
        return report
    if parsed.note:
        report.notes.append(parsed.note)
    folder = cfg.content_dir / feed.folder
    folder.mkdir(parents=True, exist_ok=True)
    source = feed.source or parsed.title
    if feed.fetch_pages:
        _write_folder_defaults(folder, feed, source)
    state = _State(folder, feed.url)
    for item in parsed.items:
        if item.key in state.items:
            report.skipped += 1
            continue
        try:
            path = _write_item(item, feed, source, folder, client, names, now)
        except FetchError as exc:
            report.item_errors.append(f"{item.title[:60]!r}: {exc}")
            continue
        if path is None:
            report.skipped += 1
            report.notes.append(f"{item.title[:60]!r}: no text, not written")
            continue
        state.items[item.key] = path.name
        state.save()
        report.new += 1
        report.written.append(path)
    return report


def _write_item(
    item: Item,
    feed: FeedConfig,
    source: str | None,
    folder: Path,
    client: Client,
    names: _Names,
    now: datetime,
) -> Path | None:
    date = item.date or now
    if feed.fetch_pages:
        if not item.link:
            raise FetchError("no http(s) link to fetch the page from")
        page = client.get(item.link, "text/html, application/xhtml+xml;q=0.9")
        if page.content_type and "html" not in page.content_type.lower():
            raise FetchError(f"{item.link} is not an HTML page ({page.content_type})")
        path = names.reserve(folder, date, item.title, ".html")
        atomic_write(path, page.body)
        return path
    body = markdown_text(item.html)
    if not body:
        return None
    meta: dict[str, Any] = {"title": item.title, "date": date.isoformat()}
    if source:
        meta["source"] = source
    if item.link:
        meta["source_url"] = item.link
    if feed.section:
        meta["section"] = feed.section
    tags = list(dict.fromkeys([*feed.tags]))
    if tags:
        meta["tags"] = tags
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    path = names.reserve(folder, date, item.title, ".md")
    atomic_write(path, f"---\n{front}---\n{body}\n".encode())
    return path


def _write_folder_defaults(folder: Path, feed: FeedConfig, source: str | None) -> None:
    """``_source.yaml`` giving saved pages the feed's source, section and tags (a file
    the user wrote is left alone)."""
    path = folder / DEFAULTS_NAME
    if path.exists() and not path.read_text(encoding="utf-8", errors="replace").startswith(
        _DEFAULTS_MARK
    ):
        return
    values = {"source": source, "section": feed.section, "tags": list(feed.tags)}
    values = {k: v for k, v in values.items() if v}
    text = _DEFAULTS_MARK + (yaml.safe_dump(values, allow_unicode=True) if values else "")
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        atomic_write(path, text.encode("utf-8"))


# ---------------------------------------------------------------- every feed


@dataclass(frozen=True)
class FetchResult:
    reports: tuple[FeedReport, ...]

    @property
    def new(self) -> int:
        return sum(r.new for r in self.reports)

    @property
    def skipped(self) -> int:
        return sum(r.skipped for r in self.reports)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.reports)

    def closing_line(self) -> str:
        n = len(self.reports)
        new = self.new
        return (
            f"fetched {n} feed{'' if n == 1 else 's'}: {new} new item{'' if new == 1 else 's'}, "
            f"{self.skipped} skipped, {self.failed} failed"
        )


def fetch(
    cfg: FetchConfig,
    limits: Limits = Limits(),
    on_done: Callable[[FeedReport], None] | None = None,
    now: datetime | None = None,
    only: Iterable[str] = (),
) -> FetchResult:
    """Fetch every feed of ``cfg`` (or those whose folder is in ``only``), a few at a time."""
    wanted = set(only)
    feeds = [f for f in cfg.feeds if not wanted or f.folder in wanted]
    client = Client(limits)
    names = _Names(cfg.content_dir) if cfg.content_dir.is_dir() else _Names(Path("/nonexistent"))
    when = now or datetime.now(timezone.utc).replace(microsecond=0)
    reports: dict[str, FeedReport] = {}
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(limits.workers, len(feeds)))) as pool:
            futures = [pool.submit(_safe_fetch, f, cfg, client, names, when) for f in feeds]
            for future in as_completed(futures):
                report = future.result()
                reports[report.folder] = report
                if on_done:
                    on_done(report)
    finally:
        client.close()
    return FetchResult(tuple(reports[f.folder] for f in feeds))


def _safe_fetch(
    feed: FeedConfig, cfg: FetchConfig, client: Client, names: _Names, now: datetime
) -> FeedReport:
    try:
        return fetch_feed(feed, cfg, client, names, now)
    except OSError as exc:  # the content folder cannot be written: this feed fails
        return replace(FeedReport(feed.folder, feed.url), error=f"cannot write: {exc}")


def report_lines(report: FeedReport) -> Iterator[str]:
    """What the command prints for one feed."""
    if report.error:
        yield f"FAILED {report.folder}: {report.error}"
        return
    status = "FAILED" if report.failed else "ok"
    yield f"{status} {report.folder}: {report.new} new, {report.skipped} skipped" + (
        f", {report.failed} failed" if report.failed else ""
    )
    for e in report.item_errors:
        yield f"  item {e}"
    for n in report.notes:
        yield f"  note: {n}"
