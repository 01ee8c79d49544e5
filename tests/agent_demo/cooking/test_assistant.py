"""The cooking assistant's calls, against the scripted OpenAI-compatible server (no Phoenix):
what it sends, the tool loop, and how a run treats a failing endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai import OpenAI

from agent_demo.cooking.assistant import MAX_CALLS, SYSTEM_PROMPT, CookingAssistant
from agent_demo.cooking.errors import CookingError
from agent_demo.cooking.pantry import TOOL_NAME, run_tool
from agent_demo.cooking.questions import Question
from agent_demo.cooking.run import Answer, ask_all
from tests.support.scripted_llm import ScriptedLLM
from tests.support.stack import free_port


def client_for(server: ScriptedLLM) -> OpenAI:
    return OpenAI(base_url=server.base_url, api_key="scripted-key", max_retries=0, timeout=10)


def user_question(request: dict[str, Any]) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def look_up(ingredient: str) -> dict[str, Any]:
    return {"tool_calls": [{"name": TOOL_NAME, "arguments": {"ingredient": ingredient}}]}


def test_without_tools_a_question_is_one_call_with_the_system_prompt() -> None:
    with ScriptedLLM(lambda request: {"content": "  Use 1 cup milk and lemon juice. "}) as server:
        reply = CookingAssistant(client_for(server), "scripted").answer("No buttermilk?")
    assert (reply.text, reply.model_calls, reply.tool_calls, reply.finish_reason) == (
        "Use 1 cup milk and lemon juice.", 1, [], "stop")
    (request,) = server.requests
    assert request["messages"] == [{"role": "system", "content": SYSTEM_PROMPT},
                                   {"role": "user", "content": "No buttermilk?"}]
    assert "tools" not in request and request["model"] == "scripted"


def test_with_tools_the_table_answers_the_call_and_a_second_call_writes_the_answer() -> None:
    def reply(request: dict[str, Any]) -> dict[str, Any]:
        if request["messages"][-1]["role"] == "tool":
            return {"content": "Yes: 1 cup milk + 1 Tbsp lemon juice."}
        return look_up("buttermilk")

    with ScriptedLLM(reply) as server:
        answer = CookingAssistant(client_for(server), "scripted", use_tools=True).answer(
            "No buttermilk?")
    assert answer.text == "Yes: 1 cup milk + 1 Tbsp lemon juice." and answer.model_calls == 2
    (call,) = answer.tool_calls
    assert (call.name, json.loads(call.arguments)) == (TOOL_NAME, {"ingredient": "buttermilk"})
    assert call.result == run_tool(TOOL_NAME, call.arguments)
    first, second = server.requests
    assert first["tools"][0]["function"]["name"] == TOOL_NAME
    assert first["tool_choice"] == "auto"
    assert TOOL_NAME in first["messages"][0]["content"]
    calling, result = second["messages"][2:]
    assert calling["role"] == "assistant"
    assert calling["tool_calls"][0]["function"]["name"] == TOOL_NAME
    assert result == {"role": "tool", "tool_call_id": calling["tool_calls"][0]["id"],
                      "content": call.result}


def test_a_model_that_keeps_calling_is_made_to_answer_on_the_last_call() -> None:
    asked: list[str] = []

    def reply(request: dict[str, Any]) -> dict[str, Any]:
        asked.append(request["tool_choice"])
        if request["tool_choice"] == "none":
            return {"content": "Here is what I found.", **look_up("sugar")}
        return look_up("egg")

    with ScriptedLLM(reply) as server:
        answer = CookingAssistant(client_for(server), "scripted", use_tools=True).answer("Eggs?")
    assert asked == ["auto"] * (MAX_CALLS - 1) + ["none"]
    assert answer.model_calls == MAX_CALLS and answer.text == "Here is what I found."
    assert [json.loads(c.arguments)["ingredient"] for c in answer.tool_calls] == (
        ["egg"] * (MAX_CALLS - 1))


def test_a_run_records_a_failed_question_and_goes_on() -> None:
    questions = [Question("Q1 fails", "a"), Question("Q2 works", "b")]

    def reply(request: dict[str, Any]) -> dict[str, Any]:
        return {"status": 500} if "fails" in user_question(request) else {"content": "ok"}

    heard: list[tuple[int, Answer]] = []
    with ScriptedLLM(reply) as server:
        answers = ask_all(CookingAssistant(client_for(server), "scripted"), questions,
                          on_answer=lambda i, answer: heard.append((i, answer)))
    assert [i for i, _ in heard] == [1, 2] and [a for _, a in heard] == answers
    failed, worked = answers
    assert failed.reply is None and "InternalServerError" in (failed.error or "")
    assert worked.reply is not None and worked.reply.text == "ok" and worked.error is None
    assert failed.session_id != worked.session_id and worked.seconds >= 0


def test_an_endpoint_that_cannot_be_reached_ends_the_run_with_what_to_do() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    client = OpenAI(base_url=url, api_key="k", max_retries=0, timeout=5)
    with pytest.raises(CookingError, match=r"^nothing at the URL$"):
        ask_all(CookingAssistant(client, "m"), [Question("Q?", "a")],
                unreachable="nothing at the URL")
