"""Progress bars on stderr: the rich implementation of :class:`pipeline.progress.Progress`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class Bar:
    """One line that shows a spinner while the total is unknown, then a bar."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def start(self, description: str, total: int | None = None) -> None:
        if self._task is None:
            self._task = self._progress.add_task(description, total=total)
        else:
            self._progress.reset(self._task, description=description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, steps)


@contextmanager
def progress_bar(enabled: bool = True, transient: bool = False) -> Iterator[Bar]:
    """A progress line on stderr for the duration of the block (gone afterwards when
    ``transient``); drawn only on a terminal, so logs and pipes get no bar residue."""
    columns = (SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
               BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    drawn = enabled and sys.stderr.isatty()
    with Progress(*columns, console=Console(file=sys.stderr), disable=not drawn,
                  transient=transient) as progress:
        yield Bar(progress)
