"""The offline default model served locally: load time, prompt and generation speed, judge
latency with and without reuse of the shared prompt prefix, and the Paris tool call.

Starts its own server (``pipeline.stack.llm_service``) on a free port and stops it at the end.
Run with ``python bench/bench_local_llm.py`` or ``make bench``; ``LOCAL_MODEL_PATH`` and
``LOCAL_LLM_THREADS`` apply. Figures depend heavily on other load on the machine (llama.cpp's
threads spin-wait: with another busy process on two cores, 2 threads generated 1.4 tokens/s
and 1 thread 7.1), so the load average is printed before and after.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `pipeline` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import describe
from pipeline import stack
from pipeline.settings import ROOT, Settings, load
from tests.support.stack import free_port

CASES = [  # (question, answer) pairs for the judge
    ("What's the weather in Paris in Fahrenheit?", "It is 68°F and sunny in Paris."),
    ("Will it rain in Oslo tomorrow?", '{"city": "Oslo", "precipitation_mm": 3.2}'),
    ("Plan a Saturday in Lisbon around the weather.",
     "Morning: walk Alfama while it is 19°C and dry. Afternoon showers: visit the Tile Museum. "
     "Evening: clear skies, dinner by the river."),
    ("How windy is it in Chicago in mph?", "Sorry, I cannot check the weather."),
]
FALLBACK_JUDGE = (
    "You grade the answers of a weather assistant. Decide whether the answer is helpful to "
    "the person who asked the question.\n\nReply with the label as one word on the first "
    "line (helpful or not_helpful), then one short sentence with your reason on the second "
    "line.\n\nQuestion:\n{{question}}\n\nAnswer:\n{{answer}}"
)
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather for a city.",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["location"]}}}
JUDGE_OPTIONS = {"temperature": 0, "max_tokens": 60, "logprobs": True}


def judge_template() -> tuple[str, str]:
    """The judge prompt of evaluators/prompts/v3.txt (front matter removed), or a fallback."""
    path = ROOT / "evaluators" / "prompts" / "v3.txt"
    if path.is_file():
        text = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(), flags=re.DOTALL)
        return text, "evaluators/prompts/v3.txt"
    return FALLBACK_JUDGE, "a built-in one-paragraph prompt"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Bench:
    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        self.settings = settings
        self.client = OpenAI(base_url=settings.local_llm_url, api_key="local", max_retries=0,
                             timeout=600)

    def chat(self, messages: list[dict[str, Any]], **options: Any) -> tuple[Any, float]:
        started = time.perf_counter()
        reply = self.client.chat.completions.create(
            model=self.settings.judge_model_name, messages=messages, **options)
        return reply, time.perf_counter() - started

    def speeds(self) -> tuple[float, float, int]:
        """Prompt tokens/s on an uncached prompt, generation tokens/s on a cached one."""
        text = (f"Note {uuid.uuid4()}. " + "Weather report: mild, light wind, some clouds. " * 40
                + "\nCount from 1 to 500, separated by commas.")
        messages = [{"role": "user", "content": text}]
        reply, _ = self.chat(messages, max_tokens=1, temperature=0)
        usage = reply.usage
        evaluated = usage.prompt_tokens - usage.prompt_tokens_details.cached_tokens
        prompt_rate = evaluated / usage.model_extra["seconds"]
        reply, _ = self.chat(messages, max_tokens=96, temperature=0)  # prompt now cached
        generation_rate = reply.usage.completion_tokens / reply.usage.model_extra["seconds"]
        return prompt_rate, generation_rate, evaluated

    def judge(self, template: str, *, shared_prefix: bool) -> list[dict[str, float]]:
        """One call per case; without a shared prefix each prompt starts with a unique line."""
        calls = []
        if shared_prefix:  # the first call of a run pays for the prefix; measure the rest
            self.chat([{"role": "user", "content": render(template, *CASES[-1])}],
                      **JUDGE_OPTIONS)
        for question, answer in CASES:
            prompt = render(template, question, answer)
            if not shared_prefix:
                prompt = f"Case {uuid.uuid4()}.\n{prompt}"
            reply, seconds = self.chat([{"role": "user", "content": prompt}], **JUDGE_OPTIONS)
            calls.append({"seconds": seconds, "prompt": reply.usage.prompt_tokens,
                          "cached": reply.usage.prompt_tokens_details.cached_tokens,
                          "completion": reply.usage.completion_tokens,
                          "label": label_of(reply.choices[0].message.content)})
        return calls

    def paris(self) -> tuple[bool, float, float, str]:
        """The Paris question with a get_weather tool, then the tool's result."""
        question = [{"role": "user", "content": "What's the weather in Paris in Fahrenheit?"}]
        reply, first = self.chat(question, tools=[WEATHER_TOOL], temperature=0)
        calls = reply.choices[0].message.tool_calls or []
        ok = bool(calls) and calls[0].function.name == "get_weather" and \
            json.loads(calls[0].function.arguments).get("unit") == "fahrenheit" and \
            "paris" in json.loads(calls[0].function.arguments).get("location", "").casefold()
        if not calls:
            return False, first, 0.0, ""
        result = {"location": "Paris", "temperature": 68, "unit": "fahrenheit", "sky": "sunny"}
        history = [*question,
                   {"role": "assistant", "content": None, "tool_calls": [calls[0].model_dump()]},
                   {"role": "tool", "tool_call_id": calls[0].id, "content": json.dumps(result)}]
        final, second = self.chat(history, tools=[WEATHER_TOOL], temperature=0)
        return ok, first, second, final.choices[0].message.content or ""


