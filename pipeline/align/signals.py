"""What every judge says about each dev row, gathered once and kept on disk.

Each source (:class:`~evaluators.modes.base.Source`: a prompt version judged by its own
mode, e.g. a hand-written version, the checklist's reading of the question, a few-shot
prompt) is asked about every dev row; what the model said is appended to a cache file under
the run directory as soon as it arrives, keyed by what was sent (the judge's fingerprint)
and the model, so an interrupted ``make align`` resumes where it stopped and a second run
asks the model nothing it already answered. The source's mode turns what was said into the
row's :class:`~evaluators.modes.base.Signals`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from evaluators.chat import RetryPolicy
from evaluators.endpoint import Endpoint
from evaluators.modes import make_judge, mode_of
from evaluators.modes.base import Labeled, ModeJudge, Signals, Source
from pipeline.dataset.examples import LabeledExample
from pipeline.errors import UserError
from pipeline.progress import SILENT, Progress

CONCURRENCY = 2


class SignalsFailed(UserError):
    """Judge calls still failed after their retries; what did answer is kept."""


def labeled(example: LabeledExample) -> Labeled:
    return Labeled(example.question, example.answer, example.tools, example.label)


def judges_for(sources: Sequence[Source], endpoint: Endpoint,
               retry: RetryPolicy | None = None) -> dict[str, ModeJudge]:
    """Each source's judge, by the source's key."""
    return {source.key: make_judge(endpoint, source.prompt, retry=retry) for source in sources}


def signal_key(judge: ModeJudge, example: LabeledExample) -> str | None:
    """The cache key of what ``judge`` says about ``example``; None when it asks the model
    nothing."""
    return judge.key(example.question, example.answer, example.tools)


class Cache(MutableMapping[str, dict[str, Any]]):
    """Answers already given, by key, appended to a JSONL file as they come; a judge given
    it as its memo (:meth:`~evaluators.modes.base.ModeJudge.remember`) reads and adds to it.
    """

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

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self.entries[key]

    def __setitem__(self, key: str, value: dict[str, Any]) -> None:
        self.add(key, value)

    def __delitem__(self, key: str) -> None:
        raise TypeError("answers are never taken back from the cache")

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


async def _gather(sources: Sequence[Source], judges: dict[str, ModeJudge], model: str,
                  examples: Sequence[LabeledExample], cache: Cache, progress: Progress,
                  rows_named: str) -> int:
    """Ask every source about every row not in ``cache``; return how many calls failed."""
    gate = asyncio.Semaphore(CONCURRENCY)
    failures = 0

    async def one(judge: ModeJudge, example: LabeledExample, key: str) -> None:
        nonlocal failures
        async with gate:
            try:
                value = await judge.ask(example.question, example.answer, example.tools)
            except Exception:
                value = None
        if value is None:
            failures += 1
        else:
            cache.add(key, value)
        progress.advance()

    todo = [(judges[s.key], e, key) for s in sources for e in examples
            if (key := signal_key(judges[s.key], e)) is not None
            and key not in cache.entries]
    progress.start(f"asking {len(sources)} judges about {len(examples)} {rows_named}",
                   total=len(todo))
    try:
        await asyncio.gather(*(one(j, e, key) for j, e, key in todo))
    finally:
        for judge in judges.values():
            await judge.aclose()
    return failures


def collect(sources: Sequence[Source], endpoint: Endpoint,
            examples: Sequence[LabeledExample], cache: Cache, *,
            retry: RetryPolicy | None = None, progress: Progress = SILENT,
            rows_named: str = "dev rows") -> list[Signals]:
    """Every row's signals from every source (asking only what ``cache`` lacks);
    ``rows_named`` says in the progress line which rows they are."""
    judges = judges_for(sources, endpoint, retry or RetryPolicy())
    failures = asyncio.run(_gather(sources, judges, endpoint.model, examples, cache,
                                   progress, rows_named))
    if failures:
        raise SignalsFailed(f"{failures} judge calls still failed after their retries; the "
                            f"{len(cache.entries)} answers so far are kept in {cache.path}: "
                            "re-run the same command to ask only the missing ones")
    rows = []
    for example in examples:
        row, dev_row = Signals(), labeled(example)
        for source in sources:
            key = signal_key(judges[source.key], example)
            said = {} if key is None else cache.entries[key]
            row = row.merged(mode_of(source.prompt).signals(source, said, dev_row))
        rows.append(row)
    return rows
