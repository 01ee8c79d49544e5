"""Agent traces for tests, emitted the way the real agent emits them (OpenTelemetry to Phoenix).

Each trace follows the shared contract: a root span named ``weather_agent`` of OpenInference
kind AGENT with ``input.value`` (the question), ``output.value`` (the answer), ``metadata``
JSON with ``category`` and ``model``, ``session.id``, and one child LLM span. Use it when a
test needs traces without running the agent:

    span_ids = emit_traces(settings, "my-project", make_traces(12))
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from pipeline.settings import Settings
from tests.support.stack import base_url

CATEGORIES = ("forecast", "units", "travel", "out_of_scope")
FLUSH_EVERY = 500


@dataclass(frozen=True)
class ToolSpan:
    """One tool call of a trace: its arguments and its JSON result (or error)."""

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class AgentTrace:
    """One question and the answer the agent gave."""

    question: str
    answer: str
    category: str = "forecast"
    model: str = "scripted"
    session_id: str = "test-session"
    tools: tuple[ToolSpan, ...] = ()


def weather_call(city: str, temperature: float) -> ToolSpan:
    """A get_weather call for ``city`` that returned ``temperature`` °C and clear sky."""
    return ToolSpan("get_weather", {"location": city, "unit": "celsius"},
                    {"location": city, "conditions": "Clear sky", "temperature": temperature,
                     "temperature_unit": "°C"})


def make_traces(n: int, prefix: str = "q") -> list[AgentTrace]:
    """``n`` distinct traces cycling through the categories, each with one weather call."""
    return [AgentTrace(question=f"{prefix}{i}: what is the weather in city {i}?",
                       answer=f"{prefix}{i}: it is {10 + i} degrees and sunny.",
                       category=CATEGORIES[i % len(CATEGORIES)],
                       tools=(weather_call(f"city {i}", 10 + i),))
            for i in range(n)]


def emit_traces(settings: Settings, project: str, traces: list[AgentTrace],
                wait: float = 30.0) -> list[str]:
    """Send ``traces`` to Phoenix over OTLP/HTTP; return the root span ids (hex), in order,
    once Phoenix has stored every one of them."""
    from openinference.semconv.trace import OpenInferenceSpanKindValues, SpanAttributes
    from phoenix.otel import register

    provider = register(project_name=project, endpoint=f"{base_url(settings)}/v1/traces",
                        batch=True, set_global_tracer_provider=False, verbose=False)
    tracer = provider.get_tracer(__name__)
    span_ids = []
    try:
        for trace in traces:
            with tracer.start_as_current_span("weather_agent", attributes={
                SpanAttributes.OPENINFERENCE_SPAN_KIND: OpenInferenceSpanKindValues.AGENT.value,
                SpanAttributes.INPUT_VALUE: trace.question,
                SpanAttributes.INPUT_MIME_TYPE: "text/plain",
                SpanAttributes.OUTPUT_VALUE: trace.answer,
                SpanAttributes.OUTPUT_MIME_TYPE: "text/plain",
                SpanAttributes.METADATA: json.dumps({"category": trace.category,
                                                     "model": trace.model}),
                SpanAttributes.SESSION_ID: trace.session_id,
            }) as root:
                with tracer.start_as_current_span("ChatCompletion", attributes={
                    SpanAttributes.OPENINFERENCE_SPAN_KIND: OpenInferenceSpanKindValues.LLM.value,
                    SpanAttributes.LLM_MODEL_NAME: trace.model,
                    SpanAttributes.INPUT_VALUE: trace.question,
                    SpanAttributes.OUTPUT_VALUE: trace.answer,
                }):
                    pass
                for call in trace.tools:
                    _tool_span(tracer, call)
                span_ids.append(format(root.get_span_context().span_id, "016x"))
            if len(span_ids) % FLUSH_EVERY == 0:  # the export queue holds 2048 spans
                provider.force_flush()
        provider.force_flush()
    finally:
        provider.shutdown()
    wait_until_stored(settings, project, span_ids, wait)
    return span_ids


def _tool_span(tracer: Any, call: ToolSpan) -> None:
    """A TOOL child span as the agent records one (ERROR status on a failed call)."""
    from openinference.semconv.trace import OpenInferenceSpanKindValues, SpanAttributes
    from opentelemetry.trace import Status, StatusCode

    output = {"error": call.error} if call.error else call.result
    with tracer.start_as_current_span(call.name, attributes={
        SpanAttributes.OPENINFERENCE_SPAN_KIND: OpenInferenceSpanKindValues.TOOL.value,
        SpanAttributes.INPUT_VALUE: json.dumps(call.arguments),
        SpanAttributes.OUTPUT_VALUE: json.dumps(output),
    }) as span:
        span.set_status(Status(StatusCode.ERROR, call.error) if call.error
                        else Status(StatusCode.OK))


def wait_until_stored(settings: Settings, project: str, span_ids: list[str],
                      wait: float = 30.0) -> None:
    """Block until Phoenix returns every span in ``span_ids`` (ingestion is asynchronous)."""
    from phoenix.client import Client

    client = Client(base_url=base_url(settings))
    missing = set(span_ids)
    deadline = time.monotonic() + wait
    while True:
        pending = sorted(missing)
        for start in range(0, len(pending), 500):
            chunk = pending[start:start + 500]
            try:
                found = client.spans.get_spans(project_identifier=project, span_ids=chunk,
                                               limit=len(chunk), timeout=30)
            except Exception:  # the project appears with its first span
                continue
            missing -= {span["context"]["span_id"] for span in found}
        if not missing:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(missing)} of {len(span_ids)} spans not in Phoenix after "
                               f"{wait:.0f} s")
        time.sleep(0.3)


def run_judge_align(settings: Settings, *args: str, project: str, dataset: str = "",
                    stdin: str | None = None, **more_env: str) -> subprocess.CompletedProcess:
    """Run the ``judge-align`` CLI against the test Phoenix for ``project``/``dataset``
    (``more_env``: further settings, e.g. ``OPENAI_BASE_URL``)."""
    env = {**os.environ, "JUDGE_ALIGN_RUN_DIR": str(settings.run_dir),
           "PHOENIX_PORT": str(settings.phoenix_port),
           "PHOENIX_GRPC_PORT": str(settings.phoenix_grpc_port),
           "JUDGE_ALIGN_PROJECT": project, "JUDGE_ALIGN_DATASET": dataset or "unused",
           "COLUMNS": "200", **more_env}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)
