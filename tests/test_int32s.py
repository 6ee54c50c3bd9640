"""The int32 sequences of term counts take one set of conversions (digest.model: int32s,
le_int32, le_bytes): the bytes the build cache stores keep their layout (little-endian
int32, read by older and newer builds), and numpy reads arrays and stored bytes alike."""

from __future__ import annotations

from array import array

import numpy as np

from digest.model import TermCounts, int32s, le_bytes, le_int32
from digest.related import _hashed, vectorize


def test_stored_bytes_are_little_endian_int32() -> None:
    values = array("i", [1, -2, 2**31 - 1])
    stored = le_bytes(values)
    assert stored == b"\x01\x00\x00\x00\xfe\xff\xff\xff\xff\xff\xff\x7f"
    assert type(stored) is bytes
    assert le_bytes(stored) is stored  # (bytes already: as they are)
    assert int32s(stored) == values and int32s(values) is values


def test_numpy_reads_arrays_and_stored_bytes_alike() -> None:
    values = array("i", [3, 7, 11])
    for held in (values, le_bytes(values)):
        got = np.frombuffer(le_int32(held), dtype="<i4")
        assert got.tolist() == [3, 7, 11]


def test_stored_counts_vectorize_as_held_ones() -> None:
    held = [_hashed({"harbour": 2, "budget": 1, f"w{i}": i + 1}) for i in range(9)]
    stored = [TermCounts.stored(le_bytes(c.ids), le_bytes(c.counts)) for c in held]
    assert [c.ids for c in stored] == [c.ids for c in held]
    a, b = vectorize(held), vectorize(stored)
    for name in ("data", "indices", "indptr", "df"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes()
