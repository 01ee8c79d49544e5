"""The one split vocabulary: ``dev`` tunes the judge, ``test`` checks it once.

A span's split is fixed and seeded: ``split_for`` hashes its key (sha256 of
``"judge-align-split-v1:<key>"``); the first 32 bits below 70% of their range give ``dev``,
the rest ``test``. It never changes for a key, whatever else is in the dataset, so live
traces can be labeled over time without moving between splits.

A finished labeled set (the gold set) is split once by :func:`stratified_split` instead:
within each stratum (label and category), keys ordered by a seeded hash, the first 30% (at
least one when the stratum has two or more) go to ``test``. The result is written beside
the labels, so it never changes unless the set does.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from pipeline.errors import UserError

DEV, TEST = "dev", "test"
SPLITS = (DEV, TEST)
ALL = "all"
NO_SPLIT = "none"
SPLIT_SEED = "judge-align-split-v1"
DEV_SHARE = 0.70


def split_for(key: str) -> str:
    """``dev`` for about 70% of keys and ``test`` for the rest, fixed per key (a span id)."""
    digest = hashlib.sha256(f"{SPLIT_SEED}:{key}".encode()).digest()
    return DEV if int.from_bytes(digest[:4], "big") < DEV_SHARE * 2**32 else TEST


def read_split(value: object) -> str:
    """A stored split value as ``dev`` / ``test``, or ``none`` for anything else."""
    text = value.strip().lower() if isinstance(value, str) else ""
    return text if text in SPLITS else NO_SPLIT


def check_split(split: str | None) -> str:
    """``None`` -> ``all``; anything but dev / test / all is refused."""
    split = (split or ALL).strip().lower()
    if split not in (*SPLITS, ALL):
        raise UserError(f"unknown split {split!r}: use --split dev, test or all")
    return split


def _seeded_order(key: str, seed: int) -> str:
    return hashlib.sha256(f"{SPLIT_SEED}:{seed}:{key}".encode()).hexdigest()


def stratified_split(strata: Iterable[tuple[str, str]], seed: int = 0,
                     test_share: float = 1 - DEV_SHARE) -> dict[str, str]:
    """``{key: "dev" | "test"}`` for ``(key, stratum)`` pairs: about ``test_share`` of each
    stratum in test, the same keys for the same input and seed."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key, stratum in strata:
        groups[stratum].append(key)
    assigned: dict[str, str] = {}
    for keys in groups.values():
        ordered = sorted(keys, key=lambda k: _seeded_order(k, seed))
        n_test = round(len(ordered) * test_share)
        if len(ordered) >= 2:
            n_test = max(1, n_test)
        assigned.update((key, TEST if i < n_test else DEV) for i, key in enumerate(ordered))
    return assigned
