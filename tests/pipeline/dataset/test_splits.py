"""The one split vocabulary: fixed, seeded, about 70/30, and strict about its names."""

from __future__ import annotations

import uuid

import pytest

from pipeline.dataset import splits
from pipeline.errors import UserError


def test_split_is_fixed_seeded_and_about_70_30() -> None:
    ids = [uuid.uuid4().hex[:16] for _ in range(4000)]
    assigned = [splits.split_for(span_id) for span_id in ids]
    assert assigned == [splits.split_for(span_id) for span_id in ids]
    assert set(assigned) == {"dev", "test"}
    assert 0.67 < assigned.count("dev") / len(ids) < 0.73
    # Pinned: a change of the hashing would silently move examples between dev and test.
    pinned = [splits.split_for(format(i, "016x")) for i in range(6)]
    assert pinned == ["dev", "dev", "test", "dev", "test", "dev"]


def test_stored_splits_are_read_leniently_and_named_splits_strictly() -> None:
    assert splits.read_split(" Dev ") == "dev" and splits.read_split("TEST") == "test"
    assert splits.read_split(None) == splits.read_split("train") == "none"
    assert splits.check_split(None) == "all" and splits.check_split(" Test ") == "test"
    with pytest.raises(UserError, match="use --split dev, test or all"):
        splits.check_split("train")
