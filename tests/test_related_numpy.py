"""A rebuild after an edit scores its few rows with numpy alone (digest.related._few_scores,
no scipy import): bit for bit scipy's product, so the lists and scores in articles.json
are what a full run makes."""

from __future__ import annotations

import random
import subprocess
import sys
from array import array

import numpy as np
import pytest

from digest import related
from digest.model import TermCounts
from digest.related import top_k, update_top_k, vectorize


def _counts(rng: random.Random, vocab: int, words: int) -> TermCounts:
    # Zipf-like ids: a few very common terms, many rare ones
    ids = sorted({min(vocab - 1, int(rng.paretovariate(0.7))) for _ in range(words)})
    return TermCounts(array("i", ids), array("i", [rng.randint(1, 9) for _ in ids]))


@pytest.mark.parametrize("seed", range(5))
def test_few_scores_are_scipys_product_bit_for_bit(seed: int) -> None:
    rng = random.Random(seed)
    counts = [_counts(rng, 5000, rng.randint(0, 300)) for _ in range(600)]
    v = vectorize(counts)
    m = v.matrix
    for width in (1, 2, 5, 8, 9, 16):
        cols = np.array(sorted(rng.sample(range(v.n), width)), dtype=np.int64)
        want = (m @ m[cols].T).toarray()
        got = related._few_scores(v, cols)
        assert got.dtype == want.dtype == np.float32
        assert got.shape == want.shape
        assert got.tobytes() == want.tobytes()


def test_few_rows_lists_are_the_full_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # (numpy's scores whatever the rows and whether scipy is imported: the lists are exact)
    monkeypatch.setattr(related, "_numpy_will_do", lambda rows: True)
    rng = random.Random(7)
    counts = [_counts(rng, 3000, rng.randint(1, 200)) for _ in range(400)]
    keys = [f"a{i:04d}" for i in range(len(counts))]
    v = vectorize(counts)
    full = top_k(v, 8, 0.02, keys)
    rows = np.array([0, 3, 77, 399], dtype=np.int64)
    assert related._rows_top_k(v, rows, 8, 0.02, keys) == [full[r] for r in rows.tolist()]
    # an edit of one row: the update (numpy scores) is the full run's lists
    now = list(counts)
    now[5] = _counts(rng, 3000, 150)
    new = vectorize(now)
    got = update_top_k(v.df, full, new, [5], 8, 0.02, keys)
    assert got == top_k(new, 8, 0.02, keys)


def _rows_then(vocab: int, then: str) -> str:
    """A script for a new process (what it imports is the point): 300 rows of 40 random
    terms of ``vocab`` (``counts``, ``keys``, their vectors ``v``), then ``then``."""
    return f"""
import sys, random
from array import array
from digest.model import TermCounts
from digest import related
rng = random.Random(3)
def c():
    ids = sorted(rng.sample(range({vocab}), 40))
    return TermCounts(array("i", ids), array("i", [rng.randint(1, 4) for _ in ids]))
counts = [c() for _ in range(300)]
keys = [f"k{{i}}" for i in range(300)]
v = related.vectorize(counts)
{then}"""


def test_an_edit_imports_no_scipy() -> None:
    """The few-rows path of an update needs no scipy (its import is 0.2-0.3 s of a new
    process's one-edit rebuild); a full run does import it."""
    full = """
lists = related._rows_top_k(v, __import__("numpy").arange(300), 5, 0.0, keys, tr=None)
assert "scipy" in sys.modules  # (300 rows: scipy's product)
"""
    subprocess.run([sys.executable, "-c", _rows_then(500, full)], check=True)
    few = """
old = [related.neighbours_of(v, r, 5, 0.0, keys) for r in range(300)]
now = list(counts)  # (an edit of row 9's counts, not of its terms: no IDF moves)
now[9] = TermCounts(counts[9].ids, array("i", [k + 1 for k in counts[9].counts]))
new = related.vectorize(now)
assert len(related.touched_rows(v.df, new, [9])) <= related.FEW_ROWS
got = related.update_top_k(v.df, old, new, [9], 5, 0.0, keys)
assert "scipy" not in sys.modules, "scipy imported"
again = related.revectorize(v, counts, now, changed=[9])  # (a new process's vectors)
# (np.unique imports numpy.ma on first use: 5-12 ms of a new process's edit)
assert "numpy.ma" not in sys.modules, "numpy.ma imported"
assert again is not None and (again.matrix != new.matrix).nnz == 0
"""
    subprocess.run([sys.executable, "-c", _rows_then(3000, few)], check=True)
    eight = """
rows = __import__("numpy").array([9, 40, 41, 100, 150, 201, 250, 299])
assert len(rows) <= related.FEW_ROWS  # (eight rows an update scores: numpy's product)
got = related._rows_top_k(v, rows, 5, 0.0, keys)
assert "scipy" not in sys.modules, "scipy imported"
assert got == [related.top_k(v, 5, 0.0, keys)[r] for r in rows.tolist()]
"""
    subprocess.run([sys.executable, "-c", _rows_then(3000, eight)], check=True)


