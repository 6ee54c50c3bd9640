"""Past its first few files a build writes new files in a few threads (publish._Writer: on
a slow disk the waits for each new file and folder overlap).  What it writes, the stamps
it records, the folders it reports and the errors it gives are those of writing them one
at a time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest import publish
from digest.errors import BuildError, Problems
from digest.model import Page
from tests.conftest import run_build, tree, write_site


def _pages(n: int) -> list[Page]:
    """n pages in folders of their own, ten to a section, a few sharing a new parent."""
    return [
        Page(f"s{i % 10}/day-{i // 40}/a{i:03d}/index.html", f"<p>page {i}</p>".encode())
        for i in range(n)
    ]


def _update(staging: Path, pages: list[Page]) -> tuple[dict[str, list[int]], set[str]]:
    touched: set[str] = set()
    _, stamps = publish._update(staging, {}, {}, pages, Problems(), touched)
    return stamps, touched


@pytest.mark.parametrize("alone", [0, 7])
def test_threads_write_what_one_thread_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, alone: int
) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    (tmp_path / "one/s3").write_bytes(b"a file where a section's folder goes")
    (tmp_path / "many/s3").write_bytes(b"a file where a section's folder goes")
    monkeypatch.setattr(publish, "_WRITE_ALONE", 10**9)
    one, one_touched = _update(tmp_path / "one", _pages(300))
    monkeypatch.setattr(publish, "_WRITE_ALONE", alone)
    monkeypatch.setattr(publish, "_WRITES_AHEAD", 5)  # (the threads kept waited for too)
    many, many_touched = _update(tmp_path / "many", _pages(300))
    assert tree(tmp_path / "many") == tree(tmp_path / "one")
    assert list(many) == list(one)  # the stamps, in the pages' order
    for path, (size, mtime) in many.items():
        st = os.lstat(tmp_path / "many" / path)
        assert [st.st_size, st.st_mtime_ns] == [size, mtime]
    assert many_touched == one_touched


def test_an_error_in_a_thread_is_the_build_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "_WRITE_ALONE", 0)
    real = publish._write

    def full_disk(target: str, content: bytes) -> list[int]:
        if target.endswith("a123/index.html"):
            raise OSError(28, "No space left on device", target)
        return real(target, content)

    monkeypatch.setattr(publish, "_write", full_disk)
    with pytest.raises(OSError) as exc:
        _update(tmp_path, _pages(300))
    assert exc.value.filename.endswith("a123/index.html")
    assert not isinstance(exc.value, BuildError)


def test_a_site_built_with_writer_threads_is_the_site_built_without(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = {
        f"a{i:02d}.md": f"---\ntitle: Story {i}\ndate: 2024-05-{1 + i % 28:02d}\n---\n"
        f"The council met on day {i} to talk about the harbour. It agreed on a plan.\n"
        for i in range(40)
    }
    site = write_site(tmp_path / "site", articles=articles)
    monkeypatch.setattr(publish, "_WRITE_ALONE", 10**9)
    rc, err = run_build(site, capsys, "--output", str(site / "alone"))
    assert rc == 0, err
    monkeypatch.setattr(publish, "_WRITE_ALONE", 0)
    rc, err = run_build(site, capsys, "--output", str(site / "threads"))
    assert rc == 0, err
    alone, threads = tree(site / "alone"), tree(site / "threads")
    assert len(alone) > 40 and threads == alone
