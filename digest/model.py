"""Frozen dataclasses the pipeline stages pass to each other.

load    -> Parsed (one per source file: raw metadata + body)
        -> Article (validated metadata, rendered body, plain-text paragraphs)
summarize(Article) -> Summary
related(Articles)  -> {slug: tuple[RelatedLink, ...]}
render/feeds(Entry...) -> Page (path + bytes)
publish(Pages) -> the output folder
"""

from __future__ import annotations

import collections
import hashlib
import os
import struct
import sys
import weakref
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

BodyFormat = Literal["markdown", "paragraphs", "html"]


@dataclass(frozen=True)
class Parsed:
    """What a reader made of one source file, before validation.

    ``meta`` holds front-matter-like fields (title, date, section, tags,
    source, description, credit, ...), inferred or written by the user;
    ``meta_lines`` gives the line in the source of each field where known.
    ``body`` is Markdown text when ``body_format`` is "markdown", a tuple of
    plain-text paragraphs when "paragraphs".  ``report`` says, line by line,
    what a reader inferred or dropped (shown by ``digest build -v``).
    """

    path: str
    meta: dict[str, Any]
    meta_lines: dict[str, int]
    body_format: BodyFormat
    body: Any
    body_line: int = 1
    report: tuple[str, ...] = ()
    # Inferred by a reader, never written by the user: a scraped page's breadcrumb
    # sections (the first becomes the section, all become tags unless front matter
    # says otherwise) and the date to use when the source names none.
    sections: tuple[str, ...] = ()
    fallback_date: datetime | None = None
    # The front matter's format ("yaml", "toml", "json"; "" when there is none), and
    # (line, message) warnings from reading it (a list item repaired, see digest.load).
    front_matter: str = ""
    notes: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """One validated article, ready for the per-article stages.  (Slotted: a big site
    holds 100,000 of them, and thirty fields in a dict per article took a kilobyte.)"""

    path: str  # source path relative to the site root, for messages
    slug: str
    title: str
    date: datetime  # timezone-aware
    section: str  # display name
    section_slug: str
    url: str  # site-relative, e.g. "world/my-article/"
    tags: tuple[str, ...] = ()
    updated: datetime | None = None
    author: str | None = None
    source: str | None = None
    source_url: str | None = None
    image: str | None = None
    image_alt: str | None = None  # the image's alt text (front matter `image_alt`)
    article_body: str = "full"  # "summary": the page shows the summary and a link out
    description: str | None = None
    credit: str | None = None
    language: str = "en"
    draft: bool = False
    summary_override: tuple[str, ...] = ()
    summary_method: str | None = None
    pinned_related: tuple[str, ...] = ()
    # The body as HTML (read it as ``body_html``): the HTML itself, or the mark of a body
    # the build cache holds (BODY_MARK and the HTML's sha256: see read_body), read when a
    # page shows it.  Compared as a str: two marks are equal when their HTML is.
    body: str = ""
    # Plain-text paragraphs that may give summary sentences: no headings,
    # captions, code, lists, or bylines; Markdown markup stripped.
    paragraphs: tuple[str, ...] = ()
    # All visible text of the body (for related links and word counts).
    text: str = ""
    # "page": a standalone page (About, Contact): no date, summary, related links,
    # feeds or archive; in the site's menu by weight.  See digest.load.
    kind: str = "article"
    weight: int = 0
    aliases: tuple[str, ...] = ()  # old site paths that redirect here
    # A page in the site's menu (About, Contact); an undated Hugo/Zola page is not.
    menu: bool = True
    # The slug was made from the file name (no 'slug:' given): two such slugs that
    # clash are told apart by folder (see digest.load.settle_slugs).
    slug_from_name: bool = False

    @property
    def body_html(self) -> str:
        """The body as HTML (what themes show): read now when only its mark is held."""
        body = self.body
        return read_body(body[_MARKED:]) if body.startswith(BODY_MARK) else body


class BodyReader(Protocol):
    """What reads the bodies a build holds only the marks of (digest.collect keeps them
    in its cache): the HTML of a sha256, None when it is not one of its bodies."""

    def body(self, digest: str) -> str | None: ...