def test_an_edit_touching_many_rows_imports_no_scipy_sparse(tmp_path) -> None:
    """An edit whose IDF moves touch more rows than numpy scores fast (but fewer than
    make the matrix worth transposing): scipy's own C routines score them, loaded
    without the scipy.sparse package (0.3 s of a new process's import), the same bits as
    scipy's product, and the lists are a full run's."""
    lists = tmp_path / "lists.pickle"
    before = f"""
import pickle
pickle.dump(related.top_k(v, 5, 0.0, keys), open({str(lists)!r}, "wb"))
"""
    subprocess.run([sys.executable, "-c", _rows_then(3000, before)], check=True)
    edit = f"""
import pickle
import numpy as np
old = pickle.load(open({str(lists)!r}, "rb"))
for extra in range(1, 60):  # (row 9 takes more terms until enough rows are touched)
    ids = sorted(set(counts[9].ids) | set(range(1, 3000, 3000 // extra)[:extra]))
    now = list(counts)
    now[9] = TermCounts(array("i", ids), array("i", [2] * len(ids)))
    new = related.vectorize(now)
    touched = related.touched_rows(v.df, new, [9])
    if related.FEW_ROWS < len(touched) < new.n / 16:
        break
assert related.FEW_ROWS < len(touched) < new.n / 16, len(touched)
cols = np.array(touched, dtype=np.int64)
scores = related._against_rows(new, cols)
got = related.update_top_k(v.df, old, new, [9], 5, 0.0, keys)
assert "scipy.sparse" not in sys.modules, "scipy.sparse imported"
assert got == related.top_k(new, 5, 0.0, keys)
m = new.matrix
assert scores.tobytes() == (m @ m[cols].T).toarray().tobytes()
"""
    subprocess.run([sys.executable, "-c", _rows_then(3000, edit)], check=True)


def test_links_made_fast_are_relatedlinks_like_any_other() -> None:
    """related_links makes 60,000 links at 10,000 articles in a new process, with their
    fields set at once (digest.related._link_maker): equal, hashed, frozen, pickled and
    shown as RelatedLink's constructor makes them."""
    import dataclasses
    import pickle
    from datetime import UTC, datetime

    from digest.model import Article, RelatedLink

    art = Article(
        path="content/x.md",
        slug="x",
        title="A title",
        date=datetime(2024, 1, 1, tzinfo=UTC),
        section="News",
        section_slug="news",
        url="news/x/",
    )
    made = related._link_maker()(art)
    want = RelatedLink("x", "A title", "news/x/")
    assert type(made) is RelatedLink
    assert made == want and hash(made) == hash(want) and repr(made) == repr(want)
    assert pickle.loads(pickle.dumps(made)) == want
    assert dataclasses.asdict(made) == dataclasses.asdict(want)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "Another"  # type: ignore[misc]


def test_a_sessions_first_build_imports_scipy_for_its_edits(tmp_path) -> None:
    """A long-lived process (digest serve, build --watch) imports scipy at its first
    build, so its edits score rows with scipy's faster product and none pays the import
    (a first build with nothing changed needs none: its vectors are read from the store)."""
    code = """
import sys, random
from array import array
from datetime import datetime, timezone
from pathlib import Path
from digest import related
from digest.cache import Cache
from digest.config import RelatedConfig
from digest.model import Article, TermCounts
rng = random.Random(3)
def c():
    ids = sorted(rng.sample(range(3000), 40))
    return TermCounts(array("i", ids), array("i", [rng.randint(1, 4) for _ in ids]))
arts = [Article(path=f"c/{i}.md", slug=f"a{i}", title="T", section="S", section_slug="s",
        date=datetime(2024, 1, 1, tzinfo=timezone.utc), url=f"s/a{i}/") for i in range(50)]
counts, sigs = [c() for _ in arts], [f"s{i}" for i in range(50)]
store = Cache(Path(sys.argv[1]))
keep = [] if sys.argv[2] == "session" else None
related.site_links(arts, counts, sigs, RelatedConfig(5, 0.0), store, jobs=1, keep=keep)
store.close()
print("scipy.sparse" in sys.modules)
"""
    folder = str(tmp_path / "cache")

    def run(how: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, folder, how], check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    run("build")  # (the state and vectors stored)
    assert run("build") == "False"  # a new process with nothing changed: no scipy
    assert run("session") == "True"
