"""The weather activity planner: code drives the tool steps, the model reads and writes.

One question is one trace: an AGENT root span named ``weather_agent`` (input = the question,
output = the answer, metadata with category, model and variant, session id), LLM spans from
the OpenInference instrumentor and a TOOL span per tool execution. The steps:

1. one model call reads the request into JSON (``response_format`` with a JSON schema); code
   checks it against the question and adds units and the day (:mod:`agent_demo.request`);
2. code calls the tools for each place: ``plan_activities`` for a plan, ``analyze_weather``
   for an analysis, ``get_weather`` otherwise (or when a wind unit is asked that the plan
   cannot give); an unknown place stops at its first tool error;
3. one model call, with no tools offered, writes the answer from the question, the results
   as text and a brief of what to cover. With no place named it asks which city is meant.

A guard keeps tool-call markup and JSON out of answers: such a reply is asked for once more
with a stricter instruction, and if it still holds markup the run ends as an error (the root
span's status is ERROR and there is no answer). A reply that runs to its token limit (a small
model sometimes repeats a paragraph until stopped) is asked for again the same way, and if it
runs away again it is cut at its last sentence with repeated sentences dropped. A reply that
leaves out a part of the day plan (morning, afternoon, evening) or a compared place, or that
calls the weather hot, cold, windy, calm, wet or dry against every figure of the results
(:func:`~agent_demo.replies.contradictions`), is asked for again once, naming what is missing
or wrong; the second reply stands (what it still contradicts is kept in the result). A
marked variant (:mod:`agent_demo.variants`) may alter any step, to provoke one failure of the
labeling rubric on purpose.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openinference.instrumentation import using_attributes
from openinference.semconv.trace import OpenInferenceMimeTypeValues, SpanAttributes
from opentelemetry.trace import Status, StatusCode, Tracer

from agent_demo import cues
from agent_demo.facts import Lookup, render_all
from agent_demo.prompts import Brief, answer_brief, extraction_messages, writer_messages
from agent_demo.replies import (
    contradictions,
    left_out,
    markup_in,
    trim_to_sentence,
    without_repeats,
)
from agent_demo.request import EXTRACTION_SCHEMA, Request, build_request, parse_extraction
from agent_demo.tools import description, run_tool
from agent_demo.variants import Variant, get_variant
from agent_demo.weather import UnknownLocationError, WeatherToolError

if TYPE_CHECKING:
    from openai import OpenAI

AGENT_SPAN_NAME = "weather_agent"
TEXT = OpenInferenceMimeTypeValues.TEXT.value
JSON = OpenInferenceMimeTypeValues.JSON.value
EXTRACTION_MAX_TOKENS = 120
RESPONSE_FORMAT = {"type": "json_schema",
                   "json_schema": {"name": "weather_request", "strict": True,
                                   "schema": EXTRACTION_SCHEMA}}


class AgentError(RuntimeError):
    """The model gave no usable answer (empty, or still markup after the stricter retry)."""


@dataclass
class ToolCallRecord:
    name: str
    arguments: dict[str, Any]
    ok: bool


@dataclass
class AgentResult:
    question: str
    category: str
    answer: str = ""
    error: str | None = None
    latency_s: float = 0.0
    llm_calls: int = 0
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    request: Request | None = None
    retried: bool = False  # the first answer held markup, ran away, left a part out or
    # contradicted the figures
    trimmed: bool = False  # the retried answer also ran to its limit: cut, repeats dropped
    contradicted: list[str] = field(default_factory=list)  # what the answer still says that
    # the figures contradict (heat, cold, wind, rain), after the retry

    @property
    def ok(self) -> bool:
        return self.error is None


def tool_plan(request: Request) -> list[tuple[str, dict[str, Any]]]:
    """The tool calls for each place of ``request``: (name, arguments), in order.

    get_weather is called when neither a plan nor an analysis is asked, and beside a plan
    when a wind unit is asked (plan_activities takes no wind unit).
    """
    plain = not (request.plan or request.analysis)
    with_weather = plain or (request.plan and not request.analysis and bool(request.wind_unit))
    calls = []
    for place in request.places:
        base = {"location": place, "unit": request.unit or "celsius", "day": request.day}
        wind = {"wind_unit": request.wind_unit} if request.wind_unit else {}
        if request.analysis:
            calls.append(("analyze_weather", {**base, **wind}))
        if with_weather:
            calls.append(("get_weather", {**base, **wind}))
        if request.plan:
            preferences = {"preferences": request.preferences} if request.preferences else {}
            calls.append(("plan_activities", {**base, **preferences}))
    return calls


Needed = tuple[list[str], list[str]]


def needed(request: Request, lookups: list[Lookup]) -> Needed:
    """What the answer must name: the parts of the day of a plan (those the question names,
    else all three), and every place of a comparison the tools found."""
    found = [lookup.place for lookup in lookups if lookup.found]
    periods = (cues.periods(request.question) or ["morning", "afternoon", "evening"]) \
        if request.plan and found else []
    return periods, found if len(found) > 1 else []


class WeatherAgent:
    """Answers one question at a time; every answer is one trace."""

    def __init__(self, client: OpenAI, model: str, tracer: Tracer, session_id: str,
                 temperature: float = 0.2, max_tokens: int = 700,
                 variant: str | None = None, today: dt.date | None = None) -> None:
        self.client = client
        self.model = model
        self.tracer = tracer
        self.session_id = session_id
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.variant = variant
        self.behaviour: Variant = get_variant(variant)
        self.today = today

    # --- the model calls ----------------------------------------------------------------------

    def _extract(self, question: str, result: AgentResult) -> Request:
        result.llm_calls += 1
        response = self.client.chat.completions.create(
            model=self.model, messages=extraction_messages(question), temperature=0,
            max_tokens=EXTRACTION_MAX_TOKENS, response_format=RESPONSE_FORMAT)
        return build_request(question, parse_extraction(response.choices[0].message.content))

    def _write(self, messages: list[dict[str, str]], result: AgentResult) -> tuple[str, bool]:
        """The written answer, and whether it ended before its token limit."""
        result.llm_calls += 1
        options: dict[str, Any] = {}
        if self.behaviour.json_answer:
            options["response_format"] = {"type": "json_object"}
        response = self.client.chat.completions.create(
            model=self.model, messages=messages, temperature=self.temperature,
            max_tokens=self.behaviour.max_tokens or self.max_tokens, **options)
        choice = response.choices[0]
        return (choice.message.content or "").strip(), choice.finish_reason != "length"

    def _guarded_write(self, question: str, data: str, brief: Brief, parts: Needed,
                       lookups: list[Lookup], result: AgentResult) -> str:
        """The answer, asked for again when it holds markup, runs away, leaves out a part
        of the plan or a compared place, or contradicts the figures (see above)."""
        behaviour = self.behaviour
        answer, finished = self._write(writer_messages(question, data, brief), result)
        runaway = not finished and behaviour.max_tokens is None  # a variant's cut is its point
        missing = left_out(answer, *parts) if behaviour.checks_parts else []
        wrong = contradictions(answer, lookups)
        if behaviour.guarded and (markup_in(answer) or runaway or missing or wrong):
            result.retried = True
            answer, finished = self._write(writer_messages(
                question, data, brief, stricter=True, include=missing, correct=wrong), result)
            if found := markup_in(answer):
                raise AgentError(f"the answer still held {found} after a stricter retry")
            if not finished and behaviour.max_tokens is None:
                result.trimmed = True
                answer = without_repeats(trim_to_sentence(answer))
            wrong = contradictions(answer, lookups)
        result.contradicted = wrong
        return answer

    # --- the tools ----------------------------------------------------------------------------

    def _run_tool(self, name: str, arguments: dict[str, Any], result: AgentResult
                  ) -> tuple[dict[str, Any], WeatherToolError | None]:
        """Execute one call inside a TOOL span; a tool error is returned with its payload."""
        raw = json.dumps(arguments, ensure_ascii=False)
        error: WeatherToolError | None = None
        with self.tracer.start_as_current_span(
                name, openinference_span_kind="tool", set_status_on_exception=False) as span:
            span.set_tool(name=name, parameters=raw, description=description(name))
            span.set_input(raw, mime_type=JSON)
            try:
                output = run_tool(name, arguments, self.today)
            except WeatherToolError as caught:
                span.record_exception(caught)
                span.set_status(Status(StatusCode.ERROR, str(caught)))
                output, error = caught.payload(), caught
            span.set_output(json.dumps(output, ensure_ascii=False), mime_type=JSON)
            if error is None:
                span.set_status(Status(StatusCode.OK))
        result.tool_calls.append(ToolCallRecord(name, arguments, error is None))
        return output, error

    def _look_up(self, request: Request, result: AgentResult) -> list[Lookup]:
        lookups = {place: Lookup(place) for place in request.places}
        for name, arguments in tool_plan(request):
            lookup = lookups[arguments["location"]]
            if lookup.error is not None:
                continue  # the place (or the day) failed once: the other tools would too
            output, error = self._run_tool(name, arguments, result)
            if error is None:
                lookup.results[name] = output
            else:
                lookup.error = output
                lookup.unknown_place = isinstance(error, UnknownLocationError)
        return list(lookups.values())

    # --- one question -------------------------------------------------------------------------

    def _answer(self, question: str, result: AgentResult) -> str:
        behaviour = self.behaviour
        request = behaviour.adjust_request(self._extract(question, result))
        result.request = request
        lookups = self._look_up(request, result) if behaviour.call_tools else []
        seen = behaviour.adjust_lookups(lookups)
        brief = behaviour.adjust_brief(answer_brief(request, seen), request)
        data = render_all(seen, request.day, cues.comparison_aspect(question))
        answer = self._guarded_write(question, data, brief, needed(request, seen), seen, result)
        if not answer:
            raise AgentError("the model returned an empty answer")
        return answer

    def answer(self, question: str, category: str = "custom") -> AgentResult:
        """Answer ``question`` under one AGENT root span; errors are recorded, not raised."""
        result = AgentResult(question=question, category=category)
        started = time.perf_counter()
        metadata = {"category": category, "model": self.model}
        if self.variant:
            metadata["variant"] = self.variant
        with using_attributes(session_id=self.session_id, metadata=metadata), \
                self.tracer.start_as_current_span(
                    AGENT_SPAN_NAME, openinference_span_kind="agent",
                    set_status_on_exception=False) as span:
            span.set_input(question, mime_type=TEXT)
            span.set_attribute(SpanAttributes.SESSION_ID, self.session_id)
            span.set_attribute(SpanAttributes.METADATA, json.dumps(metadata))
            try:
                answer = self._answer(question, result)
            except Exception as error:  # the run goes on; the trace shows the failure
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
                result.error = f"{type(error).__name__}: {error}"
            else:
                span.set_output(answer, mime_type=TEXT)
                span.set_status(Status(StatusCode.OK))
                result.answer = answer
        result.latency_s = time.perf_counter() - started
        return result
