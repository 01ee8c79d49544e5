"""Numbers as the tables show them: no server needed."""

from __future__ import annotations

import pytest
from rich.console import Console

from pipeline.views.demo import render_step_times
from pipeline.views.format import minutes_seconds


@pytest.mark.parametrize(("seconds", "shown"), [
    (0.04, "0.0 s"), (42.04, "42.0 s"), (59.96, "60.0 s"), (60.0, "1 min 00 s"),
    (754.2, "12 min 34 s"), (3601, "60 min 01 s"),
])
def test_minutes_seconds(seconds: float, shown: str) -> None:
    assert minutes_seconds(seconds) == shown


def test_step_times_show_each_step_and_its_share() -> None:
    console = Console(record=True, width=100)
    render_step_times({"4. judge": 90.0, "5. align": 210.0}, 400.0, console)
    text = console.export_text()
    assert "4. judge" in text and "1 min 30 s" in text and "22%" in text
    assert "3 min 30 s" in text and "52%" in text and "6 min 40 s" in text
