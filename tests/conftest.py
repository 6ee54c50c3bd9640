"""Shared fixtures: small sites built in tmp_path."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from digest.build import BuildResult

# A hang guard, not a speed target (speed is measured by the bench/ scripts, which print
# figures): the bounded code under such a test takes about a second, even on a busy CI
# machine, where the same input ran for minutes before it was bounded.  Generous, so a
# loaded machine never fails a test that only checks the work is bounded.
HANG_SECONDS = 120.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


ARTICLES = {
    "world/2026-03-01-harbour-wall.md": """\
        ---
        title: "Harbour wall repairs begin in Port Ellis"
        date: 2026-03-01
        tags: [harbour, repairs]
        source: "Ellis Gazette (test)"
        source_url: "https://example.com/harbour-wall"
        ---
        Work to repair the harbour wall in Port Ellis began on Monday after winter storms cracked the old stone.

        The council said the repairs would cost £2.4m and take about eight months to finish.

        Fishing boats will moor at the north quay while the harbour wall is closed, the harbour master said.

        ## Background

        The wall was built in 1891 and was last repaired in 1978.

        - Boats will move on Friday.
        - The cafe stays open.
        """,
    "world/2026-03-05-harbour-funding.md": """\
        ---
        title: "Port Ellis harbour wall gets extra funding"
        date: 2026-03-05
        tags: [harbour, funding]
        source: "Ellis Gazette (test)"
        ---
        The national government has added £600,000 to the budget for the Port Ellis harbour wall repairs.

        Council leaders said the extra money would pay for a stronger concrete core inside the old stone harbour wall.

        The repairs began last week and are expected to finish before the autumn storms.
        """,
    "science/2026-03-03-moth-survey.md": """\
        ---
        title: "Volunteers count a record number of moths"
        date: 2026-03-03
        tags: [wildlife, volunteers]
        ---
        Volunteers in the Ellis valley counted more moths this year than in any survey since records began.

        The survey found 312 species, up from 280 two years ago. Dr. Ana Ruiz said the warm spring had helped.

        Light traps were set in 40 gardens over three nights in late June.
        """,
    "science/2026-03-07-moth-followup.md": """\
        ---
        title: "Moth survey volunteers plan a second count"
        date: 2026-03-07
        tags: [wildlife, volunteers]
        summary: "Volunteers will repeat the moth survey in the autumn."
        ---
        After the record moth survey, the volunteers will repeat the count in the autumn to compare the seasons.

        The survey organisers want more gardens with light traps and are asking for new volunteers.
        """,
}


def write_site(
    root: Path, articles: dict[str, str] | None = None, config: str | None = None
) -> Path:
    """A small site in ``root``: site.yaml + content/ files (dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(
        config
        if config is not None
        else textwrap.dedent("""\
        title: "Test Digest"
        description: "A test site"
        base_url: "https://example.org/"
        related:
          min_score: 0.05
        """),
        encoding="utf-8",
    )
    for rel, text in (ARTICLES if articles is None else articles).items():
        p = root / "content" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site")


def run_build(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`digest build` for the site in root, run from root (messages name files relative
    to the working directory): (exit status, stderr).  Never a traceback."""
    from digest.cli import main

    capsys.readouterr()
    old = Path.cwd()
    os.chdir(root)
    try:
        rc = main(["build", "--config", str(root / "site.yaml"), *args])
    finally:
        os.chdir(old)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return rc, err


def build_site(site: Path, **opts: Any) -> BuildResult:
    """Build the site at ``site`` in-process (BuildOptions from keyword arguments)."""
    from digest.build import BuildOptions, build  # here: conftest imports no digest stage
    from digest.config import load_config

    return build(load_config(site / "site.yaml"), BuildOptions(**opts))


# An article of write_site's default site, and one to add to it (tests of edits)
MOTHS = "content/science/2026-03-03-moth-survey.md"
FERRY = """\
---
title: "Ferry timetable changes for the summer"
date: 2026-03-09
tags: [harbour, ferry]
---
The ferry to Port Ellis will run every hour from June, the operator said on Tuesday.
"""


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first ``old`` (which must be there) in the site's file ``rel``."""
    f = root / rel
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str = MOTHS, text: str = "\nA second survey follows in May.\n") -> None:
    """Add ``text`` (a sentence of its own) at the end of the site's file ``rel``."""
    f = root / rel
    f.write_text(f.read_text(encoding="utf-8") + text, encoding="utf-8")


def build_once(root: Path, out: Path, use_cache: bool = True) -> None:
    """Build the site in ``root`` into ``out`` in this process, without worker processes
    (a new process's build, as far as the cache goes: no session)."""
    from digest.build import BuildOptions, build
    from digest.config import load_config

    build(load_config(root / "site.yaml"), BuildOptions(output=out, use_cache=use_cache, jobs=1))


def cold_tree(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The files of a cold build (no cache) of the site in ``root``, by path."""
    build_once(root, tmp_path / "cold", use_cache=False)
    return tree(tmp_path / "cold")


def stored(root: Path, ns: str, key: str) -> Any:
    """What the cache of the site in ``root`` holds under (ns, key) (None: nothing)."""
    from digest import cache

    with cache.Cache(root / ".digest-cache") as store:
        return store.get(ns, key)


def store_value(root: Path, ns: str, key: str, value: Any) -> None:
    """Put ``value`` under (ns, key) in the cache of the site in ``root``."""
    from digest import cache

    with cache.Cache(root / ".digest-cache") as store:
        store.put(ns, key, value)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by its relative path: two trees compare byte for byte."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def spy(
    monkeypatch: pytest.MonkeyPatch,
    owner: object,
    name: str,
    record: Callable[..., None] | None = None,
    result: Callable[[Any], None] | None = None,
) -> None:
    """Replace ``owner.name`` (a module's function, or a class's method: ``self`` comes
    first) by one that calls ``record`` with its arguments, then the real one, then
    ``result`` with what it returned: what a test counts of a stage's work without
    changing it."""
    real = getattr(owner, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        if record is not None:
            record(*args, **kwargs)
        got = real(*args, **kwargs)
        if result is not None:
            result(got)
        return got

    monkeypatch.setattr(owner, name, recorded)


@pytest.fixture
def unprivileged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folder and file permissions as a user who is not root meets them.  Many CI
    containers run the tests as root, who may write in a read-only folder (chmod 555):
    a test that makes one would pass even with the code it guards taken out.  As root,
    this makes the calls that add, remove or rename an entry of a folder lacking its
    owner's write bit, or open a file lacking it for writing, fail with EACCES, as they
    do for the owner who is not root (the os functions digest and shutil call, and
    open())."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return  # (the real permissions apply)
    import builtins
    import errno
    import io
    import stat

    def where(path: Any, dir_fd: int | None) -> str:
        path = os.fsdecode(path)
        if dir_fd is not None and not os.path.isabs(path):
            path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
        return os.path.abspath(path)

    def writable(path: str) -> bool:
        try:
            return bool(os.stat(path).st_mode & stat.S_IWUSR)
        except OSError:
            return True  # (missing: the real call says so)

    def entries_of(path: Any, dir_fd: int | None = None) -> None:
        """Raise as a change to ``path``'s entry in its folder would, the folder being
        read-only."""
        full = where(path, dir_fd)
        if not writable(os.path.dirname(full)):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), full)

    def opened(path: Any, writes: bool, creates: bool, dir_fd: int | None = None) -> None:
        if not writes or isinstance(path, int):
            return
        full = where(path, dir_fd)
        if os.path.lexists(full):
            if not writable(full):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), full)
        elif creates:
            entries_of(full)

    real = {n: getattr(os, n) for n in ("open", "mkdir", "rename", "replace", "unlink")}
    real.update({n: getattr(os, n) for n in ("remove", "rmdir", "link", "symlink")})
    real_open = builtins.open

    def os_open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        writes = bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_TRUNC))
        opened(path, writes, bool(flags & os.O_CREAT), dir_fd)
        return real["open"](path, flags, mode, dir_fd=dir_fd)

    def one_path(name: str) -> Callable[..., Any]:
        def call(path: Any, *args: Any, dir_fd: int | None = None, **kw: Any) -> Any:
            entries_of(path, dir_fd)
            if dir_fd is not None:
                kw["dir_fd"] = dir_fd
            return real[name](path, *args, **kw)

        return call

    def two_paths(name: str) -> Callable[..., Any]:
        def call(src: Any, dst: Any, *args: Any, **kw: Any) -> Any:
            if name != "link" and name != "symlink":
                entries_of(src, kw.get("src_dir_fd", kw.get("dir_fd")))
            entries_of(dst, kw.get("dst_dir_fd", kw.get("dir_fd")))
            return real[name](src, dst, *args, **kw)

        return call

    def py_open(file: Any, mode: str = "r", *args: Any, **kw: Any) -> Any:
        opened(file, any(c in mode for c in "wax+"), any(c in mode for c in "wax"))
        return real_open(file, mode, *args, **kw)

    monkeypatch.setattr(os, "open", os_open)
    for name in ("mkdir", "unlink", "remove", "rmdir"):
        monkeypatch.setattr(os, name, one_path(name))
    for name in ("rename", "replace", "link", "symlink"):
        monkeypatch.setattr(os, name, two_paths(name))
    monkeypatch.setattr(builtins, "open", py_open)
    monkeypatch.setattr(io, "open", py_open)
