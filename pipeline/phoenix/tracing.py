"""Traces into a Phoenix project: an OpenTelemetry tracer provider exporting there, with the
``openai`` SDK instrumented by OpenInference so each chat completion becomes an LLM span
(messages, reply, token counts, model).

Spans leave through a batch processor: a background thread sends them in batches, so the
event loop never waits on an export. They are flushed when the block ends, also when it ends
with an error, unless Phoenix no longer answers: then what is still queued is dropped at once
(a flush would only wait for the exporter's timeout). Exporter complaints are kept off the
terminal meanwhile: the command says in one line what happened.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
    from opentelemetry.trace import Tracer

    from pipeline.phoenix.connection import Phoenix

from pipeline.health import healthy

EXPORT_TIMEOUT = 10.0  # seconds per batch sent to Phoenix
EXPORT_EVERY = 15000  # milliseconds
"""How often queued spans are sent. Phoenix ingests spans in the same process that stores
runs and evaluations, so each batch it ingests slows those writes: fewer, larger batches
(and for a short experiment, one at the end) keep that out of the experiment's way, while a
long one still shows its traces as it goes (a full batch of 512 spans is sent at once)."""
MAX_QUEUE = 16384
"""Spans waiting for export before the processor drops any (its default, 2048, is a few
seconds of a fast experiment)."""
QUIET_LOGGERS = ("opentelemetry.exporter.otlp.proto.http.trace_exporter",
                 "opentelemetry.exporter.otlp.common.http",
                 "opentelemetry.sdk._shared_internal",
                 "opentelemetry.sdk.trace.export")


class _Quiet(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def _quiet_exporter() -> Iterator[None]:
    quiet = _Quiet()
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


def _droppable(inner: SpanExporter) -> SpanExporter:
    """``inner``, with a ``drop()`` that makes every later export fail at once."""
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class Droppable(SpanExporter):
        dropped = False

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.FAILURE if self.dropped else inner.export(spans)

        def drop(self) -> None:
            self.dropped = True
            inner.shutdown()  # aborts the retries of an export in flight

        def shutdown(self) -> None:
            if not self.dropped:
                inner.shutdown()

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return inner.force_flush(timeout_millis)

    return Droppable()


@contextmanager
def traced_project(phoenix: Phoenix, project: str) -> Iterator[Tracer]:
    """Trace to ``project`` for the duration of the block; yield a tracer for own spans.

    The OpenAI SDK is instrumented for the block only (OpenInference patches the client
    classes, so every ``openai`` client in the process is traced meanwhile). The spans are
    flushed on the way out.
    """
    from openinference.instrumentation.openai import OpenAIInstrumentor
    from openinference.semconv.resource import ResourceAttributes
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource({ResourceAttributes.PROJECT_NAME: project}))
    exporter = _droppable(OTLPSpanExporter(endpoint=f"{phoenix.base_url}/v1/traces",
                                           timeout=EXPORT_TIMEOUT))
    provider.add_span_processor(BatchSpanProcessor(
        exporter, max_queue_size=MAX_QUEUE, schedule_delay_millis=EXPORT_EVERY))
    instrumentor = OpenAIInstrumentor()
    with _quiet_exporter():
        instrumentor.instrument(tracer_provider=provider)
        try:
            yield provider.get_tracer(__name__)
        except BaseException:
            if not healthy(f"{phoenix.base_url}/healthz"):
                exporter.drop()  # type: ignore[attr-defined]
            raise
        finally:
            instrumentor.uninstrument()
            provider.shutdown()  # sends what is still queued, unless dropped
