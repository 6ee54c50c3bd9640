"""Issue 18, items 2-7: concurrent builds, output paths claimed once, case and Unicode
collisions, permissions, --output inside content, symlinked bookkeeping paths."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_build, tree, write_site

from digest import publish
from digest.cli import main
from digest.model import Page

ROOT = Path(__file__).resolve().parent.parent
CONFIG = 'title: "T"\nbase_url: "https://example.org/"\n'


def fm(**fields: str) -> str:
    lines = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\n{lines}---\nSome body text here. And a second sentence.\n"


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`digest build` for the site in root; (exit status, stderr)."""
    return run_build(root, capsys, *args)


def parts(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".digest-part")]


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# ---------------------------------------------------------------- item 2: two builds


def _digest(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "digest", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _two_sites(root: Path, n: int = 30) -> None:
    """site1.yaml and site2.yaml in one folder, sharing public/ and the cache."""
    root.mkdir()
    for k in (1, 2):
        (root / f"site{k}.yaml").write_text(f"{CONFIG}content_dir: content{k}\n")
        content = root / f"content{k}"
        content.mkdir()
        for i in range(n):
            body = f"Site {k} writes about thing {i} at some length. " * 20
            (content / f"a{i}.md").write_text(
                f"---\ntitle: Article {i} of site {k}\ndate: 2026-01-{i % 28 + 1:02d}\n"
                f"tags: [t{i % 5}]\n---\n{body}\n"
            )


def test_two_builds_at_once_publish_exactly_one_site(tmp_path: Path) -> None:
    """Two configs sharing public/ (and the cache) built at the same time: the site is
    each time exactly one input's output, no *.digest-part is left, and a later build
    serves no stale page."""
    root = tmp_path / "site"
    _two_sites(root)
    refs = {}
    for k in (1, 2):
        p = _digest(root, "build", "-q", "-j1", "-c", f"site{k}.yaml", "-o", f"ref{k}")
        assert p.wait(60) == 0, p.communicate()
        refs[k] = tree(root / f"ref{k}")
    assert refs[1] != refs[2]
    for delay in (0.0, 0.0, 0.1):
        first = _digest(root, "build", "-q", "--no-cache", "-j1", "-c", "site1.yaml")
        time.sleep(delay)
        second = _digest(root, "build", "-q", "--no-cache", "-j1", "-c", "site2.yaml")
        assert first.wait(60) == 0 and second.wait(60) == 0
        assert tree(root / "public") in (refs[1], refs[2]), f"a mix of both (delay {delay})"
        assert parts(root) == []
    for k in (1, 2, 1):  # later builds ("0 changed" ones included) serve the right site
        p = _digest(root, "build", "-q", "-j1", "-c", f"site{k}.yaml")
        assert p.wait(60) == 0
        assert tree(root / "public") == refs[k]


@pytest.mark.parametrize("lock", [True, False], ids=["locked", "unlocked-shows-the-race"])
def test_publishing_under_the_lock_never_mixes_two_sites(tmp_path: Path, lock: bool) -> None:
    """Two publishes of one output in threads, the first paused half-way while the second
    tries to run: under the lock the second waits, and the site is the second's whole;
    without it (what builds did before) the result is a mix, or a failure."""
    out = tmp_path / "public"
    publish.publish([Page("index.html", b"start", "x")], out)
    paused, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def pages(tag: str, pause: bool) -> Iterator[Page]:
        for i in range(20):
            if pause and i == 10:
                paused.set()
                second_done.wait(1.5)  # under the lock the second cannot finish meanwhile
            yield Page(f"p{i}/index.html", f"{tag} {i}".encode(), tag)

    def one(tag: str, pause: bool) -> None:
        try:
            with publish.locked(out) if lock else contextlib.nullcontext():
                publish.publish(pages(tag, pause), out)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion below
            errors.append(exc)
        finally:
            if not pause:
                second_done.set()

    first = threading.Thread(target=one, args=("A", True))
    first.start()
    paused.wait(10)
    second = threading.Thread(target=one, args=("B", False))
    second.start()
    first.join(30)
    second.join(30)
    site = {k: v for k, v in tree(out).items() if k != ".digest-output"}
    whole = [{f"p{i}/index.html": f"{tag} {i}".encode() for i in range(20)} for tag in "AB"]
    ok = not errors and site in whole and parts(tmp_path) == []
    assert ok == lock, (errors, sorted(set(v[:1] for v in site.values())))


def test_second_build_waits_naming_the_first(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    with publish.locked(root / "public"):  # as a build of this process holds it
        p = _digest(root, "build", "-q", "-j1")
        time.sleep(3)
        assert p.poll() is None, "the second build did not wait"
    _out, err = p.communicate(timeout=60)
    assert p.returncode == 0
    assert f"waiting for another digest build (process {os.getpid()})" in err
    assert "public" in err
    assert (root / "public" / "index.html").is_file()


def test_our_half_written_files_are_never_kept_as_user_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "site")
    assert run(root, capsys)[0] == 0
    assert run(root, capsys)[0] == 0  # (now there is a staging tree too)
    (root / "public" / "index.html.digest-part").write_text("half")
    (root / "public" / "archive" / "x.digest-part").write_text("half")
    (root / ".digest-staging-public" / "y.digest-part").write_text("half")
    (root / "public" / "mine.txt").write_text("a file of mine")
    for _ in range(3):
        assert run(root, capsys)[0] == 0
        assert parts(root / "public") == []
        assert (root / "public" / "mine.txt").read_text() == "a file of mine"


# ---------------------------------------------------------------- item 3: claims


@pytest.mark.parametrize(
    ("rel", "slug", "taken"),
    [
        ("a.md", "feed.xml", "feed.xml"),
        ("a.md", "sitemap.xml", "sitemap.xml"),
        ("a.md", "robots.txt", "robots.txt"),
        ("a.md", "articles.json", "articles.json"),
        ("a.md", "rss.xml", "rss.xml"),
        ("a.md", "Feed.xml", "feed.xml"),  # one file on macOS and Windows
        ("world/a.md", "index.html", "world/index.html"),
        ("world/a.md", "feed.xml", "world/feed.xml"),
    ],
)
def test_a_slug_that_is_a_file_the_site_writes_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rel: str, slug: str, taken: str
) -> None:
    root = write_site(tmp_path / "site", {"b.md": fm(title="B", date="2026-01-01")}, CONFIG)
    assert run(root, capsys)[0] == 0
    before = tree(root / "public")
    (root / "content" / rel).parent.mkdir(exist_ok=True)
    (root / "content" / rel).write_text(fm(title="A", date="2026-01-02", slug=slug))
    rc, err = run(root, capsys)
    assert rc == 1
    line = next(ln for ln in err.splitlines() if "two pages want" in ln)
    assert line.startswith(f"error: content/{rel}: ")
    assert f"writes {taken}" in line and "cannot be both a file and a folder" in line
    assert "slug:" in line  # says what to do
    assert tree(root / "public") == before  # nothing published, nothing lost


