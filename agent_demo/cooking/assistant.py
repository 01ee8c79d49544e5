"""The cooking assistant itself: plain ``chat.completions`` calls with the ``openai`` SDK.

Without tools, a question is one call: the system prompt and the question in, the answer
out. With tools, it is the usual loop of a plain app: a call with ``tools=[...]``; when the
model asks for :data:`~agent_demo.cooking.pantry.TOOL_NAME`, the table is read here in
Python and the result goes back in a second call, and so on for at most
:data:`MAX_CALLS` calls (the last one with ``tool_choice="none"``, so it must answer;
calls it still makes are not run).

Nothing here knows about tracing: the OpenInference instrumentor, registered once at start
(:mod:`agent_demo.cooking.tracing`), records every call as an LLM span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent_demo.cooking.pantry import TOOLS, run_tool

if TYPE_CHECKING:
    from openai import OpenAI

MAX_CALLS = 3

SYSTEM_PROMPT = (
    "You are a friendly, practical cooking assistant for home cooks. Answer the question "
    "directly in a few short sentences or a short list, under 150 words. Give quantities, "
    "times and temperatures in US and metric units when they matter. If something depends "
    "on the recipe or you are not sure, say so briefly.")

TOOLS_HINT = (
    " You can call look_up_ingredient to check an ingredient's substitutes, dietary tags, "
    "grams per cup, cooking times and safe internal temperature; use it when the question "
    "is about a specific ingredient, and trust its figures.")


@dataclass(frozen=True)
class ToolCall:
    """One call the model asked for, and what the table answered (JSON text)."""

    name: str
    arguments: str
    result: str


@dataclass(frozen=True)
class Reply:
    """The assistant's answer to one question and how it got there."""

    text: str
    finish_reason: str
    model_calls: int
    tool_calls: list[ToolCall] = field(default_factory=list)


def _assistant_turn(message: Any) -> dict[str, Any]:
    """The model's tool-calling message as it goes back into the conversation."""
    return {"role": "assistant", "content": message.content,
            "tool_calls": [{"id": call.id, "type": "function",
                            "function": {"name": call.function.name,
                                         "arguments": call.function.arguments}}
                           for call in message.tool_calls]}


class CookingAssistant:
    """Answers cooking questions through an OpenAI-compatible ``client``."""

    def __init__(self, client: OpenAI, model: str, *, use_tools: bool = False,
                 temperature: float = 0.2, max_tokens: int = 400) -> None:
        self.client = client
        self.model = model
        self.use_tools = use_tools
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.system_prompt = SYSTEM_PROMPT + (TOOLS_HINT if use_tools else "")

    def answer(self, question: str) -> Reply:
        """Ask the model; openai's exceptions (connection, status, timeout) pass through."""
        messages: list[dict[str, Any]] = [{"role": "system", "content": self.system_prompt},
                                          {"role": "user", "content": question}]
        calls: list[ToolCall] = []
        for n in range(1, MAX_CALLS + 1):
            tools: dict[str, Any] = {}
            if self.use_tools:
                tools = {"tools": TOOLS, "tool_choice": "auto" if n < MAX_CALLS else "none"}
            response = self.client.chat.completions.create(
                model=self.model, messages=messages, temperature=self.temperature,
                max_tokens=self.max_tokens, **tools)
            choice = response.choices[0]
            if not choice.message.tool_calls or n == MAX_CALLS:
                return Reply((choice.message.content or "").strip(),
                             choice.finish_reason or "", n, calls)
            messages.append(_assistant_turn(choice.message))
            for call in choice.message.tool_calls:
                result = run_tool(call.function.name, call.function.arguments)
                calls.append(ToolCall(call.function.name, call.function.arguments, result))
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        raise AssertionError("unreachable: the last call always returns")
