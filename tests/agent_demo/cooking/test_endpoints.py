"""Where the cooking app's calls go, from the environment (pure, no server)."""

from __future__ import annotations

import pytest

from agent_demo.cooking.endpoints import (
    HOSTED_MODEL,
    LOCAL_BASE_URL,
    LOCAL_MODEL,
    ModelEndpoint,
    model_endpoint,
    phoenix_base_url,
)


@pytest.mark.parametrize(("env", "model", "expected"), [
    ({}, None, ModelEndpoint(LOCAL_BASE_URL, "not-needed-locally", LOCAL_MODEL)),
    ({"OPENAI_API_KEY": "sk-x"}, None, ModelEndpoint(None, "sk-x", HOSTED_MODEL)),
    ({"OPENAI_BASE_URL": "http://h:1/v1/", "OPENAI_API_KEY": "k"}, None,
     ModelEndpoint("http://h:1/v1", "k", LOCAL_MODEL)),
    ({"OPENAI_BASE_URL": "http://h:1/v1"}, None,
     ModelEndpoint("http://h:1/v1", "not-needed-locally", LOCAL_MODEL)),
    ({"OPENAI_API_KEY": "sk-x", "OPENAI_MODEL": "gpt-x"}, None,
     ModelEndpoint(None, "sk-x", "gpt-x")),
    ({"OPENAI_MODEL": "gpt-x"}, "given",
     ModelEndpoint(LOCAL_BASE_URL, "not-needed-locally", "given")),
    ({"OPENAI_BASE_URL": "  ", "OPENAI_API_KEY": " "}, None,
     ModelEndpoint(LOCAL_BASE_URL, "not-needed-locally", LOCAL_MODEL)),
])
def test_the_model_endpoint_follows_the_openai_variables(env: dict[str, str], model: str | None,
                                                         expected: ModelEndpoint) -> None:
    assert model_endpoint(env, model) == expected


@pytest.mark.parametrize(("env", "given", "expected"), [
    ({}, None, "http://127.0.0.1:6006"),
    ({"PHOENIX_COLLECTOR_ENDPOINT": "http://p:7000"}, None, "http://p:7000"),
    ({"PHOENIX_COLLECTOR_ENDPOINT": "http://p:7000/v1/traces"}, None, "http://p:7000"),
    ({"PHOENIX_COLLECTOR_ENDPOINT": "http://p:7000/"}, "http://q:1/v1/traces/", "http://q:1"),
])
def test_phoenix_is_a_base_url_whatever_form_it_is_given_in(env: dict[str, str],
                                                           given: str | None,
                                                           expected: str) -> None:
    assert phoenix_base_url(env, given) == expected


def test_what_to_do_when_the_model_cannot_be_reached_depends_on_the_endpoint() -> None:
    assert "make llm" in model_endpoint({}).unreachable_hint
    hosted = model_endpoint({"OPENAI_BASE_URL": "http://h:1/v1"})
    assert "check OPENAI_BASE_URL" in hosted.unreachable_hint and hosted.where == "http://h:1/v1"
    assert model_endpoint({"OPENAI_API_KEY": "sk-x"}).where == "OpenAI"
