"""``judge-align annotate``: label root spans in the terminal, one key per answer.

Keys: h = helpful, n = not helpful, s = skip, u = undo, q = quit. Each label is saved to
Phoenix at once (synchronously), so quitting at any point loses nothing, and the next start
resumes at the first span without a human label. Spans listed in a queue file (one span id
per line, e.g. written by ``suggest-labels``) come first, then the rest, oldest first.

``run`` takes the key reader as a parameter, so a test can drive it; ``read_key`` reads one
key without Enter on a terminal (and a line elsewhere, e.g. from a pipe).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import annotations, spans
from pipeline.errors import UserError
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import Client
    from rich.console import Console

KEYS = {"h": "helpful", "n": "not_helpful"}
HELP = "[bold]h[/] helpful   [bold]n[/] not helpful   [bold]s[/] skip   [bold]u[/] undo   " \
       "[bold]q[/] quit"


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


def plan(client: Client, project: str, queue: list[str] | None = None
         ) -> tuple[list[spans.RootSpan], dict[str, annotations.HumanLabel]]:
    """Every root span with an answer in labeling order (queue first, then oldest first),
    and the current human labels."""
    spans.require_project(client, project)
    everything = sorted((span for span in spans.root_spans(client, project) if span.answer),
                        key=lambda s: (s.start_time, s.span_id))
    by_id = {span.span_id: span for span in everything}
    queue = queue or []
    unknown = [span_id for span_id in queue if span_id not in by_id]
    if unknown:
        raise UserError(f"the queue names {len(unknown)} span(s) that are not answered root "
                        f"agent spans of project {project!r} (first: {unknown[0]}): fix the "
                        "queue file or JUDGE_ALIGN_PROJECT")
    queued = set(queue)
    ordered = [by_id[span_id] for span_id in queue] + [
        span for span in everything if span.span_id not in queued]
    return ordered, annotations.human_labels(client, project, by_id)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def run(client: Client, settings: Settings, project: str, read: Callable[[], str],
        console: Console, queue: list[str] | None = None, annotator: str | None = None
        ) -> Session:
    """Show each unlabeled span and save the key pressed for it until none is left or q."""
    console.print(annotations.ensure_config(settings, project))
    ordered, current = plan(client, project, queue)
    todo = [span for span in ordered if span.span_id not in current]
    session = Session(to_label=len(todo))
    if not todo:
        console.print(f"every one of the {len(ordered)} root spans of {project!r} has a "
                      "human label: nothing to do")
        return session
    console.print(f"{len(todo)} of {len(ordered)} spans have no human label yet")
    history: list[_Step] = []
    index = 0
    while index < len(todo):
        span = todo[index]
        _show(console, span, index, len(todo))
        key = _next_key(read)
        if key in KEYS:
            annotation_id = annotations.write_label(client, annotations.LabelToWrite(
                span_id=span.span_id, label=KEYS[key], annotator=annotator, source="terminal"))
            history.append(_Step(index, span.span_id, current.get(span.span_id), annotation_id))
            session.labeled[span.span_id] = KEYS[key]
            session.skipped.discard(span.span_id)
            console.print(f"saved: {KEYS[key]}")
            index += 1
        elif key == "s":
            history.append(_Step(index, span.span_id))
            session.skipped.add(span.span_id)
            console.print("skipped")
            index += 1
        elif key == "u":
            if not history:
                console.print("nothing to undo")
                continue
            step = history.pop()
            _undo(client, settings, step, session)
            console.print(f"undone: back to span {step.span_id}")
            index = step.index
        elif key == "q":
            break
        else:
            console.print(f"unknown key {escape(repr(key))}: {HELP}" if key != "?" else HELP)
    session.remaining = len(todo) - len(session.labeled)
    console.print(f"labeled {len(session.labeled)}, skipped {len(session.skipped)}, "
                  f"{session.remaining} still without a label"
                  + (": run `make annotate` again to continue" if session.remaining else ""))
    return session


def read_key() -> str:
    """One key from the terminal without Enter (a whole line when stdin is not a terminal).
    End of input and Ctrl-C/Ctrl-D count as q."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.strip()[:1] if line else "q"
    import termios
    import tty

    descriptor = sys.stdin.fileno()
    saved = termios.tcgetattr(descriptor)
    try:
        tty.setcbreak(descriptor)
        key = sys.stdin.read(1)
    finally:
        termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)
    return "q" if key in ("", "\x03", "\x04") else key


def _next_key(read: Callable[[], str]) -> str:
    try:
        key = read()
    except (EOFError, KeyboardInterrupt):
        return "q"
    return (key or "").strip().lower()[:1] or "?"


def _undo(client: Client, settings: Settings, step: _Step, session: Session) -> None:
    session.skipped.discard(step.span_id)
    if step.annotation_id is None:
        return
    session.labeled.pop(step.span_id, None)
    session.undone += 1
    if step.previous is None:
        annotations.delete_annotation(settings, step.annotation_id)
    else:  # a label from elsewhere existed: put it back
        annotations.write_label(client, annotations.LabelToWrite(
            span_id=step.span_id, label=step.previous.label,
            explanation=step.previous.explanation, source="terminal-undo"))


def _show(console: Console, span: spans.RootSpan, index: int, total: int) -> None:
    from rich.panel import Panel
    from rich.text import Text

    console.rule(f"span {index + 1} of {total}  ·  {span.span_id}  ·  "
                 f"category {span.category or '-'}")
    console.print(Panel(Text(span.question), title="question", title_align="left"))
    console.print(Panel(Text(span.answer), title="answer", title_align="left"))
    console.print(HELP)