# A body held as its mark: this, then the sha256 of its HTML.  A plain str (a str subclass
# with the reader in it was a garbage-collected object per article: 10,000 more objects for
# every collection of a build to look at).  No body read from a source starts with a NUL.
BODY_MARK = "\x00body:"
_MARKED = len(BODY_MARK)
# The readers of this process, newest first: each build's (see digest.collect._Bodies),
# while what it made is in use (weak references: the build's results keep theirs alive),
# and the last few whatever holds them (articles kept apart from their build's results).
_READERS: list[weakref.ref[BodyReader]] = []
_RECENT: collections.deque[BodyReader] = collections.deque(maxlen=4)


def body_digest(html: str) -> str:
    """The sha256 of a body's HTML, as its mark carries it."""
    return hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()


def add_body_reader(reader: BodyReader) -> None:
    _READERS[:] = [r for r in _READERS if r() is not None]
    _READERS.insert(0, weakref.ref(reader))
    _RECENT.append(reader)


def read_body(digest: str) -> str:
    """The HTML of a marked body, from the newest reader that holds it."""
    for ref in list(_READERS):
        reader = ref()
        got = reader.body(digest) if reader is not None else None
        if got is not None:
            return got
    raise LookupError(f"no reader holds the article body {digest}")


@dataclass(frozen=True)
class Summary:
    sentences: tuple[str, ...]
    method: str  # "manual" when front matter gave it
    # sentences from beyond the lede for the article page (digest.summarize.keypoints)
    key_points: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelatedLink:
    """A related link as pages show it: the other article's slug, title and URL.  Its
    score (the cosine similarity) is apart (see digest.related.SiteLinks.scores): it
    moves a little with every edit of the site, and only articles.json shows it, so an
    edit that moves scores alone leaves every entry and page as it was."""

    slug: str
    title: str
    url: str


# slug -> its related links' scores, in the links' order (digest.related makes them,
# articles.json shows them)
LinkScores = dict[str, tuple[float, ...]]


@dataclass(frozen=True, eq=False)
class TermCounts:
    """An article's hashed term counts (for related links): two int32 sequences, ids
    strictly increasing, counts positive, read as arrays (``array("i")``, a tenth of the
    memory of tuples of ints) through ``ids`` and ``counts``.  Each is held as such an
    array, or as the little-endian int32 bytes the build cache stores (see
    :meth:`stored`), decoded each time it is read: a new process's rebuild reads the
    counts of the edited articles only, and decodes no other article's.  Or not held at
    all (``fetch``, see :meth:`later`): read from the build cache when first asked for."""

    held_ids: array | bytes
    held_counts: array | bytes
    # what gives the counts when first read (then held): None once held
    fetch: Callable[[], TermCounts] | None = field(default=None, repr=False)

    @classmethod
    def stored(cls, ids: bytes, counts: bytes) -> TermCounts:
        """Term counts as stored: little-endian int32 bytes, decoded when read."""
        return cls(ids, counts)

    @classmethod
    def later(cls, fetch: Callable[[], TermCounts]) -> TermCounts:
        """Term counts that ``fetch`` gives when they are first read (a snapshot of the
        build cache holds no article's: an edit reads a few articles' counts, not every
        article's 2 KB).  Pickled, they are fetched first: what a worker or the cache is
        sent is the counts, never ``fetch`` (which reads this process's build cache)."""
        return cls(b"", b"", fetch)

    def held(self) -> tuple[array | bytes, array | bytes]:
        """(held_ids, held_counts), fetched first when not held yet."""
        if self.fetch is not None:
            got = self.fetch()
            # (a memo of what the counts are, never another value: as frozen as before)
            object.__setattr__(self, "held_ids", got.held_ids)
            object.__setattr__(self, "held_counts", got.held_counts)
            object.__setattr__(self, "fetch", None)
        return self.held_ids, self.held_counts

    @property
    def ids(self) -> array:
        return int32s(self.held()[0])

    @property
    def counts(self) -> array:
        return int32s(self.held()[1])

    def __reduce_ex__(self, protocol: Any) -> Any:
        if self.fetch is not None:
            self.held()
        return super().__reduce_ex__(protocol)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TermCounts):
            return NotImplemented
        return self.ids == other.ids and self.counts == other.counts

    __hash__ = None  # type: ignore[assignment]  # (arrays are not hashable either)


# Int32 sequences (term and feature ids, counts) move between three forms: an
# ``array("i")`` held in memory, the little-endian int32 bytes the build cache stores
# (read by older and newer builds alike: their layout never changes), and numpy arrays
# (digest.related), which read either as ``np.frombuffer(..., dtype="<i4")``.  These
# three functions are the only conversions between them.


