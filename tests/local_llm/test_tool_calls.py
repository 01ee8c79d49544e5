"""Turning tool calls written as text into OpenAI tool_calls (local_llm.tool_calls, no model)."""

from __future__ import annotations

import json

import pytest

from local_llm.tool_calls import (
    ToolCall,
    answered_calls,
    call_schema,
    is_only_calls,
    new_calls,
    parse_tool_calls,
)

TOOLS = {"get_weather", "get_forecast"}
PARIS = ToolCall("get_weather", {"location": "Paris", "unit": "fahrenheit"})
PARIS_JSON = '{"name": "get_weather", "arguments": {"location": "Paris", "unit": "fahrenheit"}}'


@pytest.mark.parametrize("text", [
    PARIS_JSON,
    f"```json\n{PARIS_JSON}\n```",
    f"```\n{PARIS_JSON}\n```",
    f"<tool_call>\n{PARIS_JSON}\n</tool_call>",
    f"[{PARIS_JSON}]",
    '{"name": "get_weather", "arguments": "{\\"location\\": \\"Paris\\", \\"unit\\": '
    '\\"fahrenheit\\"}"}',
    '{"name": "get_weather", "parameters": {"location": "Paris", "unit": "fahrenheit"}}',
    '{"function": {"name": "get_weather", "arguments": {"location": "Paris", '
    '"unit": "fahrenheit"}}}',
    '{"type": "function", "function": {"name": "get_weather", "arguments": '
    '{"location": "Paris", "unit": "fahrenheit"}}}',
    f'{{"tool_calls": [{PARIS_JSON}]}}',
    '{"get_weather": {"location": "Paris", "unit": "fahrenheit"}}',
    "{'name': 'get_weather', 'arguments': {'location': 'Paris', 'unit': 'fahrenheit',}}",
    f"{{{PARIS_JSON}}}",  # doubled braces, copied from Qwen's tool prompt
    'get_weather(location="Paris", unit="fahrenheit")',
    'functions.get_weather(location="Paris", unit="fahrenheit")',
])
def test_a_call_in_any_usual_shape_becomes_a_tool_call(text: str) -> None:
    calls, rest = parse_tool_calls(text, TOOLS)

    assert calls == [PARIS]
    assert rest == ""


def test_prose_around_a_call_is_kept_as_content() -> None:
    text = f"Let me look that up.\n```json\n{PARIS_JSON}\n```\nOne moment."

    calls, rest = parse_tool_calls(text, TOOLS)

    assert calls == [PARIS]
    assert rest == "Let me look that up.\n\nOne moment."


def test_several_calls_in_a_row_or_in_a_list_are_all_returned() -> None:
    rome = '{"name": "get_forecast", "arguments": {"location": "Rome", "days": 2}}'
    expected = [PARIS, ToolCall("get_forecast", {"location": "Rome", "days": 2})]

    for text in (f"{PARIS_JSON}\n{rome}", f"[{PARIS_JSON}, {rome}]",
                 f"<tool_call>{PARIS_JSON}</tool_call>\n<tool_call>{rome}</tool_call>"):
        assert parse_tool_calls(text, TOOLS) == (expected, "")


@pytest.mark.parametrize("text", [
    '{"name": "get_joke", "arguments": {"topic": "cats"}}',  # not a declared tool
    '{"location": "Paris", "unit": "fahrenheit"}',  # arguments without a name
    '{"name": "get_weather", "arguments": "not json"}',
    '{"name": "get_weather", "arguments": [1, 2]}',
    f"[{PARIS_JSON}, 3]",  # a list that is not only calls
    "It is 68°F in Paris {sunny} and get_weather is the tool I would use.",
    'print(get_weather)',
    'get_weather("Paris")',  # positional arguments: no names to map them to
    "",
])
def test_anything_else_stays_content(text: str) -> None:
    assert parse_tool_calls(text, TOOLS) == ([], text)


def test_no_declared_tools_means_no_parsing() -> None:
    assert parse_tool_calls(PARIS_JSON, set()) == ([], PARIS_JSON)


def test_a_json_answer_that_is_not_a_call_is_left_alone() -> None:
    text = f'Data: {{"temperature": 68, "unit": "F"}}\n{PARIS_JSON}'

    calls, rest = parse_tool_calls(text, TOOLS)

    assert calls == [PARIS]
    assert rest == 'Data: {"temperature": 68, "unit": "F"}'


