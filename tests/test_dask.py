"""``digest build --executor dask``: the site is byte-identical to a local build.

The same site is built with the local pool and on a LocalCluster of 2 worker processes
(pool thresholds patched low, so the per-article work is sent to the workers and the
related-link top-k is split over them), and the output trees are compared byte for byte.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import tree, write_site

from digest import executors, pool
from digest.build import BuildOptions, build
from digest.config import load_config
from digest.errors import DigestError

distributed = pytest.importorskip(
    "distributed",
    reason='Dask distributed is not installed (pip install "digest-ssg[dask]")',
)

FIXTURES = Path(__file__).parent / "fixtures"

WORDS = (
    "harbour wall council budget storm river bridge school teacher hospital nurse train "
    "station farmer harvest market price energy wind solar festival music museum library "
    "election mayor vote police court judge fishing boat moth survey volunteer garden"
).split()


def big_site(root: Path, n: int = 240) -> Path:
    """n Markdown articles on overlapping topics, plus scraped .txt and .html pages (read
    from bytes and modification time on the workers)."""
    articles = {}
    for i in range(n):
        topic = [WORDS[(i * 7 + j) % len(WORDS)] for j in range(6)]
        paras = [
            " ".join(f"The {w} {topic[(j + k) % 6]} said {k + i % 5}." for k, w in enumerate(topic))
            for j in range(3)
        ]
        articles[f"s{i % 3}/2026-01-{1 + i % 28:02d}-a{i:04d}.md"] = (
            f'---\ntitle: "{topic[0].title()} and {topic[1]} news {i}"\n'
            f"date: 2026-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z\n---\n" + "\n\n".join(paras)
        )
    write_site(root, articles)
    for i, f in enumerate(sorted((FIXTURES / "scraped").glob("*.txt"))[:6]):
        dest = root / "content" / "scraped" / f.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)
        # a page with no date: its date is the file's time, which the workers must see
        (root / "content" / "scraped" / f"undated{i}.txt").write_text(
            textwrap.dedent(f"""\
            Undated page number {i} about the harbour wall

            The council met on the harbour wall budget and the storm damage {i}.
            Fishing boats moored at the north quay while the wall was repaired.
            """)
        )
    # too large to read: not sent, processed (and reported) by the client
    (root / "content" / "scraped" / "huge.txt").write_bytes(b"x" * (5 * 1024 * 1024 + 1))
    for f in sorted((FIXTURES / "html").glob("*.html"))[:3]:
        dest = root / "content" / "pages" / f.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)
    return root


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as c:
        yield c


def test_dask_build_is_byte_identical_to_local(tmp_path, monkeypatch, cluster) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    monkeypatch.setattr(pool, "ARTICLES", 0)  # the per-article work is sent
    monkeypatch.setattr(pool, "ROWS_PER_WORKER", 50)  # the top-k is split over workers
    site = big_site(tmp_path / "site")
    config = load_config(site / "site.yaml")
    sent: list[tuple[str, int]] = []
    real_map_sources, real_map = executors.Dask.map_sources, executors.Dask.map

    def map_sources(self, fn, sources, args, workers):
        sent.append(("sources", len(sources)))
        return real_map_sources(self, fn, sources, args, workers)

    def map_(self, fn, items, workers, shared=None, chunksize=None):
        sent.append((fn.__name__, len(items)))
        return real_map(self, fn, items, workers, shared, chunksize)

    monkeypatch.setattr(executors.Dask, "map_sources", map_sources)
    monkeypatch.setattr(executors.Dask, "map", map_)

    local = build(config, BuildOptions(output=tmp_path / "local", jobs=2, use_cache=False))
    remote = build(
        config,
        BuildOptions(
            output=tmp_path / "dask",
            use_cache=False,
            executor="dask",
            scheduler=cluster.scheduler_address,
        ),
    )
    # both stages really ran on the cluster
    n_sources = sum(1 for p in (site / "content").rglob("*") if p.is_file())
    assert ("sources", n_sources) in sent
    assert any(name == "_top_k_part" and n > 1 for name, n in sent)
    assert local.articles == remote.articles > 240
    assert [str(w) for w in local.warnings] == [str(w) for w in remote.warnings]
    assert any("huge.txt" in str(w) for w in remote.warnings)
    a, b = tree(tmp_path / "local"), tree(tmp_path / "dask")
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []


def test_only_uncached_articles_are_sent(tmp_path, monkeypatch, cluster) -> None:
    monkeypatch.setattr(pool, "ARTICLES", 0)
    site = write_site(tmp_path / "site")
    config = load_config(site / "site.yaml")
    build(config, BuildOptions(output=tmp_path / "one"))
    edited = next((site / "content").rglob("*.md"))
    edited.write_text(edited.read_text() + "\nOne more sentence about the harbour.\n")
    sent: list[int] = []
    real = executors.Dask.map_sources

    def map_sources(self, fn, sources, args, workers):
        sent.append(len(sources))
        return real(self, fn, sources, args, workers)

    monkeypatch.setattr(executors.Dask, "map_sources", map_sources)
    opts = BuildOptions(
        output=tmp_path / "two", executor="dask", scheduler=cluster.scheduler_address
    )
    assert build(config, opts).processed == 1 and sent == [1]
    build(config, BuildOptions(output=tmp_path / "three", use_cache=False, jobs=1))
    assert tree(tmp_path / "two") == tree(tmp_path / "three")


def test_a_worker_with_another_digest_is_refused(monkeypatch, cluster) -> None:
    here = executors.identity()
    monkeypatch.setattr(executors, "identity", lambda: ("0.0.0-other", here[1]))
    refused = pytest.raises(executors.ExecutorError, match=r"runs digest 0\.1\.0.*digest 0\.0\.0")
    with refused, executors.using("dask", cluster.scheduler_address):
        pass


def test_without_dask_the_error_names_the_extra(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    missing = pytest.raises(DigestError, match=r'pip install "digest-ssg\[dask\]"')
    with missing, executors.using("dask", "tcp://127.0.0.1:8786"):
        pass


def test_executor_dask_needs_a_scheduler_and_local_takes_none() -> None:
    with pytest.raises(DigestError, match="--scheduler ADDRESS"), executors.using("dask"):
        pass
    with (
        pytest.raises(DigestError, match="for --executor dask"),
        executors.using("local", "tcp://127.0.0.1:8786"),
    ):
        pass


def test_a_task_whose_worker_dies_runs_again_elsewhere(tmp_path, cluster) -> None:
    """A worker process that dies mid-map (here: on its first span) loses only its
    tasks: the scheduler runs them again, and the results are the same, in order."""
    import os

    marker = tmp_path / "died"

    def die_once(shared: str, item: int) -> int:  # sent by value (a local function)
        if item == 3 and not os.path.exists(shared):
            open(shared, "w").close()
            os._exit(1)  # the worker process dies; its nanny starts another
        return item * 2

    with executors.using("dask", cluster.scheduler_address) as ex:
        out = list(ex.map(die_once, list(range(8)), 2, shared=str(marker), chunksize=1))
    assert marker.exists() and out == [i * 2 for i in range(8)]


def test_related_tiles_on_the_cluster_give_the_local_lists(monkeypatch, cluster) -> None:
    """top_k by tiles (big sites): the tiles are sent to the workers, and the lists and
    scores are those of the local pool, bit for bit."""
    import numpy as np
    from test_related_tiles import _docs

    from digest import related

    docs = _docs()
    keys = [d.slug for d in docs]
    vec = related.vectorize([related.term_counts(d) for d in docs])
    want = related._rows_top_k(vec, np.arange(len(docs)), 9, 0.04, keys)
    monkeypatch.setattr(related, "TILES_MIN_ROWS", 10)
    monkeypatch.setattr(related, "TILE_MIN_SPAN", 20)
    monkeypatch.setattr(pool, "ROWS_PER_WORKER", 50)
    sent: list[str] = []
    real_map = executors.Dask.map

    def map_(self, fn, items, workers, shared=None, chunksize=None):
        sent.append(fn.__name__)
        return real_map(self, fn, items, workers, shared, chunksize)

    monkeypatch.setattr(executors.Dask, "map", map_)
    with distributed.Client(cluster) as client:  # (a test before may have killed one)
        client.wait_for_workers(2, timeout=60)
    with executors.using("dask", cluster.scheduler_address):
        got = related.top_k(vec, 9, 0.04, keys, jobs=2)
    assert sent == ["_tile_part"]
    assert got == want
