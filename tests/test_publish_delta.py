"""A session's publish settles by what changed since its last build (session 38): the
bulk of unchanged pages settled by the paths that changed (publish._settle_delta), the
stamps file's big dicts encoded by parts (publish._Chunked), big pages and the marker
hashed from where they differ (publish._Hashed).  What it publishes and records is what
a build looking at everything publishes and records."""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from conftest import edit, spy, tree, write_site
from test_edit_rebuild import NEW
from test_session import _append, _many

from digest import publish
from digest.build import BuildOptions, Session, build
from digest.config import load_config

FIRST = "content/world/2026-02-01-item-0.md"

STEPS: list[Callable[[Path], object]] = [
    lambda site: None,  # (no change)
    lambda site: edit(site, FIRST, "part 0", "part zero"),  # a title
    lambda site: edit(site, FIRST, "date: 2026-02-01", "date: 2026-02-11"),  # a date
    lambda site: _append(site, FIRST, "\nThe harbour budget was cut again on Friday.\n"),
    lambda site: None,
    lambda site: (site / "content/science/2026-02-02-item-1.md").unlink(),  # a deletion
    lambda site: (site / "content/world/2026-02-27-new.md").write_text(NEW, encoding="utf-8"),
    lambda site: edit(site, "content/world/2026-02-27-new.md", "every hour", "each hour"),
    lambda site: (site / "content/world/2026-02-27-new.md").unlink(),
    lambda site: _append(site, FIRST, "\nThe ferry budget was cut on Monday.\n"),
]


def _recorded(live: Path) -> None:
    """The stamps file records, for each tree, exactly the files its marker lists, each
    with the [size, mtime_ns] it has: what a new process trusts."""
    data = msgspec.json.decode(publish.stamps_file(live).read_bytes())
    for root in (live, publish.staging_dir(live)):
        marker = root / ".digest-output"
        if not marker.exists():
            continue
        files = json.loads(marker.read_text(encoding="utf-8"))["files"]
        stamps = data[publish._tree_id(root)]
        assert stamps.keys() == files.keys()
        for rel, stamp in stamps.items():
            st = os.lstat(root / rel)
            assert stamp == [st.st_size, st.st_mtime_ns], rel
            assert hashlib.sha256((root / rel).read_bytes()).hexdigest() == files[rel], rel


@pytest.mark.parametrize("private", [True, False])
def test_a_sessions_edits_settled_by_what_changed_give_a_cold_builds_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private: bool
) -> None:
    site = write_site(tmp_path / "site", _many(40))
    live, session = tmp_path / "live", Session()
    options = BuildOptions(output=live, jobs=1, private=private)
    config = load_config(site / "site.yaml")
    settled: list[bool] = []
    spy(monkeypatch, publish, "_settle_delta", result=lambda got: settled.append(got is not None))
    for n, step in enumerate([lambda site: None] * 3 + STEPS):
        step(site)
        build(config, options, session=session)
        cold = tmp_path / f"cold{n}"
        build(config, BuildOptions(output=cold, use_cache=False, jobs=1))
        assert tree(live) == tree(cold), n
        _recorded(live)
    # (an edit that adds a path, a story page say, has its claims checked page by page)
    assert settled.count(True) >= 5


def test_a_new_process_after_settled_session_builds_trusts_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamps a session recorded by parts are the files' stamps: a new process's
    build reads no unchanged file back (a file read is one whose stamp differs)."""
    site = write_site(tmp_path / "site", _many(40))
    live, session = tmp_path / "live", Session()
    config = load_config(site / "site.yaml")
    for step in [lambda site: None] * 3 + STEPS[1:5]:
        step(site)
        build(config, BuildOptions(output=live, jobs=1), session=session)
    read: list[str] = []
    real = publish._holds

    def holds(
        target: str, digest: str, content: bytes | None, stamp: list[int] | None = None
    ) -> list[int] | None:
        got = real(target, digest, content, stamp)
        if got is None or stamp is None or got != list(stamp):
            read.append(target)
        return got

    monkeypatch.setattr(publish, "_holds", holds)
    build(config, BuildOptions(output=live, jobs=1))
    assert read == []
    build(config, BuildOptions(output=tmp_path / "cold", use_cache=False, jobs=1))
    assert tree(live) == tree(tmp_path / "cold")


def test_a_dicts_json_by_parts_is_the_dict_derivation_after_derivation() -> None:
    rng = random.Random(1)
    first = {f"p{i}": [i, i * 7] for i in range(1000)}
    versions = [(first, publish._Chunked.of(first))]
    for step in range(200):
        old, parts = rng.choice(versions[-3:])  # (one made from another, or older)
        new, keys = dict(old), set()
        for _ in range(rng.randrange(0, 40)):
            key = f"p{rng.randrange(1300)}"
            keys.add(key)
            if rng.random() < 0.4:
                new.pop(key, None)
            else:
                new[key] = [rng.randrange(9), step]
        made = parts.derive(new, keys)
        pairs = json.loads(made.json(), object_pairs_hook=lambda pairs: pairs)
        assert dict(pairs) == new and len(pairs) == len(new), step  # (no key twice)
        assert msgspec.json.decode(parts.json()) == old  # (the older one unchanged)
        versions.append((new, made))


def test_a_page_hashed_from_where_it_differs_has_its_sha256() -> None:
    rng = random.Random(3)
    data = rng.randbytes(1_500_000)
    hashed = publish._hashed(data)
    assert hashed.digest == hashlib.sha256(data).hexdigest()
    for n in range(24):
        changed = bytearray(hashed.data)
        at = rng.randrange(len(changed))
        if n % 3 == 0:
            changed[at:at] = b"xyz"
        elif n % 3 == 1:
            del changed[at : at + rng.randrange(1, 300_000)]
        else:
            changed[at] ^= 1
        hashed = publish._hashed(bytes(changed), hashed)
        assert hashed.digest == hashlib.sha256(changed).hexdigest(), n
    for data in (b"", b"x" * publish._BLOCK, b"x" * (publish._BLOCK + 1)):
        assert publish._hashed(data, hashed).digest == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("n", [1, 7, 9, 20, 127, 1000])
def test_a_sessions_share_looks_at_every_file_within_look_share_builds(
    tmp_path: Path, n: int
) -> None:
    """A hand edit made in place in the live site reaches the staging tree through the
    hard link the two share: a session's builds look at a share of the files each, and
    every file is in one of any LOOK_SHARE builds' shares in a row (the share goes round
    the end of the list: it once skipped the first few files for good)."""
    staging, output = tmp_path / "staging", tmp_path / "output"
    staging.mkdir()
    output.mkdir()
    files = {f"news/{i}/index.html": f"{i:064x}" for i in range(n)}
    ids = publish._tree_id(output), publish._tree_id(staging)
    cursor, shares = 0, []
    for _ in range(3 * publish.LOOK_SHARE):
        kept = publish.Kept(files, publish._layout(files), ids[0], "live", ids[1], "other", cursor)
        look = kept.look(staging, "other", output, "live")
        assert look.check is not None
        shares.append(look.check)
        cursor = look.cursor
    for i in range(len(shares) - publish.LOOK_SHARE + 1):
        assert set().union(*shares[i : i + publish.LOOK_SHARE]) == files.keys(), i