def render(template: str, question: str, answer: str) -> str:
    return template.replace("{{question}}", question).replace("{{answer}}", answer)


def label_of(text: str | None) -> str:
    first = (text or "").strip().splitlines()[0:1]
    return first[0].strip(" .*`").lower() if first else ""


def summarize(calls: list[dict[str, float]]) -> str:
    seconds = [c["seconds"] for c in calls]
    return (f"{statistics.mean(seconds):5.2f} s a call (min {min(seconds):.2f}, max "
            f"{max(seconds):.2f}); prompt {statistics.mean(c['prompt'] for c in calls):.0f} "
            f"tokens, {statistics.mean(c['cached'] for c in calls):.0f} reused; "
            f"{statistics.mean(c['completion'] for c in calls):.0f} generated")


def reuse_gain(cold: list[dict[str, float]], warm: list[dict[str, float]]) -> str:
    """The same calls with and without the shared prefix reused, as ratios of one run."""
    def mean(calls: list[dict[str, float]], key: str) -> float:
        return statistics.mean(c[key] for c in calls)

    evaluated = [statistics.mean(c["prompt"] - c["cached"] for c in calls)
                 for calls in (cold, warm)]
    return (f"x{mean(cold, 'seconds') / mean(warm, 'seconds'):.1f} faster "
            f"({mean(cold, 'seconds'):.2f} s -> {mean(warm, 'seconds'):.2f} s), prompt tokens "
            f"evaluated {evaluated[0]:.0f} -> {evaluated[1]:.0f}")


def main() -> None:
    # LOCAL_MODEL_PATH and LOCAL_LLM_THREADS apply; the server is always our own.
    settings = dataclasses.replace(load(), run_dir=Path(tempfile.mkdtemp(prefix="bench-llm-")),
                                   local_llm_port=free_port())
    model = stack.local_model_path(settings)
    print(f"# Local model server ({describe()})")
    print(f"model {model.name}; usable cores {len(os.sched_getaffinity(0))}; "
          f"load average before: {load_average()}")
    service = stack.llm_service(settings, model)
    started = time.perf_counter()
    service.start()
    ready = time.perf_counter() - started
    try:
        loaded = re.search(r"loaded .* in ([\d.]+) s \((\d+) threads",
                           service.log_file.read_text())
        print(f"model load            {loaded.group(1) if loaded else '?'} s "
              f"({loaded.group(2) if loaded else '?'} threads); server ready in {ready:.1f} s")
        bench = Bench(settings)
        prompt_rate, generation_rate, evaluated = bench.speeds()
        print(f"prompt evaluation     {prompt_rate:5.1f} tokens/s ({evaluated} tokens)")
        print(f"generation            {generation_rate:5.1f} tokens/s (96 tokens)")
        template, source = judge_template()
        print(f"judge prompt: {source}; temperature 0, max_tokens 60, logprobs on")
        cold = bench.judge(template, shared_prefix=False)
        warm = bench.judge(template, shared_prefix=True)
        print(f"judge, prefix not reused   {summarize(cold)}")
        print(f"judge, prefix reused       {summarize(warm)}")
        print(f"prefix reuse, per example: {reuse_gain(cold, warm)}")
        print(f"judge labels: {[c['label'] for c in warm]} (cases: "
              "helpful, JSON, helpful plan, refusal)")
        ok, first, second, answer = bench.paris()
        print(f"Paris tool call       {'OK' if ok else 'FAILED'} in {first:.2f} s; answer "
              f"from the tool result in {second:.2f} s: {answer[:80]!r}")
    finally:
        service.stop()
        print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
