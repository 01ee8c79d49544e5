"""Tracing as Phoenix's quick start sets it up, and nothing more: ``phoenix.otel.register``
for a project, exporting in batches over OTLP/HTTP, and OpenInference's
``OpenAIInstrumentor``, which records every ``chat.completions`` call as an LLM span. The app
makes no spans of its own, so each call is the root span of its own trace.

Two small differences from the quick start, both so that the app can be run twice in one
process (as tests do): the provider is not made the global one (the instrumentor is given it
directly), and leaving the block flushes the spans, uninstruments the SDK and shuts the
provider down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from agent_demo.cooking.endpoints import TRACES_PATH


def phoenix_reachable(phoenix_url: str) -> bool:
    """True when Phoenix answers on ``/healthz``."""
    try:
        return httpx.get(f"{phoenix_url}/healthz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def traced(phoenix_url: str, project: str) -> Iterator[None]:
    """Send the OpenAI SDK's calls made inside the block to ``project`` at ``phoenix_url``."""
    from openinference.instrumentation.openai import OpenAIInstrumentor
    from phoenix.otel import register

    tracer_provider = register(project_name=project, endpoint=phoenix_url + TRACES_PATH,
                               batch=True, set_global_tracer_provider=False, verbose=False)
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=tracer_provider)
    try:
        yield
    finally:
        instrumentor.uninstrument()
        tracer_provider.force_flush()
        tracer_provider.shutdown()
