"""Which project a dataset's traces are in, read from its examples: no server needed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.dataset.examples import LabeledDataset


def dataset_of(*metadata: dict[str, Any]) -> LabeledDataset:
    examples = [{"id": str(i), "metadata": m} for i, m in enumerate(metadata)]
    return LabeledDataset(dataset=SimpleNamespace(examples=examples), examples=[])  # type: ignore[arg-type]


@pytest.mark.parametrize(("metadata", "project"), [
    (({"project": "gold"}, {"project": "gold"}), "gold"),
    (({"project": "gold"}, {"project": "live"}), None),  # mixed: no single project to link
    (({"project": "gold"}, {}), None),  # partly imported
    (({}, {}), None),  # imported: no traces
    ((), None),
])
def test_source_project(metadata: tuple[dict[str, Any], ...], project: str | None) -> None:
    assert dataset_of(*metadata).source_project == project
