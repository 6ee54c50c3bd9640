"""Random runs of edits in one long-lived session (``digest build --watch``, ``digest
serve``): after every edit the site published is byte for byte what a cold build of the
same content makes.  Each stage of a session's rebuild takes shortcuts for what did not
change (reused objects, kept lists, pages handed on in bulk); a run of mixed edits (bodies,
titles, dates that move an article to another edition, articles added, removed, renamed,
made near copies of another so stories form and split) checks them together, as a
user's editing would.  Seeded: a failure names its seed and step, and repeats."""

from __future__ import annotations

import os
import random
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import tree

from digest import watch
from digest.build import BuildOptions, Session, build
from digest.config import load_config

SITE_YAML = """\
title: "Random edits"
base_url: "https://example.org/news/"
pagination:
  size: 4
"""

_PLACES = ["Kestrel Bay", "Marlow", "Port Ellen", "Dunmore", "Ashby", "Corran"]
_THINGS = ["ferry", "bridge", "library", "harbour wall", "school roof", "flood barrier"]
_SAYERS = ["the council", "a spokeswoman", "the operator", "local residents", "the minister"]


def _article(rng: random.Random, i: int, day: int, place: str, thing: str) -> str:
    """An article about ``thing`` in ``place``: several sentences, some shared with other
    articles of the same pair (so related links and stories have something to find)."""
    n = rng.randint(3, 7)
    sentences = [
        f"The {thing} at {place} will close for {rng.randint(2, 30)} days from Monday.",
        f"Work on the {thing} was ordered after an inspection found cracks in {place}.",
        f"{rng.choice(_SAYERS).capitalize()} said the closure of the {thing} was unavoidable.",
        f"About {rng.randint(100, 9000)} people use the {thing} at {place} every day.",
        f"Repairs to the {thing} are expected to cost {rng.randint(1, 90)} million pounds.",
        f"A temporary service will run while the {thing} in {place} is shut.",
        f"The last major repair of the {thing} took place in {rng.randint(1960, 2020)}.",
    ]
    rng.shuffle(sentences)
    body = "\n\n".join(" ".join(sentences[k : k + 2]) for k in range(0, n, 2))
    return (
        textwrap.dedent(f"""\
        ---
        title: "{thing.capitalize()} at {place} to close, report {i}"
        date: 2026-03-{day:02d}
        tags: [{thing.split()[0]}, {place.split()[0].lower()}]
        ---
        """)
        + body
        + "\n"
    )


class _Site:
    """A site on disk and the random edits made to it."""

    def __init__(self, root: Path, rng: random.Random, n: int) -> None:
        self.root, self.rng, self.next = root, rng, 0
        self.aged = 0  # stamps given by age()
        (root / "content").mkdir(parents=True)
        (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        for _ in range(n):
            self.add()

    def files(self) -> list[Path]:
        return sorted((self.root / "content").rglob("*.md"))

    def add(self) -> str:
        rng, i = self.rng, self.next
        self.next += 1
        section = rng.choice(["world", "uk", "science"])
        day = rng.randint(1, 6)
        path = self.root / "content" / section / f"2026-03-{day:02d}-report-{i}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            _article(rng, i, day, rng.choice(_PLACES), rng.choice(_THINGS)), encoding="utf-8"
        )
        return f"added {path.name}"

    def _pick(self) -> Path:
        return self.rng.choice(self.files())

    def append(self) -> str:
        p = self._pick()
        with open(p, "a", encoding="utf-8") as f:
            f.write(f"\nA further statement is expected on {self.rng.choice(_PLACES)}.\n")
        return f"appended to {p.name}"

    def retitle(self) -> str:
        p = self._pick()
        text = p.read_text(encoding="utf-8")
        p.write_text(text.replace("to close", self.rng.choice(["to shut", "closes"]), 1), "utf-8")
        return f"retitled {p.name}"

    def redate(self) -> str:
        p = self._pick()
        text = p.read_text(encoding="utf-8")
        day = self.rng.randint(1, 9)
        lines = [
            f"date: 2026-03-{day:02d}" if line.startswith("date:") else line
            for line in text.split("\n")
        ]
        p.write_text("\n".join(lines), encoding="utf-8")
        return f"redated {p.name} to day {day}"

    def remove(self) -> str:
        files = self.files()
        if len(files) <= 3:
            return self.add()
        p = self.rng.choice(files)
        p.unlink()
        return f"removed {p.name}"

    def rename(self) -> str:
        p = self._pick()
        target = p.with_name(p.stem + "-moved.md")
        if target.exists():
            return self.append()
        p.rename(target)
        return f"renamed {p.name}"

    def copy(self) -> str:
        """Make one article a near copy of another: the two are one story now (or one
        story loses an article when the copy overwrites one of its members)."""
        a, b = self.rng.sample(self.files(), 2)
        text = a.read_text(encoding="utf-8").replace("report", "update", 1)
        b.write_text(text + "\nOfficials gave no further detail.\n", encoding="utf-8")
        return f"{b.name} made a copy of {a.name}"

    def age(self) -> None:
        """The files saved in the last minute get an mtime an hour back (each one of its
        own): a stamp that recent is one a build looks at again whatever it is told, so
        only old stamps let a watched session take the shortcut being tested."""
        now = time.time_ns()
        for p in self.files():
            if p.stat().st_mtime_ns > now - 60 * 10**9:
                self.aged += 1
                old = now - 3600 * 10**9 + self.aged * 1000
                os.utime(p, ns=(old, old))

    def touch(self) -> str:
        """Saved without a change (an editor's save)."""
        p = self._pick()
        p.write_bytes(p.read_bytes())
        return f"saved {p.name} unchanged"

    def edits(self) -> list[Callable[[], str]]:
        return [
            self.append,
            self.append,
            self.retitle,
            self.redate,
            self.add,
            self.remove,
            self.rename,
            self.copy,
            self.touch,
        ]


def _build(root: Path, out: Path, session: Session | None, use_cache: bool) -> None:
    config = load_config(root / "site.yaml")
    build(config, BuildOptions(output=out, use_cache=use_cache, jobs=1), session=session)


@pytest.mark.parametrize("watched", [False, True], ids=["unwatched", "watched"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_in_a_session_each_give_a_cold_builds_site(
    tmp_path: Path, seed: int, watched: bool
) -> None:
    """``watched``: the session is told which files changed, as digest.watch.Watcher tells
    it (``digest build --watch``, ``digest serve``), and looks again at those only."""
    rng = random.Random(seed)
    site = _Site(tmp_path / "site", rng, 24)
    live = tmp_path / "live"
    session = Session()
    roots = watch.watch_paths(site.root / "site.yaml", site.root / "content")
    if watched:
        site.age()
        session.watching([str(p) for p in roots])
    snap = watch.snapshot(roots)
    _build(site.root, live, session, use_cache=True)
    done: list[str] = []
    for step in range(14):
        # one to three edits between two builds (a burst the watcher sees as one)
        for _ in range(rng.choice([1, 1, 2, 3])):
            done.append(rng.choice(site.edits())())
        if watched:
            site.age()
            new = watch.snapshot(roots)
            session.changed({p for p in snap.keys() | new.keys() if snap.get(p) != new.get(p)})
            snap = new
        _build(site.root, live, session, use_cache=True)
        cold = tmp_path / f"cold-{step}"
        _build(site.root, cold, None, use_cache=False)
        assert tree(live) == tree(cold), f"seed {seed}, step {step}: {done}"
