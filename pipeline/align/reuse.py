"""Answers the hand-written versions already gave, copied rather than asked again.

A finished judge experiment with the same prompt text (the Phoenix prompt version the file's
tag holds), the same model and the same dataset version holds each row's verdict; ``make
demo`` runs v1, v2 and v3 just before ``align``. Only the runs of dev examples are copied,
read from ``/v1/experiments/{id}/runs``, which carries no reference labels: the test split's
labels stay unread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evaluators.endpoint import Endpoint
from evaluators.labels import ERROR
from evaluators.modes import mode_of
from evaluators.modes.base import Source
from pipeline.align.signals import Cache, judges_for, signal_key
from pipeline.dataset.examples import LabeledDataset
from pipeline.phoenix.connection import Phoenix
from pipeline.phoenix.experiments import judge_experiments, stored_runs
from pipeline.phoenix.prompts import PROMPT_NAME, tagged_version, template_text


def _same_judge(experiment: dict[str, Any], version_id: str, model: str,
                dev: LabeledDataset) -> bool:
    metadata = experiment.get("metadata") or {}
    return (metadata.get("prompt_version_id") == version_id and metadata.get("model") == model
            and metadata.get("dataset_version_id") == dev.dataset.version_id)


def _verdict(run: dict[str, Any] | None) -> dict[str, Any] | None:
    """A run's stored verdict, unless there is no run or it failed."""
    if run is None or run.get("error"):
        return None
    output = run.get("output")
    if not isinstance(output, dict) or output.get("label") in (None, ERROR):
        return None
    return output


def prefill(phoenix: Phoenix, cache: Cache, sources: Sequence[Source], endpoint: Endpoint,
            dev: LabeledDataset, *, prompt_name: str = PROMPT_NAME) -> int:
    """Copy into ``cache`` every dev-row verdict a matching experiment already holds;
    return how many were copied. Only versions whose mode stores what the model said as
    the run's output qualify (``word``; other modes store decisions made of it)."""
    experiments = judge_experiments(phoenix, dev.dataset.id)
    node_ids = dev.node_ids()
    model = endpoint.model
    copied = 0
    words = [s for s in sources if mode_of(s.prompt).output_is_said]
    judges = judges_for(words, endpoint)
    for source in words:
        stored = tagged_version(phoenix, source.prompt.version, prompt_name)
        if stored is None or template_text(stored) != source.prompt.template:
            continue
        keys = {e.id: signal_key(judges[source.key], e) for e in dev.examples}
        for experiment in reversed(experiments):  # the newest first
            if not _same_judge(experiment, str(stored.id), model, dev):
                continue
            missing = [e for e in dev.examples if keys[e.id] not in cache.entries]
            if not missing:
                break
            runs = stored_runs(phoenix, experiment["id"])
            for example in missing:
                key = keys[example.id]
                if key is not None and (verdict := _verdict(runs.get(
                        node_ids[example.id]))) is not None:
                    cache.add(key, verdict)
                    copied += 1
    return copied
