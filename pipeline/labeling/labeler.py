"""``judge-align annotate``: label root spans in the terminal, one key per answer.

Keys: h = helpful, n = not helpful, s = skip, u = undo, q = quit. Each label is saved to
Phoenix at once (synchronously), so quitting at any point loses nothing, and the next start
resumes at the first span without a human label. When Phoenix cannot save a label (stopped,
timed out, a 5xx), the session stops with one line (:class:`NotSaved`) naming the span.
Spans listed in a queue file (one span id per line, e.g. written by ``suggest-labels``) come
first, then the rest, oldest first.

``run`` takes the key reader and the screen as parameters, so a test can drive it; the
terminal's own key reader and screen live with the CLI's views (``pipeline.views``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import httpx

from evaluators.labels import HELPFUL, NOT_HELPFUL
from pipeline.errors import UserError
from pipeline.phoenix import annotations, spans
from pipeline.phoenix.span_text import SpanText

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix

KEYS = {"h": HELPFUL, "n": NOT_HELPFUL}
HELP = "h helpful   n not helpful   s skip   u undo   q quit"


class Screen(Protocol):
    """Where the labeler shows spans and says what happened."""

    def show(self, span: spans.RootSpan, index: int, total: int) -> None: ...

    def say(self, message: str) -> None: ...


class NotSaved(UserError):
    """A label (or an undo) could not be saved to Phoenix; the session stopped there."""


@dataclass
class Session:
    """What happened in one labeling session."""

    to_label: int = 0
    labeled: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    undone: int = 0
    remaining: int = 0


@dataclass(frozen=True)
class _Step:
    index: int
    span_id: str
    previous: annotations.HumanLabel | None = None
    annotation_id: str | None = None  # None: the step was a skip


def read_queue(path: Path) -> list[str]:
    """Span ids from a plain text file, one per line (blank lines and # comments ignored)."""
    if not path.is_file():
        raise UserError(f"queue file {path} does not exist: give a text file with one span "
                        "id per line")
    ids = [line.split("#", 1)[0].strip().lower() for line in path.read_text().splitlines()]
    return list(dict.fromkeys(i for i in ids if i))


def plan(phoenix: Phoenix, project: str, queue: list[str] | None = None,
         text: SpanText | None = None
         ) -> tuple[list[spans.RootSpan], dict[str, annotations.HumanLabel]]:
    """Every root span with a question and an answer (read by ``text``) in labeling order
    (queue first, then oldest first), and the current human labels."""
    spans.require_project(phoenix, project)
    everything = sorted((span for span in spans.root_spans(phoenix, project, text=text)
                         if span.readable), key=lambda s: (s.start_time, s.span_id))
    by_id = {span.span_id: span for span in everything}
    queue = queue or []
    unknown = [span_id for span_id in queue if span_id not in by_id]
    if unknown:
        raise UserError(f"the queue names {len(unknown)} span(s) that are not root spans "
                        f"with a question and an answer in project {project!r} (first: "
                        f"{unknown[0]}): fix the queue file or JUDGE_ALIGN_PROJECT")
    queued = set(queue)
    ordered = [by_id[span_id] for span_id in queue] + [
        span for span in everything if span.span_id not in queued]
    return ordered, annotations.human_labels(phoenix, project, by_id)


def run(phoenix: Phoenix, project: str, read: Callable[[], str], screen: Screen,
        queue: list[str] | None = None, annotator: str | None = None,
        text: SpanText | None = None) -> Session:
    """Show each unlabeled span and save the key pressed for it until none is left or q."""
    screen.say(annotations.ensure_config(phoenix, project))
    ordered, current = plan(phoenix, project, queue, text)
    todo = [span for span in ordered if span.span_id not in current]
    session = Session(to_label=len(todo))
    if not todo:
        screen.say(f"every one of the {len(ordered)} root spans of {project!r} has a "
                      "human label: nothing to do")
        return session
    screen.say(f"{len(todo)} of {len(ordered)} spans have no human label yet")
    history: list[_Step] = []
    index = 0
    while index < len(todo):
        span = todo[index]
        screen.show(span, index, len(todo))
        key = _next_key(read)
        if key in KEYS:
            with _saving(span.span_id, "the label"):
                annotation_id = annotations.write_labels(phoenix, [annotations.LabelToWrite(
                    span_id=span.span_id, label=KEYS[key], annotator=annotator,
                    source="terminal")])[0]
            history.append(_Step(index, span.span_id, current.get(span.span_id), annotation_id))
            session.labeled[span.span_id] = KEYS[key]
            session.skipped.discard(span.span_id)
            screen.say(f"saved: {KEYS[key]}")
            index += 1
        elif key == "s":
            history.append(_Step(index, span.span_id))
            session.skipped.add(span.span_id)
            screen.say("skipped")
            index += 1
        elif key == "u":
            if not history:
                screen.say("nothing to undo")
                continue
            step = history.pop()
            with _saving(step.span_id, "the undo"):
                _undo(phoenix, step, session)
            screen.say(f"undone: back to span {step.span_id}")
            index = step.index
        elif key == "q":
            break
        else:
            screen.say(f"unknown key {key!r}: {HELP}" if key != "?" else HELP)
    session.remaining = len(todo) - len(session.labeled)
    screen.say(f"labeled {len(session.labeled)}, skipped {len(session.skipped)}, "
                  f"{session.remaining} still without a label"
                  + (": run `make annotate` again to continue" if session.remaining else ""))
    return session


@contextmanager
def _saving(span_id: str, what: str) -> Iterator[None]:
    """Turn a failed write to Phoenix (down, timed out, 5xx) into one :class:`NotSaved`
    line: which span, that ``what`` (the label, the undo) was not saved, how to resume."""
    try:
        yield
    except httpx.HTTPError as error:
        raise NotSaved(
            f"span {span_id}: {_not_saved(error, what)}; labels saved before it stay saved. "
            "Once Phoenix answers again (`make status`, `make up`), re-run `make annotate`: "
            "it resumes at the first unlabeled span") from error


def _not_saved(error: httpx.HTTPError, what: str) -> str:
    """That ``what`` was not saved (or may not be, when the answer was lost), and why."""
    if isinstance(error, httpx.HTTPStatusError):
        return f"{what} was not saved (Phoenix answered HTTP {error.response.status_code})"
    if isinstance(error, httpx.ConnectError):
        return f"{what} was not saved (Phoenix could not be reached)"
    if isinstance(error, httpx.TimeoutException):
        return f"{what} may not have been saved (Phoenix did not answer in time)"
    return f"{what} may not have been saved (the connection to Phoenix failed: " \
        f"{type(error).__name__})"


def _next_key(read: Callable[[], str]) -> str:
    try:
        key = read()
    except (EOFError, KeyboardInterrupt):
        return "q"
    return (key or "").strip().lower()[:1] or "?"


def _undo(phoenix: Phoenix, step: _Step, session: Session) -> None:
    session.skipped.discard(step.span_id)
    if step.annotation_id is None:
        return
    session.labeled.pop(step.span_id, None)
    session.undone += 1
    if step.previous is None:
        annotations.delete_annotation(phoenix, step.annotation_id)
    else:  # a label from elsewhere existed: put it back
        annotations.write_labels(phoenix, [annotations.LabelToWrite(
            span_id=step.span_id, label=step.previous.label,
            explanation=step.previous.explanation, source="terminal-undo")])