def test_claims_are_one_generic_check() -> None:
    """Same file, file then folder, folder then file, and folders in another case."""
    claims = publish._Claims()
    assert claims.claim("a/b/index.html", "one") is None
    assert claims.claim("a/c/index.html", "two") is None
    same = claims.claim("a/b/index.html", "three")
    assert same is not None and "same output file a/b/index.html: one and three" in same.message
    file_over_folder = claims.claim("a/b", "four")
    assert file_over_folder is not None and "one writes a/b/index.html" in file_over_folder.message
    assert claims.claim("x.xml", "five") is None
    folder_over_file = claims.claim("x.xml/index.html", "six")
    assert folder_over_file is not None and "five writes x.xml" in folder_over_file.message
    case = claims.claim("A/d/index.html", "seven")
    assert case is not None and "letter case" in case.message


# ---------------------------------------------------------------- item 4: collisions


def test_slugs_differing_only_in_case_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = {
        "about.md": fm(title="One", date="2026-01-01"),
        "other.md": fm(title="Two", date="2026-01-02", slug="About"),
    }
    root = write_site(tmp_path / "site", articles, CONFIG)
    rc, err = run(root, capsys)
    assert rc == 1
    line = next(ln for ln in err.splitlines() if "two articles want" in ln)
    assert "content/about.md" in line and "content/other.md" in line
    assert "letter case" in line
    assert not (root / "public").exists()


