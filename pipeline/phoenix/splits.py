"""Phoenix dataset splits: which examples a split holds, and changing that.

Split names are global in Phoenix (one ``dev`` for every dataset); a split's membership is
per example and outside dataset versions. Examples uploaded with ``"splits"`` join (or move
to) the named split; these calls repair examples that were uploaded without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phoenix.client.resources.datasets import Dataset

    from pipeline.phoenix.connection import Phoenix

TIMEOUT = 120
_SPLIT_BY_NAME = """query ($names: [String!]) {
  datasetSplits(names: $names, first: 10) { edges { node { id name } } }
}"""


def members(phoenix: Phoenix, dataset: Dataset, split: str) -> set[str]:
    """Node ids of the examples of ``dataset``'s version that are in the split ``split``
    (none when Phoenix has no split of that name yet: it answers 404)."""
    response = phoenix.rest.get(f"/v1/datasets/{dataset.id}/examples", timeout=TIMEOUT,
                                params={"split": split, "version_id": dataset.version_id})
    if response.status_code == 404 and split_id(phoenix, split) is None:
        return set()
    response.raise_for_status()
    return {e.get("node_id") or e["id"] for e in response.json()["data"]["examples"]}


def split_id(phoenix: Phoenix, name: str) -> str | None:
    """The id of the split called ``name``, or None when Phoenix has none yet."""
    response = phoenix.rest.post("/graphql", timeout=TIMEOUT, json={
        "query": _SPLIT_BY_NAME, "variables": {"names": [name]}})
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"Phoenix refused the split lookup: {body['errors'][0]['message']}")
    edges = body["data"]["datasetSplits"]["edges"]
    return next((e["node"]["id"] for e in edges if e["node"]["name"] == name), None)


def change(phoenix: Phoenix, dataset_id: str, split: str, *, add: set[str],
           remove: set[str]) -> None:
    """Put the examples ``add`` into the split ``split`` and take ``remove`` out of it
    (node ids of examples of the dataset); the split is created when missing."""
    if not add and not remove:
        return
    found = split_id(phoenix, split)
    if found is None:
        response = phoenix.rest.post(f"/v1/datasets/{dataset_id}/splits", timeout=TIMEOUT,
                                     json={"name": split, "example_ids": sorted(add)})
    else:
        response = phoenix.rest.patch(
            f"/v1/datasets/{dataset_id}/splits/{found}", timeout=TIMEOUT,
            json={"add_example_ids": sorted(add), "remove_example_ids": sorted(remove)})
    response.raise_for_status()
