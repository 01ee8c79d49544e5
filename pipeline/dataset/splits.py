"""The one split vocabulary: ``dev`` tunes the judge, ``test`` checks it once.

A span's split is fixed and seeded: ``split_for`` hashes its key (sha256 of
``"judge-align-split-v1:<key>"``); the first 32 bits below 70% of their range give ``dev``,
the rest ``test``. It never changes for a key, whatever else is in the dataset.
"""

from __future__ import annotations

import hashlib

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