def test_tags_and_sections_sharing_one_url_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = {
        "a.md": fm(title="A", date="2026-01-01", tags="['C++']"),
        "b.md": fm(title="B", date="2026-01-02", tags="['C#']"),
        "c.md": fm(title="C", date="2026-01-03", section="'C++'"),
        "d.md": fm(title="D", date="2026-01-04", section="'C#'"),
    }
    root = write_site(tmp_path / "site", articles, CONFIG)
    rc, err = run(root, capsys)
    assert rc == 1
    assert "the tags 'C++' (content/a.md) and 'C#' (content/b.md) would share one page" in err
    assert "/tags/c/" in err
    assert "the sections 'C++' (content/c.md) and 'C#' (content/d.md)" in err


def test_tags_differing_only_in_case_are_one_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = {
        "a.md": fm(title="A", date="2026-01-01", tags="[Harbour]"),
        "b.md": fm(title="B", date="2026-01-02", tags="[harbour]"),
    }
    root = write_site(tmp_path / "site", articles, CONFIG)
    assert run(root, capsys)[0] == 0
    page = (root / "public" / "tags" / "harbour" / "index.html").read_text()
    assert "/a/" in page and "/b/" in page


def test_an_article_at_a_sections_url_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = {
        "world/a.md": fm(title="A", date="2026-01-01"),
        "b.md": fm(title="B", date="2026-01-02", slug="World"),
    }
    root = write_site(tmp_path / "site", articles, CONFIG)
    rc, err = run(root, capsys)
    assert rc == 1
    assert "content/b.md: the article's URL /World/ is also the page of a section" in err
    assert "content/world/a.md" in err


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names are one form")
def test_nfc_and_nfd_twins_are_told_apart_by_code_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "site", {}, CONFIG)
    nfc, nfd = unicodedata.normalize("NFC", "café.md"), unicodedata.normalize("NFD", "café.md")
    try:
        (root / "content" / nfc).write_text(fm(title="One", date="2026-01-01"))
        (root / "content" / nfd).write_text(fm(title="Two", date="2026-01-02"))
    except OSError:  # pragma: no cover - a file system that normalizes names
        pytest.skip("file system normalizes names")
    if len(os.listdir(root / "content")) < 2:  # pragma: no cover
        pytest.skip("file system normalizes names")
    rc, err = run(root, capsys)
    assert rc == 1
    line = next(ln for ln in err.splitlines() if "Unicode form" in ln)
    assert "U+00E9" in line and "U+0301" in line


# ---------------------------------------------------------------- item 5: modes


def _mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_published_folders_follow_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], umask: None
) -> None:
    root = write_site(tmp_path / "site")
    for _ in range(3):  # the first tree, a tree made from hard links, a reused tree
        assert run(root, capsys)[0] == 0
        assert _mode(root / "public") == 0o755
        assert _mode(root / "public" / "archive") == 0o755
        assert _mode(root / "public" / "index.html") == 0o644


def test_a_tree_made_0700_by_an_older_digest_is_repaired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], umask: None
) -> None:
    root = write_site(tmp_path / "site")
    assert run(root, capsys)[0] == 0
    assert run(root, capsys)[0] == 0
    for tree_ in (root / "public", root / ".digest-staging-public"):
        os.chmod(tree_, 0o700)
    for _ in range(2):
        assert run(root, capsys)[0] == 0
        assert _mode(root / "public") == 0o755


def test_a_symlinked_output_keeps_its_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], umask: None
) -> None:
    root = write_site(tmp_path / "site")
    (root / "www").mkdir()
    os.chmod(root / "www", 0o755)
    (root / "public").symlink_to("www")
    for _ in range(2):
        assert run(root, capsys)[0] == 0
        assert (root / "public").is_symlink()
        assert _mode(root / "www") == 0o755
        assert (root / "www" / "index.html").is_file()