def test_openai_entry_carries_arguments_as_a_json_string() -> None:
    entry = PARIS.to_openai()

    assert entry["type"] == "function"
    assert entry["id"].startswith("call_")
    assert entry["function"]["name"] == "get_weather"
    assert json.loads(entry["function"]["arguments"]) == PARIS.arguments
    assert PARIS.to_openai()["id"] != entry["id"]


def test_is_only_calls_spots_a_reply_that_is_just_an_invented_call() -> None:
    assert is_only_calls('```json\n{"name": "get_joke", "arguments": {"topic": "cats"}}\n```')
    assert is_only_calls('{{"name": "get_joke", "arguments": {}}}')
    assert not is_only_calls('Here is an example: {"name": "x", "arguments": {}}')
    assert not is_only_calls('{"temperature": 68}')
    assert not is_only_calls("It is sunny.")


def _conversation(arguments: str, *, answered: bool = True, new_user: bool = False) -> list:
    messages = [
        {"role": "user", "content": "Weather in Paris in Fahrenheit?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": arguments}}]},
    ]
    if answered:
        messages.append({"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 68}'})
    if new_user:
        messages.append({"role": "user", "content": "And again?"})
    return messages


def test_a_repeat_of_an_answered_call_is_not_new() -> None:
    messages = _conversation('{"unit": "fahrenheit", "location": "paris"}')
    london = ToolCall("get_weather", {"location": "London", "unit": "fahrenheit"})

    assert answered_calls(messages) == [
        ToolCall("get_weather", {"unit": "fahrenheit", "location": "paris"})]
    assert new_calls([PARIS, london], messages) == [london]


def test_a_call_is_new_when_unanswered_or_asked_for_again_by_the_user() -> None:
    arguments = json.dumps(PARIS.arguments)

    assert new_calls([PARIS], _conversation(arguments, answered=False)) == [PARIS]
    assert new_calls([PARIS], _conversation(arguments, new_user=True)) == [PARIS]


def test_call_schema_forces_a_declared_name_and_its_parameters() -> None:
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"location": {"type": "string"}},
        "required": ["location"]}}}
    bare = {"type": "function", "function": {"name": "now"}}

    one = call_schema([weather])
    both = call_schema([weather, bare])

    assert one["properties"]["name"] == {"const": "get_weather"}
    assert one["properties"]["arguments"]["required"] == ["location"]
    assert [v["properties"]["name"]["const"] for v in both["anyOf"]] == ["get_weather", "now"]
    assert both["anyOf"][1]["properties"]["arguments"] == {"type": "object"}


# --- XML-ish markup, as the 1.5B model writes it for the demo agent (recorded replies) ---------

AGENT_TOOLS = {"get_weather", "plan_activities", "analyze_weather"}


def _weather(city: str) -> ToolCall:
    return ToolCall("get_weather", {"location": city, "unit": "celsius", "wind_unit": "km/h",
                                    "day": "today"})


def _attribute_call(name: str, arguments: str) -> str:
    return f"    <function name=\"{name}\" arguments='{arguments}'/>"


def _weather_attribute(city: str) -> str:
    return _attribute_call("get_weather", json.dumps(_weather(city).arguments))


def test_a_function_element_with_json_arguments_attribute_becomes_a_tool_call() -> None:
    text = f"<tools>\n{_weather_attribute('Dublin')}\n</tools>"

    assert parse_tool_calls(text, AGENT_TOOLS) == ([_weather("Dublin")], "")


def test_several_function_elements_in_one_tools_block_are_all_returned() -> None:
    text = f"<tools>\n{_weather_attribute('Paris')}\n{_weather_attribute('Berlin')}\n</tools>"

    assert parse_tool_calls(text, AGENT_TOOLS) == ([_weather("Paris"), _weather("Berlin")], "")


def test_a_function_element_with_child_elements_becomes_a_tool_call_with_string_values() -> None:
    text = """<tools>
  <function>
    <name>get_weather</name>
    <arguments>
      <location>Moscow</location>
      <unit>celsius</unit>
      <wind_unit>km/h</wind_unit>
      <day>today</day>
    </arguments>
  </function>
</tools>"""

    assert parse_tool_calls(text, AGENT_TOOLS) == ([_weather("Moscow")], "")


def test_a_leaf_element_closed_under_another_name_is_read_as_closed() -> None:
    text = ("<tools>\n  <function>\n    <name>get_weather</name>\n    <arguments>\n"
            "      <location>Wellington</location>\n      <wind_unit>mph</unit>\n"
            "    </arguments>\n  </function>\n</tools>")

    assert parse_tool_calls(text, AGENT_TOOLS) == (
        [ToolCall("get_weather", {"location": "Wellington", "wind_unit": "mph"})], "")


