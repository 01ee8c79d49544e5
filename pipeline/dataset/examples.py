"""The dataset contract, both ways: the example made from a root span, and the labeled
examples read back for the judge.

An example: input ``{"question", "answer", "tools"}`` (``tools``: the trace's compact tool
record, see :mod:`evaluators.evidence`: a list, empty for a trace that shows no tool call;
``null`` when there is no record at all, as for imported examples without one), output
``{"label": None | "helpful" | "not_helpful"}``, metadata ``{"trace_id", "category",
"split", "span_id", "model"}``, linked to its source span. The example id is the span id,
so Phoenix itself matches a span to its example: re-running never duplicates, and label
updates patch the same example in a new dataset version. Each example also belongs to the
Phoenix dataset split of its name.

Reading is tolerant: labels in any case or spacing (``"Not helpful"``, ``"unhelpful"``);
examples without a usable label or without a question and answer are skipped and counted,
never fatal; a dataset with no usable example at all is refused with what to do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evaluators.evidence import ToolCall, parse_tools
from evaluators.labels import normalize_label
from pipeline.dataset.splits import ALL, check_split, read_split, split_for
from pipeline.errors import UserError
from pipeline.phoenix import datasets

if TYPE_CHECKING:
    from phoenix.client.resources.datasets import Dataset

    from pipeline.phoenix.connection import Phoenix
    from pipeline.phoenix.spans import RootSpan


def example_for_span(span: RootSpan, label: str | None, tools: list[ToolCall] | None,
                     split: str | None = None, project: str | None = None) -> dict[str, Any]:
    """The dataset example of one root span (``label`` from its human annotation, if any;
    ``tools`` its trace's tool record, None for none; ``split`` when a finished set fixes
    it, else the span's seeded split; ``project`` the Phoenix project holding the trace)."""
    split = split or split_for(span.span_id)
    metadata = {"trace_id": span.trace_id, "category": span.category, "split": split,
                "span_id": span.span_id}
    if project:
        metadata["project"] = project
    if span.metadata.get("model") is not None:
        metadata["model"] = span.metadata["model"]
    return {"id": span.span_id, "span_id": span.span_id,
            "input": {"question": span.question, "answer": span.answer,
                      "tools": None if tools is None else [call.as_dict() for call in tools]},
            "output": {"label": label}, "metadata": metadata, "splits": split}


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
    tools: tuple[ToolCall, ...] | None = None
    """The trace's tool record (empty: a record of no call); None when the example carries
    none (see :mod:`evaluators.evidence`)."""


def tools_of(inputs: Any) -> tuple[ToolCall, ...] | None:
    """An example input's tool record, or None when it has none (no ``tools`` key, or
    ``null``)."""
    if not isinstance(inputs, dict) or inputs.get("tools") is None:
        return None
    return tuple(parse_tools(inputs["tools"]))


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

    @property
    def source_project(self) -> str | None:
        """The Phoenix project the examples' traces are in, when they all name the same one
        (a set built from spans does; an imported one names none)."""
        projects = {(e.get("metadata") or {}).get("project") for e in self.dataset.examples}
        return projects.pop() if len(projects) == 1 and None not in projects else None

    def node_ids(self) -> dict[str, str]:
        """Example id -> the id Phoenix records in runs (``node_id``; the same unless the
        dataset was uploaded with its own example ids)."""
        return {e["id"]: e.get("node_id") or e["id"] for e in self.dataset.examples}


def _text(mapping: Any, key: str) -> str:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value.strip() if isinstance(value, str) else ""


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
        elif split != ALL and read_split(metadata.get("split")) != split:
            result.outside_split += 1
        else:
            result.examples.append(LabeledExample(
                id=example["id"], question=question, answer=answer, label=label,
                split=read_split(metadata.get("split")), category=_text(metadata, "category"),
                trace_id=_text(metadata, "trace_id"), tools=tools_of(inputs)))
    return result


def load_labeled(phoenix: Phoenix, name: str, split: str | None = None, *,
                 only_fetch_split: bool = False) -> LabeledDataset:
    """The usable examples of the latest version of ``name``; refuses when there are none.
    With ``only_fetch_split``, Phoenix sends only the examples of its dataset split of that
    name: the other examples (and their labels) are never read."""
    fetch = [check_split(split)] if only_fetch_split and check_split(split) != ALL else None
    dataset = datasets.require(phoenix, name, fetch)
    result = labeled_examples(dataset, split)
    if not dataset.examples:
        if fetch:
            raise UserError(f"dataset {name!r} has no example in its {fetch[0]!r} split: "
                            "label more traces (`make suggest-labels`, `make annotate`, "
                            "`make labels`)")
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


def with_split(example: Any, split: str) -> dict[str, Any]:
    """A patch moving a stored example to ``split`` (same id, span link, input and output)."""
    metadata = {**dict(example.get("metadata") or {}), "split": split}
    patched = {"id": example["id"], "input": dict(example["input"]),
               "output": dict(example.get("output") or {}), "metadata": metadata,
               "splits": split}
    if span_id := (example.get("source") or {}).get("span_id"):
        patched["span_id"] = span_id
    return patched