def test_a_read_only_output_is_refused_in_the_users_terms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], unprivileged: None
) -> None:
    root = write_site(tmp_path / "site")
    assert run(root, capsys)[0] == 0
    before = tree(root / "public")
    os.chmod(root / "public", 0o555)
    try:
        for _ in range(2):
            rc, err = run(root, capsys)
            assert rc == 1
            assert "output folder public is read-only" in err and "chmod" in err
            assert ".digest-staging" not in err
            assert tree(root / "public") == before
            assert _mode(root / "public") == 0o555
    finally:
        os.chmod(root / "public", 0o755)
    assert run(root, capsys)[0] == 0


def test_a_read_only_staging_tree_is_ours_to_repair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], umask: None, unprivileged: None
) -> None:
    """What a read-only public/ became once swapped out by an older digest (as root too:
    see conftest.unprivileged)."""
    root = write_site(tmp_path / "site")
    assert run(root, capsys)[0] == 0
    assert run(root, capsys)[0] == 0
    staging = root / ".digest-staging-public"
    for p in [staging, *staging.rglob("*")]:
        if p.is_dir():
            os.chmod(p, 0o555)
    (root / "content" / "world" / "2026-03-09-new.md").write_text(
        fm(title="New one", date="2026-03-09")
    )
    rc, err = run(root, capsys)
    assert rc == 0, err
    assert (root / "public" / "world" / "new-one").is_dir() or any(
        "New one" in p.read_text() for p in (root / "public" / "world").rglob("index.html")
    )
    assert _mode(root / "public") == 0o755


def test_a_staging_path_in_a_message_says_what_it_is(tmp_path: Path) -> None:
    out = tmp_path / "public"
    exc = PermissionError(13, "Permission denied", str(tmp_path / ".digest-staging-public" / "x"))
    text = str(publish._write_problem(exc, out))
    assert "the copy of the site digest keeps beside" in text and "safe to delete" in text


# ---------------------------------------------------------------- item 6: --output


def test_output_option_inside_content_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "site")
    rc, err = run(root, capsys, "--output", "content/out")
    assert rc == 1
    assert "--output: 'content/out' is inside the content folder" in err
    assert not (root / "content" / "out").exists()


# ---------------------------------------------------------------- item 7: symlinks


def test_symlinked_bookkeeping_paths_are_never_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "site")
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep")
    (root / ".digest-stamps-public.json").symlink_to(notes)
    (root / ".digest-staging-public.lock").symlink_to(notes)
    (root / ".digest-cache").symlink_to(elsewhere)
    (root / ".digest-staging-public").symlink_to(elsewhere)
    (root / ".digest-old-public-1").symlink_to(elsewhere)
    (root / ".digest-new-public-1").symlink_to(elsewhere)
    for _ in range(3):
        assert run(root, capsys)[0] == 0
        assert notes.read_text() == "my notes"
        assert sorted(os.listdir(elsewhere)) == ["keep.txt"]
        assert (elsewhere / "keep.txt").read_text() == "keep"
        for name in (".digest-stamps-public.json", ".digest-staging-public.lock", ".digest-cache"):
            assert not (root / name).is_symlink()
        assert not (root / "public").is_symlink()
    # a symlink inside the cache folder: the database is not written elsewhere either
    db = root / ".digest-cache" / "cache.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    db.symlink_to(notes)
    assert run(root, capsys)[0] == 0
    assert notes.read_text() == "my notes"
    assert not db.is_symlink()


def test_clean_all_removes_links_not_what_they_point_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "site")
    assert run(root, capsys)[0] == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep")
    import shutil

    shutil.rmtree(root / ".digest-staging-public", ignore_errors=True)
    shutil.rmtree(root / ".digest-cache")
    (root / ".digest-staging-public").symlink_to(elsewhere)
    (root / ".digest-cache").symlink_to(elsewhere)
    old = Path.cwd()
    os.chdir(root)
    try:
        assert main(["clean", "--all"]) == 0
    finally:
        os.chdir(old)
    assert (elsewhere / "keep.txt").read_text() == "keep"
    assert not (root / ".digest-staging-public").exists()
    assert not (root / "public").exists()
