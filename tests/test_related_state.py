"""The related stage's stored neighbour lists read back exactly as saved (a new process's
edit rebuild starts from them): rows of any length, empty ones, and a table with holes."""

from __future__ import annotations

import numpy as np

from digest import related
from digest.cache import Cache


def _round_trip(tmp_path, neighbours: related.Neighbours) -> related.Neighbours:
    store = Cache(tmp_path / "cache")
    n = len(neighbours)
    keys, sigs = [f"a{i}" for i in range(n)], [f"s{i}" for i in range(n)]
    df = np.zeros(1 << related.DIM_BITS, dtype=np.int32)
    df[[3, 70]] = [2, 5]
    related._save_state(store, "k", keys, sigs, df, neighbours)
    got = related._load_state(store, "k")
    store.close()
    assert got is not None and got.keys == tuple(keys) and got.sigs == tuple(sigs)
    assert (got.df == df).all()
    return got.neighbours


def test_rows_of_any_length_read_back_as_saved(tmp_path) -> None:
    rows = [[(1, 0.5), (2, 0.25)], [], [(0, 0.5)], [(0, 0.25), (2, 0.125), (1, 0.0625)]]
    got = _round_trip(tmp_path, rows)
    assert got == rows
    assert all(type(j) is int and type(s) is float for row in got for j, s in row)


def test_no_rows_with_neighbours(tmp_path) -> None:
    assert _round_trip(tmp_path, [[], [], []]) == [[], [], []]


def test_a_table_with_holes_keeps_each_rows_pairs(tmp_path) -> None:
    """(Not what _save_state writes, but a stored table is read as it is: -1 is no row.)"""
    store = Cache(tmp_path / "cache")
    idx = np.array([[1, -1, 2], [-1, -1, -1], [0, 1, -1]], dtype="<i4")
    scores = np.array([[0.5, 0.0, 0.25], [0, 0, 0], [0.5, 0.125, 0]], dtype="<f8")
    state = related._State(
        ("a", "b", "c"), ("x", "y", "z"), 3, idx.tobytes(), scores.tobytes(), b"", b""
    )
    store.put("related-state", "k", state)
    got = related._load_state(store, "k")
    store.close()
    assert got is not None
    assert got.neighbours == [[(1, 0.5), (2, 0.25)], [], [(0, 0.5), (1, 0.125)]]


def test_a_stored_state_of_no_rows_reads_back_as_no_lists(tmp_path) -> None:
    """A site emptied since (every article removed): its stored state has no rows but a k;
    read back, it is no lists, not an error that stops the build."""
    store = Cache(tmp_path / "cache")
    store.put("related-state", "k", related._State((), (), 9, b"", b"", b"", b""))
    got = related._load_state(store, "k")
    store.close()
    assert got is not None and got.neighbours == [] and got.keys == ()
