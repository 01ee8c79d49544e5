"""Phoenix datasets: the one way to fetch one, and uploads of new or changed examples."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from pipeline.errors import UserError

if TYPE_CHECKING:
    from phoenix.client.resources.datasets import Dataset

    from pipeline.phoenix.connection import Phoenix

TIMEOUT = 300  # seconds: uploading thousands of examples takes a while
DESCRIPTION = "Agent answers with human helpfulness labels (judge-align)"


class NoDataset(UserError):
    """The dataset does not exist (or cannot be read) in Phoenix."""


def find(phoenix: Phoenix, name: str, splits: list[str] | None = None) -> Dataset | None:
    """The latest version of dataset ``name`` (only the examples of Phoenix dataset
    ``splits`` when given: the others are never fetched), or None when there is none."""
    try:
        return phoenix.client.datasets.get_dataset(dataset=name, splits=splits,
                                                   timeout=TIMEOUT)
    except ValueError as error:
        if "not found" in str(error).lower():
            return None
        raise
    except httpx.HTTPStatusError as error:
        if error.response.status_code != 500:
            raise
        # Phoenix 20.26 answers 500 for a dataset created empty (e.g. from the UI).
        raise NoDataset(f"Phoenix could not read dataset {name!r} (HTTP 500), which it does "
                        "when the dataset has no examples: run the agent (`make agent`), then "
                        "`make dataset`, `make annotate` and `make labels`") from None


def require(phoenix: Phoenix, name: str, splits: list[str] | None = None) -> Dataset:
    """The latest version of dataset ``name`` (of ``splits``, when given); a missing one
    says how to make it."""
    dataset = find(phoenix, name, splits)
    if dataset is None:
        raise NoDataset(f"Phoenix has no dataset {name!r}: build it with `make dataset` and "
                        "label it (`make annotate`, `make labels`), or import a labeled file "
                        "with `judge-align dataset import FILE`")
    return dataset


def upload(phoenix: Phoenix, name: str, examples: list[dict[str, Any]],
           existing: Dataset | None) -> Dataset:
    """Create the dataset with ``examples``, or append/patch them (matched by example id)
    as one new version of ``existing``."""
    if existing is None:
        return phoenix.client.datasets.create_dataset(
            name=name, examples=examples, timeout=TIMEOUT, dataset_description=DESCRIPTION)
    return phoenix.client.datasets.add_examples_to_dataset(dataset=existing.id,
                                                           examples=examples, timeout=TIMEOUT)


def linked_span_id(example: Any) -> str | None:
    """The span an example was made from (its Phoenix source link), if it still exists."""
    source = example.get("source") or {}
    return source.get("span_id")


def known_span_ids(dataset: Dataset | None) -> set[str]:
    """Span ids already in the dataset, by source link or example id."""
    if dataset is None:
        return set()
    found = set()
    for example in dataset.examples:
        found.add(example["id"])
        if span_id := linked_span_id(example) or (example.get("metadata") or {}).get("span_id"):
            found.add(span_id)
    return found
