"""A throwaway Phoenix for a benchmark: its own run directory and free ports, stopped and
deleted at the end (``with throwaway_phoenix() as settings:``)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline import stack
from pipeline.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def throwaway_phoenix(prefix: str = "bench-phoenix-") -> Iterator[Settings]:
    """Start a Phoenix on SQLite in a temporary directory; yield settings pointing at it."""
    run_dir = Path(tempfile.mkdtemp(prefix=prefix))
    settings = Settings(run_dir=run_dir, phoenix_port=free_port(),
                        phoenix_grpc_port=free_port(), local_llm_port=free_port())
    service = stack.phoenix_service(settings)
    service.start()
    try:
        yield settings
    finally:
        service.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
