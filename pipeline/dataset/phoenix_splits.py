"""Keep Phoenix's dataset splits equal to the seeded assignment in each example's metadata.

``dataset build`` and ``dataset import`` upload every example with ``"splits"``, and label
patches carry it too, so Phoenix's ``dev`` and ``test`` splits normally already match
``metadata.split``. Examples uploaded without it (datasets made before, or by other tools)
are put right here: by ``make labels``, and before an experiment runs on one split, so that
the experiment (created on that Phoenix split) covers exactly the examples the report reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pipeline.dataset.splits import SPLITS, read_split
from pipeline.phoenix import splits as phoenix_splits

if TYPE_CHECKING:
    from phoenix.client.resources.datasets import Dataset

    from pipeline.phoenix.connection import Phoenix


def sync_splits(phoenix: Phoenix, dataset: Dataset, names: Iterable[str] = SPLITS) -> int:
    """Make each Phoenix split in ``names`` hold exactly the examples of ``dataset``'s version
    whose metadata names it; return how many memberships changed."""
    wanted: dict[str, set[str]] = {name: set() for name in names}
    for example in dataset.examples:
        split = read_split((example.get("metadata") or {}).get("split"))
        if split in wanted:
            wanted[split].add(example.get("node_id") or example["id"])
    changed = 0
    for name, ids in wanted.items():
        current = phoenix_splits.members(phoenix, dataset, name)
        add, remove = ids - current, current - ids
        phoenix_splits.change(phoenix, dataset.id, name, add=add, remove=remove)
        changed += len(add) + len(remove)
    return changed
