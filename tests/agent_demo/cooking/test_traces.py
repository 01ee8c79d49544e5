"""The cooking app run as its user runs it (``python -m agent_demo.cooking`` in a child
process) against the scripted OpenAI-compatible server, traced into a real Phoenix, and read
back through Phoenix's REST API: the trace shape a plain OpenInference app produces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from agent_demo.cooking.pantry import TOOL_NAME, run_tool
from pipeline.settings import Settings
from tests.support.scripted_llm import ScriptedLLM
from tests.support.stack import base_url

QUESTIONS = {
    "substitutions": ["I'm out of buttermilk for pancakes. What can I use?"],
    "dietary_constraints": ["Is parmesan vegetarian?"],
    "troubleshooting": ["Why did my cookies spread out flat?"],
}
CATEGORY = {q: category for category, items in QUESTIONS.items() for q in items}
LOOKED_UP = {"buttermilk": "buttermilk", "parmesan": "parmesan"}  # question word -> argument


def answer_to(question: str) -> str:
    return f"Answer to: {question}"


def scripted(request: dict[str, Any]) -> dict[str, Any]:
    """A model that looks an ingredient up when it has tools and the question names one."""
    question = next(m["content"] for m in request["messages"] if m["role"] == "user")
    last = request["messages"][-1]
    if last["role"] == "tool":
        return {"content": f"{answer_to(question)} (from the table: "
                           f"{json.loads(last['content'])['name']})"}
    word = next((w for w in LOOKED_UP if w in question), None)
    if request.get("tools") and word:
        return {"tool_calls": [{"name": TOOL_NAME, "arguments": {"ingredient": LOOKED_UP[word]}}]}
    return {"content": answer_to(question)}


def run_app(settings: Settings, server: ScriptedLLM, project: str, tmp_path: Path,
            *options: str, questions: dict[str, list[str]] | None = QUESTIONS,
            n: int = 3) -> subprocess.CompletedProcess:
    """``python -m agent_demo.cooking`` on ``n`` of ``questions`` (None: the built-in bank)
    against ``server``, traced to ``project``."""
    asked: list[str] = []
    if questions is not None:
        path = tmp_path / "questions.json"
        path.write_text(json.dumps(questions), encoding="utf-8")
        asked = ["--questions", str(path)]
    env = {**os.environ, "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "scripted-key",
           "OPENAI_MODEL": "scripted"}
    env.pop("PHOENIX_COLLECTOR_ENDPOINT", None)
    return subprocess.run(
        [sys.executable, "-m", "agent_demo.cooking", "--n", str(n), "--project", project,
         "--phoenix", base_url(settings), *asked, *options],
        env=env, capture_output=True, text=True, timeout=180)


def project_spans(settings: Settings, project: str, expected: int,
                  wait: float = 30.0) -> list[dict[str, Any]]:
    """Every span of ``project`` (REST), once Phoenix holds at least ``expected``."""
    deadline = time.monotonic() + wait
    while True:
        response = httpx.get(f"{base_url(settings)}/v1/projects/{project}/spans",
                             params={"limit": 1000}, timeout=30)
        spans = response.json()["data"] if response.status_code == 200 else []
        if len(spans) >= expected or time.monotonic() > deadline:
            return sorted(spans, key=lambda span: span["start_time"])
        time.sleep(0.5)


def messages(span: dict[str, Any], which: str) -> list[dict[str, Any]]:
    """``llm.input_messages`` or ``llm.output_messages`` of a REST span, as a list of dicts
    (``message.tool_calls`` as a list of ``{"name", "arguments", "id"}``)."""
    prefix = f"llm.{which}_messages."
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    for key, value in span["attributes"].items():
        if not key.startswith(prefix):
            continue
        index, rest = key[len(prefix):].split(".", 1)
        message = found[int(index)]
        if rest.startswith("message.tool_calls."):
            call_index, field = rest[len("message.tool_calls."):].split(".", 1)
            calls = message.setdefault("tool_calls", defaultdict(dict))
            name = field.removeprefix("tool_call.").removeprefix("function.")
            calls[int(call_index)][name] = value
        else:
            message[rest.removeprefix("message.")] = value
    listed = [found[i] for i in sorted(found)]
    for message in listed:
        if "tool_calls" in message:
            calls = message["tool_calls"]
            message["tool_calls"] = [calls[i] for i in sorted(calls)]
    return listed


def test_each_question_is_one_trace_whose_root_is_an_llm_span(
        phoenix: Settings, tmp_path: Path) -> None:
    project = f"cooking-{uuid.uuid4().hex[:8]}"
    with ScriptedLLM(scripted) as server:
        done = run_app(phoenix, server, project, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 of 3 answered" in done.stdout
    spans = project_spans(phoenix, project, expected=3)
    assert len(spans) == 3
    assert len({span["context"]["trace_id"] for span in spans}) == 3
    asked = set()
    for span in spans:
        assert span["parent_id"] is None and span["span_kind"] == "LLM", span["name"]
        system, user = messages(span, "input")
        assert system["role"] == "system" and "cooking assistant" in system["content"]
        assert user["role"] == "user"
        (reply,) = messages(span, "output")
        assert reply == {"role": "assistant", "content": answer_to(user["content"])}
        attributes = span["attributes"]
        assert attributes["metadata.category"] == CATEGORY[user["content"]]
        assert attributes["llm.model_name"] == "scripted" and "llm.tools.0.tool.json_schema" \
            not in attributes
        asked.add(user["content"])
    assert asked == set(CATEGORY)
    assert len({span["attributes"]["session.id"] for span in spans}) == 3


def test_with_tools_each_call_is_a_root_llm_span_and_the_last_holds_the_tool_call(
        phoenix: Settings, tmp_path: Path) -> None:
    project = f"cooking-tools-{uuid.uuid4().hex[:8]}"
    with ScriptedLLM(scripted) as server:
        done = run_app(phoenix, server, project, tmp_path, "--tools")
    assert done.returncode == 0, done.stderr
    assert f"tool: {TOOL_NAME}" in done.stdout
    spans = project_spans(phoenix, project, expected=5)
    assert len(spans) == 5 and len({span["context"]["trace_id"] for span in spans}) == 5
    assert all(span["parent_id"] is None and span["span_kind"] == "LLM" for span in spans)
    sessions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for span in spans:
        sessions[span["attributes"]["session.id"]].append(span)
    assert sorted(len(calls) for calls in sessions.values()) == [1, 2, 2]
    for calls in sessions.values():
        question = messages(calls[0], "input")[1]["content"]
        assert all(c["attributes"]["metadata.category"] == CATEGORY[question] for c in calls)
        assert all("llm.tools.0.tool.json_schema" in c["attributes"] for c in calls)
        last = calls[-1]
        (answer,) = messages(last, "output")
        assert answer["role"] == "assistant" and answer["content"].startswith(answer_to(question))
        word = next((w for w in LOOKED_UP if w in question), None)
        if word is None:
            assert len(calls) == 1 and len(messages(last, "input")) == 2
            continue
        (first_reply,) = messages(calls[0], "output")
        (call,) = first_reply["tool_calls"]
        assert "content" not in first_reply
        assert (call["name"], json.loads(call["arguments"])) == (
            TOOL_NAME, {"ingredient": LOOKED_UP[word]})
        _, user, calling, result = messages(last, "input")
        assert user["content"] == question
        assert calling["role"] == "assistant" and calling["tool_calls"] == [call]
        assert result == {"role": "tool", "tool_call_id": call["id"],
                          "content": run_tool(TOOL_NAME, call["arguments"])}
        assert calls[0]["attributes"]["llm.finish_reason"] == "tool_calls"
