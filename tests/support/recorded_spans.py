"""Spans recorded from real instrumentations, for the span readers' tests.

Small apps written the way Phoenix's quick start shows (the ``openai`` SDK instrumented by
OpenInference's ``OpenAIInstrumentor``, and phoenix.otel's tracer decorators) talk to the
scripted OpenAI-compatible server (:mod:`tests.support.scripted_llm`) and export their spans
to a real Phoenix; the spans are then read back through Phoenix's REST API, as
``judge-align gold record`` reads them. Each scenario is one kind of trace a user's project
may hold:

- ``openai_chat``: one chat completion, nothing else: a root LLM span whose question and
  answer are OpenInference messages (and an OpenAI request/response JSON).
- ``openai_tools``: the same app with a tool that the app runs itself (no TOOL span): two
  traces, each a root LLM span; the first reply is only a tool call (no text), the second
  request carries the call and its result.
- ``chain_tools``: a CHAIN root (``@tracer.chain``) around that tool loop: the calls and
  results are only in its LLM spans.
- ``chain_tool_spans``: a CHAIN root whose tool runs under ``@tracer.tool`` (TOOL spans).
- ``chain_json``: a CHAIN root taking and returning JSON objects (``{"query": ...}`` in,
  ``{"answer": ...}`` out), as LangChain or LlamaIndex chains record them.
- ``chain_custom``: a CHAIN root whose JSON has no field the readers know
  (``{"subject", "body"}`` in, ``{"reply": {"text": ...}}`` out): read with
  ``--question body --answer reply.text``.
- ``chain_text_json``: a CHAIN root whose answer is a string holding JSON (recorded as
  plain text): the answer is that text, as the demo agent's broken JSON answers are.
- ``openai_parts``: a chat completion whose user message is a list of content parts.
- ``openai_json_only``: a chat completion traced with OpenInference's ``TraceConfig`` hiding
  the messages: only the OpenAI request and response JSON (``input.value``,
  ``output.value``) are left.

``python -m tests.support.recorded_spans`` records them into a throwaway Phoenix and writes
``tests/data/spans/<scenario>.json``; the Phoenix-backed tests call :func:`record` directly.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.settings import Settings
from tests.support.scripted_llm import ScriptedLLM
from tests.support.stack import base_url

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "spans"
PACKAGES = ("openai", "openinference-instrumentation-openai", "openinference-instrumentation",
            "arize-phoenix-otel", "opentelemetry-sdk", "arize-phoenix-client")

SYSTEM = "You are a helpful assistant. Answer in one or two sentences."
CHAT_QUESTION = "What is a good name for a grey cat?"
CHAT_ANSWER = "Smokey suits a grey cat; Ash or Pepper work too."
TOOL_QUESTION = "Is it cold in Oslo right now?"
TOOL_ANSWER = "Yes: it is 2 °C in Oslo with light snow, so wear a warm coat."
TOOL_ARGUMENTS = {"city": "Oslo"}
TOOL_RESULT = {"city": "Oslo", "temperature": 2.0, "unit": "°C", "conditions": "light snow"}
CHAIN_QUESTION = "How long should I boil an egg for a runny yolk?"
CHAIN_ANSWER = "Six minutes in boiling water gives a runny yolk and a set white."
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}}}]


def reply(request: dict[str, Any]) -> dict[str, Any]:
    """The scripted model: calls the tool when it has one and no result yet, else answers."""
    messages = request["messages"]
    if any(message.get("role") == "tool" for message in messages):
        return {"content": TOOL_ANSWER}
    if request.get("tools"):
        return {"tool_calls": [{"name": "get_weather", "arguments": TOOL_ARGUMENTS}]}
    question = next(m["content"] for m in reversed(messages) if m["role"] == "user")
    if isinstance(question, list):  # content parts
        question = " ".join(part["text"] for part in question)
    return {"content": CHAT_ANSWER if question == CHAT_QUESTION else CHAIN_ANSWER}


def get_weather(city: str) -> dict[str, Any]:
    """The app's tool (deterministic)."""
    return {**TOOL_RESULT, "city": city}


