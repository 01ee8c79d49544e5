"""What every judge says about each dev row, gathered once and kept on disk.

For each hand-written prompt version the row's verdict (label, P(helpful)); for the
checklist the model's reading of the question, from which the check scores follow. Every
answer is appended to a cache file under the run directory as soon as it arrives, keyed by
the prompt text, the model and the row, so an interrupted ``make align`` resumes where it
stopped and a second run asks the model nothing it already answered.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.chat import RetryPolicy
from evaluators.checklist import MODEL, WORDING, ChecklistJudge, check_scores
from evaluators.checks.extraction import READING_TEMPLATE, Reading
from evaluators.endpoint import Endpoint
from evaluators.judge import Judge
from evaluators.labels import ERROR
from evaluators.prompt_files import CHECKLIST, PromptFile, parse_prompt
from pipeline.align.candidates import Signals
from pipeline.dataset.examples import LabeledExample
from pipeline.errors import UserError
from pipeline.progress import SILENT, Progress

CONCURRENCY = 2


class SignalsFailed(UserError):
    """Judge calls still failed after their retries; what did answer is kept."""


@dataclass(frozen=True)
class Source:
    """One thing to ask about every row: a prompt version, or the checklist's reading."""

    name: str
    prompt: PromptFile

    @property
    def is_checklist(self) -> bool:
        return self.prompt.mode == CHECKLIST


def checklist_prompt(path: Path) -> PromptFile:
    """The checklist's reading prompt as a prompt version (not yet fitted)."""
    return parse_prompt(f"---\nmode: {CHECKLIST}\n---\n{READING_TEMPLATE}", version="checklist",
                        path=path)


def signal_key(source: Source, model: str, example: LabeledExample) -> str:
    """The cache key of what ``source`` says about ``example`` with ``model``."""
    tools = None if example.tools is None else [call.as_dict() for call in example.tools]
    text = json.dumps([source.prompt.template, model, example.question,
                       "" if source.is_checklist else example.answer,
                       None if source.is_checklist else tools], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class Cache:
    """Answers already given, by key, appended to a JSONL file as they come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by an interruption
                self.entries[entry["key"]] = entry["value"]

    def add(self, key: str, value: dict[str, Any]) -> None:
        self.entries[key] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"key": key, "value": value}) + "\n")


async def _ask(source: Source, judge: Judge | ChecklistJudge, example: LabeledExample
               ) -> dict[str, Any] | None:
    """The answer to keep for one row, or None when the call failed."""
    if isinstance(judge, ChecklistJudge):
        try:
            reading = await judge.read(example.question)
        except Exception:
            return None
        return {"places": list(reading.places), "kinds": sorted(reading.kinds)}
    verdict = await judge.judge(example.question, example.answer, example.tools)
    return None if verdict.label == ERROR else verdict.as_output()


async def _gather(sources: Sequence[Source], endpoint: Endpoint,
                  examples: Sequence[LabeledExample], cache: Cache, retry: RetryPolicy,
                  progress: Progress) -> int:
    """Ask every source about every row not in ``cache``; return how many calls failed."""
    gate = asyncio.Semaphore(CONCURRENCY)
    judges = {source.name: (ChecklistJudge(endpoint, source.prompt, retry=retry)
                            if source.is_checklist else
                            Judge(endpoint, source.prompt, retry=retry)) for source in sources}
    failures = 0

    async def one(source: Source, example: LabeledExample) -> None:
        nonlocal failures
        async with gate:
            value = await _ask(source, judges[source.name], example)
        if value is None:
            failures += 1
        else:
            cache.add(signal_key(source, endpoint.model, example), value)
        progress.advance()

    todo = [(s, e) for s in sources for e in examples
            if signal_key(s, endpoint.model, e) not in cache.entries]
    progress.start(f"asking {len(sources)} judges about {len(examples)} dev rows",
                   total=len(todo))
    try:
        await asyncio.gather(*(one(s, e) for s, e in todo))
    finally:
        for judge in judges.values():
            await judge.aclose()
    return failures


def collect(sources: Sequence[Source], endpoint: Endpoint,
            examples: Sequence[LabeledExample], cache: Cache, *,
            retry: RetryPolicy | None = None, progress: Progress = SILENT) -> list[Signals]:
    """Every row's signals from every source (asking only what ``cache`` lacks)."""
    failures = asyncio.run(_gather(sources, endpoint, examples, cache,
                                   retry or RetryPolicy(), progress))
    if failures:
        raise SignalsFailed(f"{failures} judge calls still failed after their retries; the "
                            f"{len(cache.entries)} answers so far are kept in {cache.path}: "
                            "re-run the same command to ask only the missing ones")
    rows = []
    for example in examples:
        labels, probabilities, checks = {}, {}, {}
        for source in sources:
            value = cache.entries[signal_key(source, endpoint.model, example)]
            if source.is_checklist:
                reading = Reading(tuple(value["places"]), frozenset(value["kinds"]))
                checks = {MODEL: check_scores(example.question, example.answer,
                                              example.tools, reading),
                          WORDING: check_scores(example.question, example.answer,
                                                example.tools)}
            else:
                labels[source.name] = value["label"]
                probabilities[source.name] = value.get("probability")
        rows.append(Signals(labels, probabilities, checks))
    return rows
