"""Render and publish of a cold build (session 27): Jinja's attribute lookup on plain
dicts taken directly, and pages written without a file object; what users get is the
same as before."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import spy, tree

from digest import publish, render

TEMPLATE = (
    "{{ s.url }}|{{ s.name }}|{{ s['url'] }}|{{ s.items() | list | length }}|"
    "{{ s.get('name') }}|{{ s.keys() | sort | join(',') }}|{{ o.url }}|{{ n.x }}"
)


class _Sub(dict):  # (a dict subclass: looked up as Jinja does, attribute first)
    url = "class attribute"


def _render(env: jinja2.Environment, **context: Any) -> str:
    return env.from_string(TEMPLATE).render(**context)


def test_a_dicts_items_and_methods_are_what_jinja_gives() -> None:
    context = {
        "s": {"url": "world/", "name": "World", "items": "an item called items"},
        "o": _Sub(url="an item"),
        "n": type("N", (), {"x": 7})(),
    }
    ours = render._Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    jinjas = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    got = _render(ours, **context)
    assert got == _render(jinjas, **context)
    assert got.startswith("world/|World|world/|3|World|items,name,url|class attribute|7")


def test_a_missing_key_is_the_same_error_as_jinjas() -> None:
    ours = render._Environment(undefined=jinja2.StrictUndefined)
    jinjas = jinja2.Environment(undefined=jinja2.StrictUndefined)
    messages = []
    for env in (ours, jinjas):
        with pytest.raises(jinja2.UndefinedError) as got:
            env.from_string("{{ s.nope }}").render(s={"url": "x"})
        messages.append(str(got.value))
    assert messages[0] == messages[1] == "'dict object' has no attribute 'nope'"


@pytest.mark.parametrize("size", [0, 1, 70_000, 3_000_000])
def test_a_page_is_written_whole_with_its_stamp(tmp_path: Path, size: int) -> None:
    content = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    target = tmp_path / "page.html"
    stamp = publish._write(str(target), content)
    assert target.read_bytes() == content
    st = os.stat(target)
    assert stamp == [st.st_size, st.st_mtime_ns]
    # written again: a new file (never through a hard link the live site shares)
    other = tmp_path / "live.html"
    os.link(target, other)
    publish._write(str(target), b"new bytes")
    assert target.read_bytes() == b"new bytes" and other.read_bytes() == content


def test_a_bookkeeping_file_is_known_by_its_stamp_until_it_changes(tmp_path: Path) -> None:
    known = publish._Known()
    path = tmp_path / ".digest-output"
    path.write_bytes(b'{"files": {}}')
    known.put("sha-1", {"a": "b"})
    known.stamped(os.stat(path), "sha-1")
    assert known.by_stamp(os.stat(path)) == ("sha-1", {"a": "b"})
    # written in place with bytes of the same size, its mtime set back: its ctime moved
    st = os.stat(path)
    with open(path, "r+b") as f:
        f.write(b'{"files": []}')
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert known.by_stamp(os.stat(path)) is None
    known.stamped(os.stat(path), "sha-1")
    assert known.by_stamp(os.stat(path)) is not None
    # replaced by another file (another inode), or its value no longer held
    other = tmp_path / "other"
    other.write_bytes(b'{"files": []}')
    os.replace(other, path)
    assert known.by_stamp(os.stat(path)) is None
    known.stamped(os.stat(path), "sha-gone")
    assert known.by_stamp(os.stat(path)) is None


def test_a_session_reads_back_its_bookkeeping_without_hashing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_render_publish_session import _cold, _session_build, _settled
    from test_session import _append

    site, live, session = _settled(tmp_path, builds=3)
    hashed: list[bytes] = []
    spy(monkeypatch, publish, "page_digest", hashed.append)
    spy(monkeypatch, publish, "_hashed", lambda data, *last: hashed.append(data))  # (big ones)
    _append(site, "content/world/2026-02-01-item-0.md", "\nThe budget was cut on Friday.\n")
    _session_build(site, live, session)
    marker = (live / ".digest-output").read_bytes()
    pages = {
        p.read_bytes() for p in live.rglob("*") if p.is_file() and p != live / ".digest-output"
    }
    # (publish hashes the pages it is given without their sha256; of its bookkeeping, the
    # marker it wrote is hashed once; the stamps file it wrote, not at all: known by its
    # stamp under a name of its own; none is read back)
    assert [data for data in hashed if data not in pages] == [marker]
    assert tree(live) == _cold(site, tmp_path / "cold")


def test_a_reader_of_a_published_file_keeps_reading_its_whole_old_bytes(
    tmp_path: Path,
) -> None:
    """The staging tree a build writes into is the site published two builds ago: a
    file changed there gets a new inode, never written over, so a download or a deploy
    that opened it then still reads it whole (and a hand-set mode is not carried over)."""
    from test_render_publish_session import _cold, _session_build, _settled
    from test_session import _append

    site, live, session = _settled(tmp_path, builds=3)
    published = live / "articles.json"
    old = published.read_bytes()
    published.chmod(0o600)
    fd = os.open(published, os.O_RDONLY)
    try:
        for n in range(2):  # (the second build writes into the tree the reader has open)
            _append(site, "content/world/2026-02-01-item-0.md", f"\nA new fact, number {n}.\n")
            _session_build(site, live, session)
        assert published.read_bytes() != old
        assert os.pread(fd, len(old) + 1, 0) == old
    finally:
        os.close(fd)
    assert published.stat().st_mode & 0o777 != 0o600
    assert tree(live) == _cold(site, tmp_path / "cold")


def test_a_symlink_where_a_page_goes_is_replaced_never_written_through(
    tmp_path: Path,
) -> None:
    target = tmp_path / "articles.json"
    outside = tmp_path / "outside"
    outside.write_bytes(b"not ours")
    target.symlink_to(outside)
    publish._write(str(target), b"page")
    assert outside.read_bytes() == b"not ours" and not target.is_symlink()
    assert target.read_bytes() == b"page"
