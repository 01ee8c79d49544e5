"""The trace's tool record, in a compact form the judge can read: which tool was called with
which arguments, the figures it returned, or its error.

Built from a trace's TOOL spans, or from the tool calls its LLM spans recorded
(``pipeline`` does that), or given with an imported example. The same record feeds the code
checks (:mod:`evaluators.checks`) and the ``{{tools}}`` placeholder and ``{{#tools}}``
sections of a prompt (:mod:`evaluators.prompt_files`, :func:`render_tools`).

Two absences are told apart everywhere a record travels (dataset examples, imports, the
judge's arguments):

- ``None``: **no record**. Nothing is known about tools (an imported example without a
  ``tools`` field, a dataset example stored with ``"tools": null``). The answer is judged
  on its own: a prompt leaves out its ``{{#tools}}`` sections and shows its ``{{^tools}}``
  ones.
- ``[]``: **a record of no call**. The trace was recorded and shows that no tool was
  called (an answer that gives weather without looking it up is then suspect). A prompt
  shows its tools block, saying "(no tool was called)".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 80
"""Longer strings in a tool result are prose, not figures: they are left out."""
MAX_LIST = 8


@dataclass(frozen=True)
class ToolCall:
    """One tool call of the trace, compacted."""

    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"tool": self.tool, "arguments": self.arguments}
        if self.error:
            data["error"] = self.error
        else:
            data["result"] = self.result
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolCall:
        """The inverse of :meth:`as_dict`; unknown keys are ignored."""
        arguments = data.get("arguments") if isinstance(data.get("arguments"), dict) else {}
        result = data.get("result") if isinstance(data.get("result"), dict) else {}
        error = data.get("error")
        return cls(tool=str(data.get("tool") or ""), arguments=dict(arguments),
                   result=dict(result), error=str(error) if error else None)


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _figures(value: Any, depth: int = 0) -> Any:
    """Scalars, short strings, and lists and objects of them; prose and depth dropped."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else None
    if depth >= 3:
        return None
    if isinstance(value, list):
        items = [_figures(item, depth + 1) for item in value[:MAX_LIST]]
        return [item for item in items if item not in (None, {}, [])]
    if isinstance(value, dict):
        kept = {str(k): _figures(v, depth + 1) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, {}, [])}
    return None


def compact_call(tool: str, arguments: Any, output: Any, error: str | None = None
                 ) -> ToolCall:
    """A tool call from its span: ``arguments`` and ``output`` as the span recorded them
    (JSON text or objects); an ``{"error": ...}`` output or ``error`` marks a failed call."""
    parsed_arguments = _json(arguments)
    parsed_output = _json(output)
    if isinstance(parsed_output, dict) and parsed_output.get("error"):
        error = error or str(parsed_output["error"])
    if error:
        return ToolCall(tool, parsed_arguments if isinstance(parsed_arguments, dict) else {},
                        error=error[:300])
    result = _figures(parsed_output) if isinstance(parsed_output, dict) else {}
    return ToolCall(tool, parsed_arguments if isinstance(parsed_arguments, dict) else {},
                    result=result or {})


def parse_tools(value: Any) -> list[ToolCall]:
    """A stored tool record (a list of :meth:`ToolCall.as_dict`, or its JSON) as calls."""
    value = _json(value)
    if not isinstance(value, list):
        return []
    return [ToolCall.from_dict(item) for item in value if isinstance(item, dict)]


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + "; ".join(_short(v) for v in value) + "]"
    return str(value)


def render_tools(calls: list[ToolCall] | None) -> str:
    """The record as compact lines for a prompt: ``tool(arguments) -> figures`` or
    ``-> error: ...``; "(no tool was called)" for a record of no call, "(no tool record)"
    when there is none (a prompt normally leaves its tools block out then, see the
    module's docstring)."""
    if calls is None:
        return "(no tool record)"
    if not calls:
        return "(no tool was called)"
    lines = []
    for call in calls:
        arguments = ", ".join(f"{k}={v}" for k, v in call.arguments.items())
        outcome = f"error: {call.error}" if call.error else _short(call.result)
        lines.append(f"{call.tool}({arguments}) -> {outcome}")
    return "\n".join(lines)
