"""Run the demo agent from test settings the way the CLI does, and print its summary."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from agent_demo.run import ModelEndpoint, RunSummary, run_agent
from pipeline.settings import Settings
from pipeline.views.agent import agent_progress, render_agent_summary
from tests.support.stack import base_url, connect


def run_agent_for(settings: Settings, *, console: Console | None = None,
                  **options: Any) -> RunSummary:
    """:func:`run_agent` on the endpoint and Phoenix of ``settings``, drawn on ``console``."""
    endpoint = settings.agent_endpoint()
    with agent_progress(console or Console(file=io.StringIO())) as callbacks:
        return run_agent(ModelEndpoint(endpoint.base_url, endpoint.api_key, endpoint.model),
                         base_url(settings), settings.project, callbacks=callbacks, **options)


def show_summary(summary: RunSummary, settings: Settings, console: Console) -> None:
    """The CLI's closing table and Phoenix link for ``summary``."""
    delivered = summary.undelivered_traces < len(summary.results)
    render_agent_summary(
        summary, project=settings.project,
        project_url=connect(settings).project_url(settings.project, wait=5) if delivered
        else None, phoenix_base=base_url(settings), console=console)
