"""A new process's feeds take their big published files (articles.json, sitemap.xml) on
the word of publish's stamps (see digest.publish.Published): a file still of the size
and mtime publish recorded when it wrote it is read, not hashed.  A hand edit of one
that gives it another mtime is noticed as before; one that keeps both (an edit in place
with the mtime put back) is taken as digest's, the trust publish gives every page."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import pytest
from conftest import MOTHS, build_once, cold_tree, spy, tree, write_site

from digest import publish


def _edit_in_place(path: Path, old: bytes, new: bytes, mtime_ns: int) -> None:
    """Change the file's bytes in place (the same inode and size) and set its mtime."""
    data = path.read_bytes()
    assert old in data and len(old) == len(new)
    with open(path, "r+b") as f:
        f.write(data.replace(old, new, 1))
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.mark.parametrize("name", ["articles.json", "sitemap.xml", "world/feed.json"])
def test_a_published_feed_edited_by_hand_is_made_again(tmp_path: Path, name: str) -> None:
    root = write_site(tmp_path / "site")
    out = tmp_path / "out"
    build_once(root, out)
    build_once(root, out)  # (the second tree beside the output made)
    path = out / name
    was = path.stat().st_mtime_ns
    _edit_in_place(path, b"example.org", b"EXAMPLE.org", was + 10**9)
    build_once(root, out)
    assert tree(out) == cold_tree(root, tmp_path)


def test_a_hand_edit_keeping_size_and_mtime_is_taken_as_published(tmp_path: Path) -> None:
    """The one case that changed: articles.json edited in place with its mtime put back is
    taken as what digest wrote, its lines too (before, its sha256 was checked, and it was
    made whole again at the next build that changed it).  Publish already keeps such a
    page as it is: the edit stays on the site either way."""
    root = write_site(tmp_path / "site")
    out = tmp_path / "out"
    build_once(root, out)
    build_once(root, out)
    path = out / "articles.json"
    was = path.stat().st_mtime_ns
    _edit_in_place(path, b'"title":"', b'"title":"', was)  # (bytes and stamp unchanged)
    assert publish.Published(out).read("articles.json") is not None
    own = b'"title":"Port Ellis harbour wall gets extra funding","date"'  # (its line only)
    _edit_in_place(path, own, own.replace(b"extra", b"EXTRA"), was)
    got = publish.Published(out).read("articles.json")
    assert got is not None and b"gets EXTRA funding" in got[0]
    f = root / MOTHS  # another article's edit: articles.json is written again
    f.write_text(f.read_text().replace('title: "', 'title: "Record - ', 1))
    build_once(root, out)
    assert b"gets EXTRA funding" in (out / "articles.json").read_bytes()
    assert b"Record - Volunteers" in (out / "articles.json").read_bytes()


def test_published_reads_nothing_when_the_stamp_differs(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    out = tmp_path / "out"
    build_once(root, out)
    got = publish.Published(out).read("sitemap.xml")
    assert got is not None and got[0] == (out / "sitemap.xml").read_bytes()
    st = (out / "sitemap.xml").stat()
    os.utime(out / "sitemap.xml", ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert publish.Published(out).read("sitemap.xml") is None
    assert publish.Published(out).read("no-such-file.html") is None
    assert publish.Published(tmp_path / "elsewhere").read("sitemap.xml") is None


def test_edits_leave_every_file_known_by_its_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    out = tmp_path / "out"
    build_once(root, out)
    build_once(root, out)
    for n in (313, 314, 315):  # (each build writes the tree the one before last wrote)
        f = root / MOTHS
        f.write_text(f.read_text().replace(f"{n - 1} species", f"{n} species"))
        build_once(root, out)
    looked: list[list[str]] = []
    spy(monkeypatch, publish, "_stamped", result=lambda got: looked.append(got[1]))
    build_once(root, out)  # nothing changed: every file known by its stamp, none read
    assert looked == [[]]
    assert tree(out) == cold_tree(root, tmp_path)


def test_a_stamp_found_in_the_json_is_the_decoded_ones() -> None:
    """publish._json_entry, the fast path of Published.stamp, finds each path's stamp in
    the stamps JSON as msgspec writes it, as decoding it whole gives it (paths with
    quotes, commas, colons, brackets and non-ASCII letters too), and nothing else."""
    paths = ["a.html", 'q"uote.html', 'x,"a.html":[1,2].html', "[b]/c.html", "ünï/ç.html", "b"]
    stamps = {p: [i, 10**18 + i] for i, p in enumerate(paths)}
    raw = msgspec.json.encode(stamps)
    for p in paths:
        span = publish._json_entry(raw, msgspec.json.encode(p))
        assert span is not None and msgspec.json.decode(raw[span[0] : span[1]]) == stamps[p]
    for absent in ["a.htm", "c.html", "html", ""]:
        assert publish._json_entry(raw, msgspec.json.encode(absent)) is None
    assert publish._json_entry(b"{}", msgspec.json.encode("a.html")) is None
