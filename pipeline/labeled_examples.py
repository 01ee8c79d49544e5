"""Read the labeled dataset the judge is measured against, tolerantly.

The dataset contract: input ``{"question", "answer"}``, output ``{"label": "helpful" |
"not_helpful" | null}``, metadata ``{"trace_id", "category", "split": "dev" | "test"}``.
Labels are accepted in any case or spacing (``"Not helpful"``). Examples without a usable
label or without a question and answer are skipped and counted, never fatal; a dataset with
no usable example at all is refused with what to do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evaluators.labels import normalize_label
from pipeline.errors import UserError

if TYPE_CHECKING:
    from phoenix.client import Client
    from phoenix.client.resources.datasets import Dataset

SPLITS = ("dev", "test")
ALL = "all"
NO_SPLIT = "none"
LOAD_TIMEOUT = 60


@dataclass(frozen=True)
class LabeledExample:
    """One dataset example the judge can be scored on."""

    id: str
    question: str
    answer: str
    label: str
    split: str
    category: str = ""
    trace_id: str = ""


@dataclass
class LabeledDataset:
    """The usable examples of one dataset version, and what was left out and why."""

    dataset: Dataset
    examples: list[LabeledExample]
    split: str = ALL
    unlabeled: int = 0
    malformed: int = 0
    outside_split: int = 0
    unknown_labels: Counter[str] = field(default_factory=Counter)

    @property
    def skipped(self) -> int:
        return self.unlabeled + self.malformed + sum(self.unknown_labels.values())

    def for_experiment(self) -> Dataset:
        """The Phoenix dataset restricted to the usable examples (same id and version)."""
        from phoenix.client.resources.datasets import Dataset

        keep = {example.id for example in self.examples}
        data = self.dataset.to_dict()
        data["examples"] = [e for e in data["examples"] if e["id"] in keep]
        data["example_count"] = len(data["examples"])
        return Dataset.from_dict(data)


def _text(mapping: Any, key: str) -> str:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _split_of(metadata: Any) -> str:
    split = _text(metadata, "split").lower()
    return split if split in SPLITS else NO_SPLIT


def check_split(split: str | None) -> str:
    """``None`` -> ``all``; anything but dev / test / all is refused."""
    split = (split or ALL).strip().lower()
    if split not in (*SPLITS, ALL):
        raise UserError(f"unknown split {split!r}: use --split dev, test or all")
    return split


def fetch_dataset(client: Client, name: str) -> Dataset:
    """The latest version of dataset ``name``; a missing one says how to make it."""
    import httpx

    try:
        return client.datasets.get_dataset(dataset=name, timeout=LOAD_TIMEOUT)
    except ValueError:
        raise UserError(f"no dataset {name!r} in Phoenix: build it with `make dataset`, label "
                        "the traces with `make annotate`, then run `make labels`") from None
    except httpx.HTTPStatusError as error:
        # Phoenix 20.26 answers 500 for a dataset created empty (e.g. from the UI).
        raise UserError(f"Phoenix could not read dataset {name!r} (HTTP "
                        f"{error.response.status_code}), which it does when the dataset has no "
                        "examples: run the agent (`make agent`), then `make dataset`, "
                        "`make annotate` and `make labels`") from None


def labeled_examples(dataset: Dataset, split: str | None = None) -> LabeledDataset:
    """Sort the dataset's examples into usable (labeled, in ``split``) and skipped."""
    split = check_split(split)
    result = LabeledDataset(dataset=dataset, examples=[], split=split)
    for example in dataset.examples:
        inputs, output, metadata = (example.get("input") or {}, example.get("output") or {},
                                    example.get("metadata") or {})
        raw_label = output.get("label") if isinstance(output, dict) else None
        label = normalize_label(raw_label)
        question, answer = _text(inputs, "question"), _text(inputs, "answer")
        if raw_label is None or (isinstance(raw_label, str) and not raw_label.strip()):
            result.unlabeled += 1
        elif label is None:
            result.unknown_labels[str(raw_label)] += 1
        elif not question or not answer:
            result.malformed += 1
        elif split != ALL and _split_of(metadata) != split:
            result.outside_split += 1
        else:
            result.examples.append(LabeledExample(
                id=example["id"], question=question, answer=answer, label=label,
                split=_split_of(metadata), category=_text(metadata, "category"),
                trace_id=_text(metadata, "trace_id")))
    return result


def load_labeled(client: Client, name: str, split: str | None = None) -> LabeledDataset:
    """The usable examples of the latest version of ``name``; refuses when there are none."""
    dataset = fetch_dataset(client, name)
    result = labeled_examples(dataset, split)
    if not dataset.examples:
        raise UserError(f"dataset {name!r} has no examples: run the agent (`make agent`), "
                        "then `make dataset`, `make annotate` and `make labels`")
    if not result.examples:
        if result.outside_split:
            raise UserError(f"dataset {name!r} has no labeled example in the {result.split!r} "
                            "split: use --split all (or SPLIT=all), or label more traces")
        detail = (f"; unreadable labels: {', '.join(sorted(result.unknown_labels))}"
                  if result.unknown_labels else "")
        raise UserError(f"dataset {name!r} has {len(dataset.examples)} examples but none is "
                        "labeled helpful / not_helpful with a question and an answer"
                        f"{detail}: label the traces with `make annotate`, then copy the "
                        "labels into the dataset with `make labels`")
    return result
