"""The terminal labeler when Phoenix cannot save a label (stopped mid-session, timed out, a
5xx, a dropped connection): one line naming the span, no traceback, and the next session
resumes at the first unlabeled span. Runs on a Phoenix of its own, which it stops."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from rich.console import Console

from pipeline import stack
from pipeline.failures import one_line
from pipeline.labeling import labeler
from pipeline.phoenix import annotations
from pipeline.settings import Settings
from pipeline.views.labeling import TerminalScreen
from tests.support.stack import connect, isolated_settings, running_phoenix
from tests.support.traces import emit_traces, make_traces

pytestmark = pytest.mark.server  # starts (and stops) its own Phoenix

REQUEST = httpx.Request("POST", "http://127.0.0.1:9/v1/span_annotations")


@pytest.fixture(scope="module")
def own_phoenix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    yield from running_phoenix(isolated_settings(tmp_path_factory.mktemp("labeler")))


def new_project(settings: Settings, traces: int = 3) -> tuple[str, list[str]]:
    project = f"labeler-failures-{uuid.uuid4().hex[:8]}"
    return project, emit_traces(settings, project, make_traces(traces))


def label(settings: Settings, project: str, read: Callable[[], str]
          ) -> tuple[labeler.Session | labeler.NotSaved, str]:
    """One labeling session; its result (or the NotSaved it stopped with) and the screen."""
    output = io.StringIO()
    try:
        result: labeler.Session | labeler.NotSaved = labeler.run(
            connect(settings), project, read, TerminalScreen(Console(file=output, width=200)))
    except labeler.NotSaved as stopped:
        result = stopped
    return result, output.getvalue()


def keys(pressed: str) -> Callable[[], str]:
    it = iter(pressed)
    return lambda: next(it, "q")


def assert_one_clear_line(error: object, span_id: str, what: str) -> None:
    assert isinstance(error, labeler.NotSaved), error
    line = one_line(error)
    assert line == str(error) and "\n" not in line
    assert line.startswith(f"span {span_id}: {what}"), line
    assert "re-run `make annotate`" in line and "first unlabeled span" in line


@pytest.mark.parametrize(("error", "what"), [
    (httpx.ReadTimeout("timed out", request=REQUEST),
     "the label may not have been saved (Phoenix did not answer in time)"),
    (httpx.HTTPStatusError("boom", request=REQUEST, response=httpx.Response(503,
                                                                            request=REQUEST)),
     "the label was not saved (Phoenix answered HTTP 503)"),
    (httpx.RemoteProtocolError("Server disconnected", request=REQUEST),
     "the label may not have been saved (the connection to Phoenix failed: "
     "RemoteProtocolError)"),
], ids=["timeout", "5xx", "dropped"])
def test_a_label_phoenix_fails_to_save_is_one_line(
        own_phoenix: Settings, monkeypatch: pytest.MonkeyPatch, error: Exception,
        what: str) -> None:
    project, span_ids = new_project(own_phoenix, traces=2)

    def failing(*_: object) -> list[str]:
        raise error

    monkeypatch.setattr(annotations, "write_labels", failing)
    result, _ = label(own_phoenix, project, keys("h"))
    assert_one_clear_line(result, span_ids[0], what)


def test_an_undo_phoenix_fails_to_save_is_one_line(own_phoenix: Settings,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    project, span_ids = new_project(own_phoenix, traces=2)

    def failing(*_: object) -> None:
        raise httpx.ConnectError("refused", request=REQUEST)

    monkeypatch.setattr(annotations, "delete_annotation", failing)
    result, _ = label(own_phoenix, project, keys("hu"))
    assert_one_clear_line(result, span_ids[0],
                          "the undo was not saved (Phoenix could not be reached)")


def test_phoenix_stopped_mid_session_is_one_line_and_the_next_session_resumes(
        own_phoenix: Settings) -> None:
    project, span_ids = new_project(own_phoenix)
    service = stack.phoenix_service(own_phoenix)
    pressed = iter("hn")

    def read() -> str:  # the second key comes after Phoenix went away
        key = next(pressed, "q")
        if key == "n":
            assert service.stop().startswith("phoenix stopped")
        return key

    result, shown = label(own_phoenix, project, read)
    assert_one_clear_line(result, span_ids[1],
                          "the label was not saved (Phoenix could not be reached)")
    assert "saved: helpful" in shown

    assert service.start().startswith("phoenix started")
    resumed, shown = label(own_phoenix, project, keys("n"))
    assert isinstance(resumed, labeler.Session)
    assert "2 of 3 spans have no human label yet" in shown
    assert shown.index(span_ids[1]) < shown.index(span_ids[2]) and span_ids[0] not in shown
    labels = annotations.human_labels(connect(own_phoenix), project, span_ids)
    assert {k: v.label for k, v in labels.items()} == {span_ids[0]: "helpful",
                                                       span_ids[1]: "not_helpful"}