def test_prose_before_tools_blocks_is_kept_as_content() -> None:
    intro = ("To plan activities in Amsterdam, we need to know the current weather "
             "conditions. Let's check the weather first.")
    plan = _attribute_call("plan_activities", '{"location": "Amsterdam", "unit": "celsius", '
                                              '"day": "today", "preferences": "none"}')
    text = (f"{intro}\n\n<tools>\n{_weather_attribute('Amsterdam')}\n</tools>\n\n"
            f"<tools>\n{plan}\n</tools>")

    calls, rest = parse_tool_calls(text, AGENT_TOOLS)

    assert calls == [_weather("Amsterdam"), ToolCall("plan_activities", {
        "location": "Amsterdam", "unit": "celsius", "day": "today", "preferences": "none"})]
    assert rest == intro


@pytest.mark.parametrize("text", [
    '<function name="get_weather">{"location": "Paris", "unit": "fahrenheit"}</function>',
    "<function><name>get_weather</name><parameters><location>Paris</location>"
    "<unit>fahrenheit</unit></parameters></function>",
    '<function name="get_weather"><location>Paris</location><unit>fahrenheit</unit></function>',
    "<function><name>get_weather</name><arguments>"
    '{"location": "Paris", "unit": "fahrenheit"}</arguments></function>',
])
def test_function_elements_in_their_other_spellings_become_tool_calls(text: str) -> None:
    assert parse_tool_calls(text, TOOLS) == ([PARIS], "")


@pytest.mark.parametrize("text", [
    "<tools>\n" + _attribute_call("get_joke", '{"topic": "cats"}') + "\n</tools>",
    "<function><name>get_joke</name><arguments><topic>cats</topic></arguments></function>",
    "<function name=\"get_weather\" arguments='not json'/>",
    '<function name="get_weather"><location>Paris</function>',  # not well-formed
    '<function name="get_weather" arguments=\'{"location": "Paris"}\'>',  # never closed
    "<function><arguments><location>Paris</location></arguments></function>",  # no name
    "To get the forecast, you can call the `get_weather` function with the location "
    "Paris and the unit celsius.",
    "Use a <function> element to call a tool.",
])
def test_markup_that_is_not_a_call_of_a_declared_tool_stays_content(text: str) -> None:
    assert parse_tool_calls(text, AGENT_TOOLS | TOOLS) == ([], text)


def test_is_only_calls_spots_markup_that_is_just_an_invented_call() -> None:
    assert is_only_calls("<tools>\n" + _attribute_call("get_joke", "{}") + "\n</tools>")
    assert not is_only_calls("Sunny. <function name=\"get_joke\" arguments='{}'/>")


def test_echoed_empty_tool_response_tags_are_no_answer_and_no_content() -> None:
    echo = "<tool_response>\n\n</tool_response>\n<tool_response>\n</tool_response>\n"
    plan = _attribute_call("plan_activities", '{"location": "Oslo"}')

    assert is_only_calls(echo)
    assert not is_only_calls("<tool_response>It is 3°C in Oslo.</tool_response>")
    assert not is_only_calls("")
    assert parse_tool_calls(f"{echo}<tools>\n{plan}\n</tools>", AGENT_TOOLS) == (
        [ToolCall("plan_activities", {"location": "Oslo"})], "")


def test_schemas_turn_string_values_into_the_declared_scalar_types() -> None:
    text = ("<function><name>get_forecast</name><arguments><location>Rome</location>"
            "<days>3</days><hourly>True</hourly><ratio>0.5</ratio><zip>00118</zip>"
            "<limit>many</limit></arguments></function>")
    schema = {"properties": {"location": {"type": "string"}, "days": {"type": "integer"},
                             "hourly": {"type": "boolean"}, "ratio": {"type": "number"},
                             "zip": {"type": "string"}, "limit": {"type": "integer"}}}

    typed, _ = parse_tool_calls(text, TOOLS, schemas={"get_forecast": schema})
    untyped, _ = parse_tool_calls(text, TOOLS)

    assert typed == [ToolCall("get_forecast", {"location": "Rome", "days": 3, "hourly": True,
                                               "ratio": 0.5, "zip": "00118",
                                               "limit": "many"})]
    assert untyped[0].arguments["days"] == "3"
