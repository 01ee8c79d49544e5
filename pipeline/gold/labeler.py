"""``judge-align gold label``: label the recorded gold traces, in the terminal or from a file.

Pass 1 goes through the traces that ``labels-pass1.csv`` lacks. Pass 2 is the blind second
reading: a seeded random sample of traces pass 1 labeled, shown without their first label,
written to ``labels-pass2.csv`` (``gold stats`` compares the two). Each trace is shown whole
(:mod:`pipeline.gold.sheet`); keys: h helpful, n not helpful (then a short note naming the
rubric rule), s skip, u undo, q quit. Every label is appended to its file at once, so
quitting loses nothing and the next start resumes where this one stopped. Labelers who work
from a file (``gold sheet``) hand in a filled labels file instead (:func:`take_file`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from evaluators.labels import HELPFUL, NOT_HELPFUL
from pipeline.gold.files import DEMO, GoldFiles
from pipeline.gold.label_rows import append_row, read_filled, read_rows, write_final, write_rows
from pipeline.gold.passes import sample
from pipeline.gold.traces import read_traces

KEYS = {"h": HELPFUL, "n": NOT_HELPFUL}
HELP = "h helpful   n not helpful   s skip   u undo   q quit"


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


def _drop_last(path: Path, span_id: str) -> None:
    rows = read_rows(path)
    if rows and rows[-1]["span_id"] == span_id:
        rows.pop()
    write_rows(path, rows)


def todo(pass_number: int, *, n: int, seed: int, files: GoldFiles = DEMO
         ) -> tuple[list[dict[str, Any]], Path]:
    """The traces still to label in this pass, in a seeded random order (runs recorded
    together are not read together), and the file their labels go to."""
    traces = {t["root_span_id"]: t for t in read_traces(files.traces)}
    first = {r["span_id"] for r in read_rows(files.pass1)}
    if pass_number == 1:
        order = sample(sorted(set(traces) - first), len(traces), seed)
        return [traces[s] for s in order], files.pass1
    done = {r["span_id"] for r in read_rows(files.pass2)}
    return [traces[s] for s in sample(sorted(first), n, seed) if s not in done], files.pass2


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
            append_row(path, {"span_id": trace["root_span_id"], "label": KEYS[key],
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


def take_file(source: Path, traces: list[dict[str, Any]], path: Path) -> int:
    """Append the labels of a filled-in file for ``traces`` (the ones this pass still
    lacks) to the pass file; the file is checked whole first. Returns how many."""
    rows = read_filled(source, {t["root_span_id"] for t in traces},
                       unknown="not a trace this pass still has to label")
    for row in rows:
        append_row(path, row)
    return len(rows)


def finish(files: GoldFiles) -> int:
    """After a sitting: rewrite the final labels from the passes and rulings."""
    return write_final(files)
