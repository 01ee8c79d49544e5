"""A throwaway Phoenix for a benchmark: its own run directory and free ports, stopped and
deleted at the end (``with throwaway_phoenix() as settings:``)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.settings import Settings
from tests.support.stack import isolated_settings, running_phoenix


@contextlib.contextmanager
def throwaway_phoenix(prefix: str = "bench-phoenix-") -> Iterator[Settings]:
    """Start a Phoenix on SQLite in a temporary directory; yield settings pointing at it."""
    run_dir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield from running_phoenix(isolated_settings(run_dir))
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
