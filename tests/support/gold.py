"""The demo gold set as tests read it: its traces and final labels."""

from __future__ import annotations

from typing import Any

from pipeline.gold.files import DEMO
from pipeline.gold.label_rows import read_labels
from pipeline.gold.traces import read_traces


def gold_traces() -> list[dict[str, Any]]:
    return read_traces(DEMO.traces)


def gold_labels() -> dict[str, str]:
    """``{root span id: final label}``."""
    return read_labels(DEMO.labels)
