"""Tracing the agent to Phoenix: OpenInference spans over OTLP/HTTP, and an honest count of
the traces that could not be delivered.

:func:`traced` registers a tracer provider for a Phoenix project, instruments the OpenAI
SDK (LLM spans) and yields a :class:`Tracing` whose tracer makes the AGENT and TOOL spans.
Export goes through :class:`DeliveryCounter`, which records every span the exporter failed to
send; once Phoenix has refused a batch, later batches are sent only after a quick health
probe succeeds, so a run without Phoenix stays fast.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Tracer

# Loggers that would print a traceback per failed batch; the run warns once instead.
QUIET_LOGGERS = ("opentelemetry.exporter.otlp.proto.http.trace_exporter",
                 "opentelemetry.exporter.otlp.common.http",
                 "opentelemetry.sdk.trace.export",
                 "opentelemetry.sdk._shared_internal")


class DeliveryCounter(SpanExporter):
    """Wraps an exporter and counts the spans and traces it failed to deliver."""

    def __init__(self, inner: SpanExporter, health_url: str,
                 on_failure: Callable[[str], None] = lambda message: None,
                 reachable: bool = True) -> None:
        self.inner = inner
        self.health_url = health_url
        self.on_failure = on_failure
        self._reachable = reachable
        self._lock = threading.Lock()
        self.delivered_spans = 0
        self.failed_spans = 0
        self.failed_traces: set[int] = set()

    def _probe(self) -> bool:
        try:
            return httpx.get(self.health_url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        result = SpanExportResult.FAILURE
        if self._reachable or self._probe():
            try:
                result = self.inner.export(spans)
            except Exception:  # an exporter bug must not end the run
                result = SpanExportResult.FAILURE
        with self._lock:
            self._reachable = result is SpanExportResult.SUCCESS
            if self._reachable:
                self.delivered_spans += len(spans)
            else:
                self.failed_spans += len(spans)
                self.failed_traces |= {span.context.trace_id for span in spans if span.context}
        if not self._reachable:
            self.on_failure(f"{len(spans)} spans could not be sent to {self.health_url}")
        return result

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


@dataclass
class Tracing:
    """What a traced run needs: the tracer for AGENT/TOOL spans and the delivery counter."""

    tracer: Tracer
    delivery: DeliveryCounter

    @property
    def undelivered_traces(self) -> int:
        return len(self.delivery.failed_traces)


def phoenix_reachable(phoenix_url: str) -> bool:
    """True when Phoenix answers on /healthz."""
    try:
        return httpx.get(f"{phoenix_url}/healthz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


class _DropRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def _quiet_exporter_logs() -> Iterator[None]:
    drop = _DropRecords()
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    for logger in loggers:
        logger.addFilter(drop)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(drop)


@contextmanager
def traced(phoenix_url: str, project: str,
           on_failure: Callable[[str], None] = lambda message: None,
           reachable: bool = True) -> Iterator[Tracing]:
    """Trace to ``project`` in the Phoenix at ``phoenix_url`` for the duration of the block.

    ``on_failure`` is called (from the export thread) whenever a batch is not delivered;
    ``reachable=False`` says Phoenix was already found down, so the first batch is probed
    instead of waiting for the exporter's retries. On exit the spans are flushed, the OpenAI
    SDK is uninstrumented and the provider is shut down.
    """
    from openinference.instrumentation.openai import OpenAIInstrumentor
    from phoenix.otel import BatchSpanProcessor, HTTPSpanExporter, register

    endpoint = f"{phoenix_url}/v1/traces"
    provider = register(project_name=project, endpoint=endpoint, batch=True,
                        set_global_tracer_provider=False, verbose=False)
    delivery = DeliveryCounter(HTTPSpanExporter(endpoint=endpoint, timeout=10),
                               f"{phoenix_url}/healthz", on_failure, reachable)
    provider.add_span_processor(BatchSpanProcessor(span_exporter=delivery))
    instrumentor = OpenAIInstrumentor()
    with _quiet_exporter_logs():
        instrumentor.instrument(tracer_provider=provider)
        try:
            yield Tracing(tracer=provider.get_tracer("agent_demo"), delivery=delivery)
        finally:
            instrumentor.uninstrument()
            provider.force_flush()
            provider.shutdown()