@dataclass
class Apps:
    """The scenarios, bound to one OpenAI client and one OpenInference tracer."""

    client: Any
    tracer: Any
    provider: Any
    instrumentor: Any

    def ask(self, messages: list[dict[str, Any]], tools: bool = False) -> Any:
        return self.client.chat.completions.create(
            model="scripted", messages=messages, **({"tools": TOOLS} if tools else {}))

    def openai_chat(self) -> None:
        self.ask([{"role": "system", "content": SYSTEM},
                  {"role": "user", "content": CHAT_QUESTION}])

    def tool_loop(self, run_tool: Callable[[str], dict[str, Any]] = get_weather) -> str:
        messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM},
                                          {"role": "user", "content": TOOL_QUESTION}]
        first = self.ask(messages, tools=True).choices[0].message
        messages.append(first.model_dump(exclude_none=True))
        for call in first.tool_calls or []:
            result = run_tool(**json.loads(call.function.arguments))
            messages.append({"role": "tool", "tool_call_id": call.id,
                             "content": json.dumps(result)})
        return self.ask(messages, tools=True).choices[0].message.content or ""

    def openai_tools(self) -> None:
        self.tool_loop()

    def chain_tools(self) -> None:
        @self.tracer.chain(name="assistant")
        def assistant(question: str) -> str:
            assert question == TOOL_QUESTION
            return self.tool_loop()

        assistant(TOOL_QUESTION)

    def chain_tool_spans(self) -> None:
        @self.tracer.tool(name="get_weather")
        def traced_weather(city: str) -> dict[str, Any]:
            return get_weather(city)

        @self.tracer.chain(name="assistant")
        def assistant(question: str) -> str:
            assert question == TOOL_QUESTION
            return self.tool_loop(traced_weather)

        assistant(TOOL_QUESTION)

    def chain_json(self) -> None:
        @self.tracer.chain(name="qa_chain")
        def qa_chain(inputs: dict[str, Any]) -> dict[str, Any]:
            reply = self.ask([{"role": "user", "content": inputs["query"]}])
            return {"answer": reply.choices[0].message.content, "sources": []}

        qa_chain({"query": CHAIN_QUESTION, "top_k": 2})


    def chain_custom(self) -> None:
        @self.tracer.chain(name="support_bot")
        def support_bot(ticket: dict[str, Any]) -> dict[str, Any]:
            reply = self.ask([{"role": "user", "content": ticket["body"]}])
            return {"reply": {"text": reply.choices[0].message.content}, "escalate": False}

        support_bot({"subject": "eggs", "body": CHAIN_QUESTION})

    def chain_text_json(self) -> None:
        @self.tracer.chain(name="json_bot")
        def json_bot(question: str) -> str:
            reply = self.ask([{"role": "user", "content": question}])
            return json.dumps({"answer": reply.choices[0].message.content})

        json_bot(CHAIN_QUESTION)

    def openai_parts(self) -> None:
        self.ask([{"role": "user", "content": [
            {"type": "text", "text": CHAT_QUESTION.split(" for ")[0]},
            {"type": "text", "text": "for " + CHAT_QUESTION.split(" for ")[1]}]}])

    def openai_json_only(self) -> None:
        from openinference.instrumentation import TraceConfig

        self.instrumentor.uninstrument()
        self.instrumentor.instrument(tracer_provider=self.provider, config=TraceConfig(
            hide_input_messages=True, hide_output_messages=True))
        try:
            self.openai_chat()
        finally:
            self.instrumentor.uninstrument()
            self.instrumentor.instrument(tracer_provider=self.provider)


SCENARIOS = ("openai_chat", "openai_tools", "chain_tools", "chain_tool_spans", "chain_json",
             "chain_custom", "chain_text_json", "openai_parts", "openai_json_only")


def record(settings: Settings, project: str,
           scenarios: tuple[str, ...] = SCENARIOS) -> dict[str, list[list[dict[str, Any]]]]:
    """Run ``scenarios`` traced to ``project`` in the Phoenix of ``settings``; return each
    scenario's traces (each a list of spans as the REST API gives them, in start order)."""
    import openai
    from openinference.instrumentation.openai import OpenAIInstrumentor
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from phoenix.otel import BatchSpanProcessor, HTTPSpanExporter, register

    from tests.support.traces import wait_until_stored

    endpoint = f"{base_url(settings)}/v1/traces"
    provider = register(project_name=project, endpoint=endpoint, batch=True,
                        set_global_tracer_provider=False, verbose=False)
    # Adding a processor replaces register()'s own: the exporter to Phoenix is added again.
    provider.add_span_processor(BatchSpanProcessor(span_exporter=HTTPSpanExporter(endpoint)))
    seen = InMemorySpanExporter()  # which trace ids each scenario made
    provider.add_span_processor(SimpleSpanProcessor(seen))
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    traces: dict[str, list[str]] = {}
    try:
        with ScriptedLLM(reply) as server:
            apps = Apps(openai.OpenAI(base_url=server.base_url, api_key="scripted-key"),
                        provider.get_tracer(__name__), provider, instrumentor)
            for scenario in scenarios:
                before = len(seen.get_finished_spans())
                getattr(apps, scenario)()
                made = seen.get_finished_spans()[before:]
                traces[scenario] = list(dict.fromkeys(
                    format(span.context.trace_id, "032x") for span in made
                    if span.parent is None))
                time.sleep(0.01)  # distinct start times between scenarios
        provider.force_flush()
    finally:
        instrumentor.uninstrument()
        provider.shutdown()
    span_ids = [format(span.context.span_id, "016x") for span in seen.get_finished_spans()]
    wait_until_stored(settings, project, span_ids)
    return {scenario: [read_trace(settings, project, trace_id) for trace_id in trace_ids]
            for scenario, trace_ids in traces.items()}


def read_trace(settings: Settings, project: str, trace_id: str) -> list[dict[str, Any]]:
    """One trace's spans through the REST API, in start order (Phoenix's row id dropped)."""
    from phoenix.client import Client

    spans = Client(base_url=base_url(settings)).spans.get_spans(
        project_identifier=project, trace_ids=[trace_id], limit=1000, timeout=30)
    return sorted(({k: v for k, v in span.items() if k != "id"} for span in spans),
                  key=lambda span: span["start_time"])


def load(scenario: str) -> list[list[dict[str, Any]]]:
    """The recorded traces of ``scenario`` (from tests/data/spans/)."""
    return json.loads((DATA_DIR / f"{scenario}.json").read_text(encoding="utf-8"))["traces"]


def roots(scenario: str) -> list[dict[str, Any]]:
    """The root span of each recorded trace of ``scenario``."""
    return [next(s for s in trace if not s.get("parent_id")) for trace in load(scenario)]


def main() -> None:
    from bench.throwaway import throwaway_phoenix

    versions = {name: metadata.version(name) for name in PACKAGES}
    with throwaway_phoenix("recorded-spans-") as settings:
        recorded = record(settings, "recorded-spans")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for scenario, traces in recorded.items():
        path = DATA_DIR / f"{scenario}.json"
        path.write_text(json.dumps({"scenario": scenario, "recorded_with": versions,
                                    "traces": traces}, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        print(f"{path}: {len(traces)} traces, {sum(map(len, traces))} spans")


if __name__ == "__main__":
    sys.exit(main())
