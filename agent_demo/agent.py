"""The weather activity planner: a tool-calling loop on the ``openai`` SDK.

One question is one trace: an AGENT root span named ``weather_agent`` (input = the question,
output = the answer, metadata with category and model, session id), LLM spans from the
OpenInference instrumentor and a TOOL span per tool execution. The loop runs up to
``max_tool_rounds`` rounds in which the model may call tools; it stops early when the model
answers or only repeats calls it has made, and the final answer is asked for with
``tool_choice="none"`` (small local models call the same tool again otherwise).
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

from agent_demo.tools import TOOL_NAMES, TOOLS, description, parse_arguments, run_tool
from agent_demo.variants import system_prompt
from agent_demo.weather import WeatherToolError

if TYPE_CHECKING:
    from openai import OpenAI

AGENT_SPAN_NAME = "weather_agent"
TEXT = OpenInferenceMimeTypeValues.TEXT.value
JSON = OpenInferenceMimeTypeValues.JSON.value

# Kept byte-identical across calls: a shared prompt prefix is cached by local servers.
SYSTEM_PROMPT = """You are a weather and activity planning assistant. You always use your \
tools; never guess the weather.

- For any question about the weather in a place, call get_weather for that place (once per \
city when comparing cities).
- When the user wants things to do or a plan, call plan_activities for the place (it includes \
the weather); pass as preferences only constraints the user actually stated.
- When the user asks for details or an analysis, also call analyze_weather.
- Use the units the user asks for: unit "fahrenheit" or "celsius"; wind_unit "mph" or "km/h".
- If the user gives no place, ask which city they mean instead of guessing.

When you have the tool results, answer in plain text:
- Weather: conditions, temperature and feels-like, humidity, wind and gusts, with units.
- Plans: sections Morning, Afternoon, Evening and Indoor alternatives, each with concrete \
suggestions that fit the weather.
- Analysis: comfort, rain risk, wind, UV and what to wear before the plan.
- If a tool returned an error, say plainly what went wrong and offer alternatives (the \
suggested places, a nearby major city, or asking again with a different spelling).
Be concise and friendly."""


class AgentError(RuntimeError):
    """The model could not produce an answer (an empty reply after the tool results)."""


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

    @property
    def ok(self) -> bool:
        return self.error is None


def _call_key(name: str, arguments: dict[str, Any]) -> str:
    return f"{name}:{json.dumps(arguments, sort_keys=True)}"


class WeatherAgent:
    """Answers one question at a time; every answer is one trace."""

    def __init__(self, client: OpenAI, model: str, tracer: Tracer, session_id: str,
                 max_tool_rounds: int = 3, temperature: float = 0.2, max_tokens: int = 700,
                 variant: str | None = None,
                 today: dt.date | None = None) -> None:
        self.client = client
        self.model = model
        self.tracer = tracer
        self.session_id = session_id
        self.max_tool_rounds = max_tool_rounds
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.variant = variant
        self.system_prompt = system_prompt(SYSTEM_PROMPT, variant)
        self.today = today

    def _complete(self, messages: list[dict[str, Any]], tool_choice: str, result: AgentResult
                  ) -> Any:
        result.llm_calls += 1
        response = self.client.chat.completions.create(
            model=self.model, messages=messages, tools=TOOLS, tool_choice=tool_choice,
            temperature=self.temperature, max_tokens=self.max_tokens)
        return response.choices[0].message

    def _run_tool(self, name: str, raw_arguments: str | None, result: AgentResult
                  ) -> dict[str, Any]:
        """Execute one call inside a TOOL span; tool errors become an error payload."""
        with self.tracer.start_as_current_span(
                name, openinference_span_kind="tool", set_status_on_exception=False) as span:
            span.set_tool(name=name, parameters=raw_arguments or "{}",
                          description=description(name) if name in TOOL_NAMES else None)
            span.set_input(raw_arguments or "{}", mime_type=JSON)
            arguments: dict[str, Any] = {}
            try:
                arguments = parse_arguments(raw_arguments)
                output = run_tool(name, arguments, self.today)
                ok = True
            except WeatherToolError as error:
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, str(error)))
                output, ok = error.payload(), False
            span.set_output(json.dumps(output, ensure_ascii=False), mime_type=JSON)
            if ok:
                span.set_status(Status(StatusCode.OK))
        result.tool_calls.append(ToolCallRecord(name, arguments, ok))
        return output

    def _loop(self, question: str, result: AgentResult) -> str:
        messages: list[dict[str, Any]] = [{"role": "system", "content": self.system_prompt},
                                          {"role": "user", "content": question}]
        done: dict[str, dict[str, Any]] = {}
        for _ in range(self.max_tool_rounds):
            message = self._complete(messages, "auto", result)
            calls = message.tool_calls or []
            if not calls:
                return (message.content or "").strip()
            if all(_call_key(c.function.name, parse_or_empty(c.function.arguments)) in done
                   for c in calls):
                break  # only repeats: the model has what it needs
            messages.append({"role": "assistant", "content": message.content or "",
                             "tool_calls": [c.model_dump(exclude_none=True) for c in calls]})
            for call in calls:
                key = _call_key(call.function.name, parse_or_empty(call.function.arguments))
                if key not in done:
                    done[key] = self._run_tool(call.function.name, call.function.arguments,
                                               result)
                messages.append({"role": "tool", "tool_call_id": call.id,
                                 "content": json.dumps(done[key], ensure_ascii=False)})
        message = self._complete(messages, "none", result)
        return (message.content or "").strip()

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
                answer = self._loop(question, result)
                if not answer:
                    raise AgentError("the model returned an empty answer")
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


def parse_or_empty(raw: str | None) -> dict[str, Any]:
    """A call's arguments for de-duplication; malformed ones compare as their raw text."""
    try:
        return parse_arguments(raw)
    except WeatherToolError:
        return {"_raw": raw}
