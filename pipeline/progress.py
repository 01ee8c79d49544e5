"""How long work reports its progress: a small interface the CLI draws as a bar.

Logic takes a :class:`Progress` and calls it; only ``pipeline.views`` draws anything. Tests
and library callers pass :data:`SILENT`.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress: a task starts with a description and (maybe) a total, then
    advances step by step."""

    def start(self, description: str, total: int | None = None) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class _Silent:
    def start(self, description: str, total: int | None = None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


SILENT: Progress = _Silent()
