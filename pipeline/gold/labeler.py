"""``judge-align gold label``: a person labels the recorded gold traces in the terminal.

Pass 1 goes through the traces of ``gold/traces.jsonl`` that ``gold/labels.csv`` lacks.
Pass 2 is the blind second reading: a seeded random sample of labeled traces, shown without
their first label, written to ``gold/labels-pass2.csv`` (``gold agreement`` compares them).
Each trace is shown whole (question, every tool call with its result or error, answer);
keys: h helpful, n not helpful (then a short note naming the rubric rule), s skip, u undo,
q quit. Every label is appended to its file at once, so quitting loses nothing and the next
start resumes where this one stopped.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from evaluators.labels import HELPFUL, NOT_HELPFUL
from pipeline.gold.passes import SECOND_PASS_FILE, sample
from pipeline.gold.stats import read_label_rows
from pipeline.gold.traces import LABELS_FILE, TRACES_FILE, read_traces

KEYS = {"h": HELPFUL, "n": NOT_HELPFUL}
HELP = "h helpful   n not helpful   s skip   u undo   q quit"
FIELDS = ("span_id", "label", "explanation")


class GoldScreen(Protocol):
    """Where traces are shown and notes asked for."""

    def show(self, trace: dict[str, Any], index: int, total: int) -> None: ...

    def say(self, message: str) -> None: ...


@dataclass
class LabelingRun:
    """What one sitting did."""

    to_label: int = 0
    written: dict[str, str] = field(default_factory=dict)
    skipped: int = 0


def _append(path: Path, row: dict[str, str]) -> None:
    new = not path.is_file() or path.stat().st_size == 0
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(row)


def _drop_last(path: Path, span_id: str) -> None:
    rows = [r for r in read_label_rows(path)]
    if rows and rows[-1]["span_id"] == span_id:
        rows.pop()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: r.get(k, "") for k in FIELDS} for r in rows)


def todo(pass_number: int, *, n: int, seed: int, traces_path: Path = TRACES_FILE,
         labels_path: Path = LABELS_FILE, second_path: Path = SECOND_PASS_FILE
         ) -> tuple[list[dict[str, Any]], Path]:
    """The traces still to label in this pass, and the file their labels go to."""
    traces = read_traces(traces_path)
    first = {r["span_id"] for r in read_label_rows(labels_path)} if labels_path.is_file() \
        else set()
    if pass_number == 1:
        return [t for t in traces if t["root_span_id"] not in first], labels_path
    done = {r["span_id"] for r in read_label_rows(second_path)} if second_path.is_file() \
        else set()
    chosen = set(sample(sorted(first), n, seed))
    return [t for t in traces if t["root_span_id"] in chosen - done], second_path


def run(traces: list[dict[str, Any]], path: Path, read_key: Callable[[], str],
        read_note: Callable[[], str], screen: GoldScreen) -> LabelingRun:
    """Show each trace and append the label given for it, until none is left or q."""
    result = LabelingRun(to_label=len(traces))
    history: list[tuple[int, str | None]] = []
    index = 0
    while index < len(traces):
        trace = traces[index]
        screen.show(trace, index, len(traces))
        key = (read_key() or "?").strip().lower()[:1] or "?"
        if key in KEYS:
            screen.say("note (the rule that decided it, e.g. 'rule 3: misses Paris'):")
            note = read_note().strip()
            _append(path, {"span_id": trace["root_span_id"], "label": KEYS[key],
                           "explanation": note})
            result.written[trace["root_span_id"]] = KEYS[key]
            history.append((index, trace["root_span_id"]))
            index += 1
        elif key == "s":
            history.append((index, None))
            result.skipped += 1
            index += 1
        elif key == "u" and history:
            index, span_id = history.pop()
            if span_id is None:
                result.skipped -= 1
            else:
                _drop_last(path, span_id)
                result.written.pop(span_id, None)
        elif key == "q":
            break
        else:
            screen.say(HELP)
    return result
