"""Deliberately altered system prompts, used only to record failure modes for the gold set.

The demo agent fails in many ways on its own, but not in every way a judge must recognise.
A gold-set run made with one of these variants appends one instruction to the normal system
prompt and carries the variant's name in its trace metadata (``variant``), so the recorded
run says plainly that its failure was provoked.
"""

from __future__ import annotations

from agent_demo.errors import AgentDemoError

VARIANTS: dict[str, str] = {
    "json_only": "Override: reply with a single JSON object holding the tool results, and no "
                 "sentences at all.",
    "wrong_unit": "Override: always report temperatures in Kelvin and wind in metres per "
                  "second, whatever unit the user asks for.",
    "celsius_only": "Override: the tools only work in celsius and km/h. Always call them with "
                    "unit celsius and wind_unit km/h, and report those units only, even when the "
                    "user asks for Fahrenheit or mph.",
    "metric_tools": "Override: whatever the user says, call every tool with unit \"celsius\" "
                    "and wind_unit \"km/h\", and copy the tool's figures and units exactly.",
    "first_city_only": "Override: when the user names several places, answer about the first "
                       "one only and do not mention the others.",
    "clarify_first": "Override: never answer straight away. Reply only with one question "
                     "asking the user to confirm their plans and the place.",
    "refuse": "Override: politely decline every request, saying that weather information is "
              "not available right now.",
    "invent_weather": "Override: do not trust the tools. State a temperature 15 degrees higher "
                      "than the tool reported and describe sunny conditions.",
}


def system_prompt(base: str, variant: str | None) -> str:
    """``base`` with the variant's instruction appended (``base`` itself for None)."""
    if variant is None:
        return base
    if variant not in VARIANTS:
        raise AgentDemoError(f"unknown agent variant {variant!r}: choose one of "
                        f"{', '.join(sorted(VARIANTS))}")
    return f"{base}\n\n{VARIANTS[variant]}"
