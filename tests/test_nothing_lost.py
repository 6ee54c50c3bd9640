"""Nothing lost: a failed or killed build leaves the last good site whole, the same
input gives the same bytes, and the cache can be deleted or corrupted freely."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_site

from digest import publish
from digest.cli import main

WORDS = (
    "council harbour wall storm repair fishing boat volunteer survey moth garden river "
    "bridge school budget election mayor festival museum train station hospital"
).split()


def generated_articles(n: int, seed: int, edit: int = 0) -> dict[str, str]:
    """n deterministic articles; `edit` changes every 7th one (a different build)."""
    rng = random.Random(seed)
    out = {}
    for i in range(n):
        sec = rng.choice(["world", "science", "local", "sport"])

        def sentence() -> str:
            return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."

        body = "\n\n".join(" ".join(sentence() for _ in range(3)) for _ in range(4))
        title = f"Story {i} about the {rng.choice(WORDS)}"
        if edit and i % 7 == 0:
            title += f" (update {edit})"
            body += f"\n\nAn update number {edit} was added to this story today."
        out[f"{sec}/2025-{1 + i % 12:02d}-{1 + i % 28:02d}-story-{i}.md"] = (
            f"---\ntitle: {title}\ntags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n---\n{body}\n"
        )
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(root: Path, *args: str) -> int:
    return main(["build", "--config", str(root / "site.yaml"), "-q", *args])


def set_content(root: Path, articles: dict[str, str]) -> None:
    shutil.rmtree(root / "content")
    write_site(root, articles, (root / "site.yaml").read_text())


def strays(root: Path) -> list[str]:
    return sorted(
        p.name for p in root.iterdir() if p.name.startswith((".digest-new-", ".digest-old-"))
    )


# ---------------------------------------------------------------- failed builds


def test_failed_builds_leave_previous_site_byte_identical(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(site) == 0
    before = snapshot(site / "public")
    # bad content
    bad = site / "content/world/bad.md"
    bad.write_text("---\ntitle: Bad\ndate: 2024-02-30\n---\nText.\n")
    assert build(site) == 1
    assert snapshot(site / "public") == before
    bad.unlink()
    # a template that fails while rendering
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text("{{ nope.nothing }}")
    assert build(site) == 1
    assert snapshot(site / "public") == before
    shutil.rmtree(site / "templates")
    # two pages for one output file
    (site / "content/tags.md").write_text("---\ntitle: Tags\ndate: 2024-01-01\n---\nText.\n")
    assert build(site) == 1
    assert snapshot(site / "public") == before
    assert "Traceback" not in capsys.readouterr().err
    assert strays(site) == []


def test_write_error_while_publishing_leaves_previous_site(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(site) == 0
    before = snapshot(site / "public")
    (site / "content/world/2026-03-09-new.md").write_text(
        "---\ntitle: New story\n---\nA new story about the harbour. It changes pages.\n"
    )
    real = publish._write
    calls = {"n": 0}

    def failing(target: str, data: bytes) -> list[int]:
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(28, "No space left on device")
        return real(target, data)

    monkeypatch.setattr(publish, "_write", failing)
    rc = build(site)
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert rc == 1
    assert "cannot write the site" in err and "No space left on device" in err
    assert "Traceback" not in err
    assert snapshot(site / "public") == before
    assert strays(site) == []
    assert build(site) == 0  # and the next build recovers
    assert (site / "public/world/new/index.html").is_file()


def test_interrupted_two_rename_swap_is_recovered(site: Path, tmp_path: Path) -> None:
    """Where renameat2 is missing: killed between the two renames, the old site comes back."""
    assert build(site) == 0
    before = snapshot(site / "public")
    old = site / ".digest-old-public-12345"
    os.rename(site / "public", old)  # the state after the first rename
    (site / ".digest-new-public-abc").mkdir()  # a half-written new tree
    publish.recover(site / "public")
    assert snapshot(site / "public") == before
    assert strays(site) == []


def test_two_rename_swap_fallback_builds_the_same_site(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build(site) == 0
    ref = snapshot(site / "public")
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    assert build(site) == 0
    assert snapshot(site / "public") == ref
    assert build(site) == 0
    assert snapshot(site / "public") == ref
    assert strays(site) == []


def test_output_edited_in_place_is_rewritten_not_trusted(site: Path, tmp_path: Path) -> None:
    """A file changed in public/ after a build (by hand, a deploy step...) is not kept:
    the next build of the same input writes exactly what a fresh build writes."""
    assert build(site, "--output", str(tmp_path / "fresh")) == 0
    ref = snapshot(tmp_path / "fresh")
    for _ in range(3):  # so the staging tree is a previous site, not a fresh copy
        assert build(site) == 0
    with open(site / "public/index.html", "r+b") as f:  # in place: same inode
        f.write(b"<!-- tampered -->")
    with open(site / "public/articles.json", "ab") as f:
        f.write(b"tampered")
    assert build(site) == 0
    assert snapshot(site / "public") == ref
    assert build(site) == 0
    assert snapshot(site / "public") == ref


# ---------------------------------------------------------------- same input, same bytes


def test_same_input_same_bytes_across_hash_seeds_and_cache(site: Path, tmp_path: Path) -> None:
    outs = []
    for i, (seed, extra) in enumerate([("1", []), ("2", []), ("3", ["--no-cache"])]):
        out = tmp_path / f"out{i}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "digest", "build", "-q", "--output", str(out), *extra],
            cwd=site,
            env=env,
            check=True,
            timeout=120,
        )
        outs.append(snapshot(out))
    assert outs[0] == outs[1] == outs[2] and len(outs[0]) > 10


def test_cache_deleted_or_corrupted_does_not_change_output(site: Path, tmp_path: Path) -> None:
    assert build(site, "--output", str(tmp_path / "ref")) == 0
    ref = snapshot(tmp_path / "ref")
    cache = site / ".digest-cache"
    if not cache.is_dir():
        pytest.skip("this build writes no .digest-cache/")
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files
    # corrupted: garbage, truncated, and zero-length files
    for i, p in enumerate(files):
        data = p.read_bytes()
        p.write_bytes([b"garbage" * 100, data[: len(data) // 2], b""][i % 3])
    assert build(site, "--output", str(tmp_path / "corrupt")) == 0
    assert snapshot(tmp_path / "corrupt") == ref
    # corrupted in the middle only (a torn write)
    for p in [p for p in cache.rglob("*") if p.is_file()]:
        data = bytearray(p.read_bytes())
        for j in range(len(data) // 3, min(len(data), len(data) // 3 + 64)):
            data[j] ^= 0x5A
        p.write_bytes(bytes(data))
    assert build(site, "--output", str(tmp_path / "torn")) == 0
    assert snapshot(tmp_path / "torn") == ref
    # deleted
    shutil.rmtree(cache)
    assert build(site, "--output", str(tmp_path / "deleted")) == 0
    assert snapshot(tmp_path / "deleted") == ref


def test_cache_path_taken_by_a_file_builds_without_cache(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(site, "--output", str(tmp_path / "ref")) == 0
    ref = snapshot(tmp_path / "ref")
    shutil.rmtree(site / ".digest-cache", ignore_errors=True)
    (site / ".digest-cache").write_text("not a folder")
    assert build(site, "--output", str(tmp_path / "file")) == 0
    assert snapshot(tmp_path / "file") == ref
    assert "Traceback" not in capsys.readouterr().err


# ---------------------------------------------------------------- SIGKILL


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_at_random_moments_leaves_old_or_new_site_whole(tmp_path: Path) -> None:
    rng = random.Random(20261128)
    root = write_site(tmp_path / "site", generated_articles(200, seed=1), "title: Kill test\n")
    cmd = [sys.executable, "-m", "digest", "build", "-q"]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run(cmd, cwd=root, env=env, check=True, timeout=120)
    old = snapshot(root / "public")
    shutil.copytree(root / "public", tmp_path / "old-copy")
    # the new site, built elsewhere for reference (and timed)
    set_content(root, generated_articles(200, seed=1, edit=1))
    subprocess.run([*cmd, "--output", str(tmp_path / "ref")], cwd=root, env=env, check=True)
    new = snapshot(tmp_path / "ref")
    # timed again with a warm cache, as the killed builds below run
    t = time.perf_counter()
    subprocess.run([*cmd, "--output", str(tmp_path / "ref2")], cwd=root, env=env, check=True)
    duration = time.perf_counter() - t
    assert snapshot(tmp_path / "ref2") == new
    assert old != new
    outcomes = []
    leaked = 0
    for _ in range(15):
        if snapshot(root / "public") != old:  # start every run from the old site
            shutil.rmtree(root / "public")
            shutil.copytree(tmp_path / "old-copy", root / "public")
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, start_new_session=True, stdout=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.2, 1.1) * duration)
        proc.send_signal(signal.SIGKILL)  # the build process only, as `kill -9 PID` does
        proc.wait()
        time.sleep(0.2)
        try:  # worker processes it left behind (see the report): counted, then cleaned up
            os.killpg(proc.pid, signal.SIGKILL)
            leaked += 1
        except ProcessLookupError:
            pass
        got = snapshot(root / "public")
        assert got in (old, new), "public/ is neither the old nor the new site"
        outcomes.append("new" if got == new else "old")
    # a normal build afterwards finishes the job and cleans up
    subprocess.run(cmd, cwd=root, env=env, check=True, timeout=120)
    assert snapshot(root / "public") == new
    assert strays(root) == []
    print(f"SIGKILL outcomes over {len(outcomes)} runs: {outcomes}; {leaked} left workers behind")


def test_file_edited_during_a_build_never_poisons_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source edited between the moment its bytes are hashed (the cache key) and the
    moment it is read: the result of the edited bytes must not be stored under the
    original bytes' key, or restoring the original later brings the edit back."""
    from digest import collect

    root = write_site(
        tmp_path,
        {"2026-01-01-a.md": "---\ntitle: Alpha\n---\nThe original sentence is here.\n"},
        "title: T\n",
    )
    src = root / "content" / "2026-01-01-a.md"
    original = src.read_bytes()
    of = collect.Digests.of

    def hash_then_edit(self, s, st):  # the edit lands right after the hash
        digest = of(self, s, st)
        src.write_text("---\ntitle: Alpha\n---\nAn edited sentence was saved mid-build.\n")
        return digest

    monkeypatch.setattr(collect.Digests, "of", hash_then_edit)
    assert build(root) == 0
    monkeypatch.undo()
    src.write_bytes(original)  # the user restores the file
    assert build(root) == 0
    page = (root / "public" / "a" / "index.html").read_text()
    assert "The original sentence is here." in page
    assert "edited sentence" not in page