def int32s(values: array | bytes) -> array:
    """Int32 values as an ``array("i")``: the array itself, or one decoded from
    little-endian int32 bytes (the build cache's, or numpy's ``astype("<i4").tobytes()``)."""
    if isinstance(values, array):
        return values
    out = array("i")
    out.frombytes(values)
    if sys.byteorder != "little":
        out.byteswap()
    return out


def le_int32(values: array | bytes) -> array | bytes:
    """Int32 values as a buffer of little-endian int32: bytes as they are, and an
    ``array("i")`` itself where its memory already is that (a little-endian machine with
    a 4-byte C int), so that joining many rows for numpy copies each once."""
    if isinstance(values, array) and (sys.byteorder != "little" or values.itemsize != 4):
        return struct.pack(f"<{len(values)}i", *values)
    return values


def le_bytes(values: array | bytes) -> bytes:
    """Int32 values (an ``array("i")``, or little-endian bytes already) as little-endian
    int32 bytes: what the build cache stores."""
    return bytes(le_int32(values))


@dataclass(frozen=True)
class Story:
    """Articles about one real-world story (one event or development), across outlets."""

    slug: str  # stable: the slug of its first article (see digest.stories.compose)
    title: str  # the headline
    url: str  # site-relative: "stories/<slug>/", or the article's own URL for one article
    articles: tuple[str, ...]  # member article slugs, oldest first (ties by slug)
    summary: tuple[str, ...] = ()  # sentences drawn from across its articles
    sources: tuple[str, ...] = ()  # outlets covering it, sorted
    first: datetime | None = None  # date of its first and last article
    last: datetime | None = None
    page: bool = True  # two or more articles: it has a page and a stories.json entry
    headline_from: str = ""  # slug of the article whose title is the headline
    summary_from: tuple[str, ...] = ()  # slug of the article each summary sentence is from


@dataclass(frozen=True)
class Entry:
    """An article with its computed summary and related links."""

    article: Article
    summary: Summary
    related: tuple[RelatedLink, ...] = ()
    story: str | None = None  # slug of the story page it belongs to (None: alone)
    # A hash of everything the entry was made from (source, config, related links);
    # pages use it to tell whether they must be re-rendered.  Empty: always render.
    key: str = field(default="", compare=False)


@dataclass(frozen=True)
class Page:
    """One output file: a path relative to the output root and its bytes.

    A page known to be byte-identical to the last build's may come without its bytes
    (``content`` None): ``digest`` is then their sha256 (see :func:`page_digest`) and
    ``fetch`` gets them, for when the output does not hold them already.
    """

    path: str
    content: bytes | None
    source: str = field(default="", compare=False)  # what produced it, for collisions
    digest: str = field(default="", compare=False)
    fetch: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)

    def data(self) -> bytes:
        if self.content is not None:
            return self.content
        assert self.fetch is not None, "a page without content must say how to fetch it"
        return self.fetch()


def page_digest(data: bytes) -> str:
    """A page's ``digest``: the sha256 (hex) of its bytes, as render, feeds and publish
    give it and publish's marker lists it for each file of the output."""
    return hashlib.sha256(data).hexdigest()


def held_page(path: str | os.PathLike[str], digest: str) -> bytes | None:
    """The bytes of the file at ``path`` when they are the page whose digest is
    ``digest`` (see page_digest), else None (missing, unreadable, or other bytes): a
    page of the last build taken from the live output instead of being made again."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    return data if page_digest(data) == digest else None


@dataclass(frozen=True)
class Same(Page):
    """Many pages at once, each the same file (path and bytes) as in the last build of a
    session (see digest.build.Session): render hands them to publish in bulk, so the
    pages an edit leaves alone (nearly all) are not passed on, checked and counted one
    at a time.  ``digests``: path -> sha256 of each; ``sources``: path -> what produced
    it (for a clash's message); ``fetch_path``: a page's bytes, for a tree that lacks
    them.  Its own ``path`` is empty: it is no file."""

    digests: dict[str, str] = field(default_factory=dict)
    sources: Callable[[str], str] = field(default=str, compare=False, repr=False)
    fetch_path: Callable[[str], bytes] | None = field(default=None, compare=False, repr=False)
