"""One trace per experiment run, shaped like the traces of Phoenix's own experiment runner.

Each run gets a root CHAIN span (the example's input, the run's output, an error status when
the judge call failed) with the judge's LLM span under it (made by the OpenAI SDK's
instrumentation, :mod:`pipeline.phoenix.tracing`), which carries the prompt template, its
variables and the Phoenix prompt version. The run is stored with the root span's trace id:
Phoenix then links the run to its trace, and the experiment to its latency, tokens and cost.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

    from evaluators.prompt_files import PromptFile
    from pipeline.dataset.examples import LabeledExample

ROOT_SPAN = "Task: judge"
"""Phoenix's runner names its root spans ``Task: <task function>``."""
JSON_MIME = "application/json"


@dataclass
class TracedRun:
    """The root span of one run, open while the judge works."""

    span: Span

    @property
    def trace_id(self) -> str | None:
        """The trace id as Phoenix stores it (32 hex digits); None when not traced."""
        context = self.span.get_span_context()
        return format(context.trace_id, "032x") if context.is_valid else None

    def finish(self, output: dict[str, Any], error: str | None) -> None:
        """Record the run's output (and the failure, if the judge call failed)."""
        from opentelemetry.trace import Status, StatusCode

        self.span.set_attribute("output.value", json.dumps(output, ensure_ascii=False))
        self.span.set_attribute("output.mime_type", JSON_MIME)
        self.span.set_status(Status(StatusCode.ERROR, error) if error
                             else Status(StatusCode.OK))


class RunTracer:
    """Opens a root span per run; without a tracer (``None``) runs are not traced."""

    def __init__(self, tracer: Tracer | None, prompt: PromptFile, prompt_version_id: str
                 ) -> None:
        from opentelemetry.trace import NoOpTracer

        self.tracer = tracer or NoOpTracer()
        self.prompt = prompt
        self.prompt_version_id = prompt_version_id

    @contextmanager
    def run(self, example: LabeledExample) -> Iterator[TracedRun]:
        """The root span of the run judging ``example``, current for the block (so the judge
        call's LLM span is its child), with the prompt template in the context."""
        from openinference.instrumentation import using_prompt_template
        from opentelemetry.context import Context

        variables = {"question": example.question, "answer": example.answer}
        with using_prompt_template(template=self.prompt.template,
                                   version=self.prompt_version_id, variables=variables), \
                self.tracer.start_as_current_span(ROOT_SPAN, context=Context(), attributes={
                    "openinference.span.kind": "CHAIN",
                    "input.value": json.dumps(variables, ensure_ascii=False),
                    "input.mime_type": JSON_MIME}) as span:
            yield TracedRun(span)
