"""The related stage's weights made one row at a time are the per-count formula's, bit
for bit (vectorize and revectorize compute a row's part once per row)."""

from __future__ import annotations

import numpy as np

from digest.related import tf_weight


def test_tf_weight_with_one_length_per_row_is_the_per_count_formula_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    lens = rng.integers(0, 400, 300)
    cnt = rng.integers(1, 9, int(lens.sum())).astype(np.float32)
    length = rng.integers(1, 2000, len(lens)).astype(np.float32)
    per_count = tf_weight(cnt, np.repeat(length, lens))
    per_row = tf_weight(cnt, length, lens)
    assert per_row.dtype == per_count.dtype == np.float32
    assert per_row.tobytes() == per_count.tobytes()
