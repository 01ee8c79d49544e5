"""``python -m agent_demo.cooking --n 10 [--seed S] [--project P] [--tools]``: ask the
cooking assistant ``n`` questions from its bank; each call is traced to Phoenix.

The model endpoint comes from ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` (the local model
server on 127.0.0.1:8077 when neither is set), Phoenix from ``--phoenix`` or
``PHOENIX_COLLECTOR_ENDPOINT``; see :mod:`agent_demo.cooking.endpoints`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import textwrap
from contextlib import nullcontext
from pathlib import Path

from agent_demo.cooking.endpoints import model_endpoint, phoenix_base_url
from agent_demo.cooking.errors import CookingError
from agent_demo.cooking.run import Answer

DEFAULT_PROJECT = "cooking-assistant"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m agent_demo.cooking",
                                     description="Ask the cooking assistant questions from "
                                                 "its bank, traced to Phoenix.")
    parser.add_argument("--n", type=int, default=10, help="how many questions (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="which questions (default 0)")
    parser.add_argument("--project", default=os.environ.get("PHOENIX_PROJECT_NAME")
                        or DEFAULT_PROJECT, help=f"Phoenix project (default {DEFAULT_PROJECT})")
    parser.add_argument("--phoenix", help="Phoenix base URL (default "
                        "PHOENIX_COLLECTOR_ENDPOINT, else http://127.0.0.1:6006)")
    parser.add_argument("--model", help="model name (default OPENAI_MODEL, else the "
                        "endpoint's default)")
    parser.add_argument("--tools", action="store_true",
                        help="let the model look ingredients up in the offline table")
    parser.add_argument("--questions", type=Path,
                        help="a JSON file {category: [questions]} instead of the bank")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds to wait for one model call (default 300)")
    return parser.parse_args(argv)


def show(answer: Answer, index: int, total: int) -> None:
    print(f"\n[{index}/{total}] ({answer.question.category}) {answer.question.text}")
    reply = answer.reply
    if reply is None:
        print(f"  failed: {answer.error}")
        return
    for call in reply.tool_calls:
        print(f"  tool: {call.name}({call.arguments}) -> {textwrap.shorten(call.result, 100)}")
    print(textwrap.indent(reply.text or "(empty answer)", "  "))
    cut = ", cut off at max_tokens" if reply.finish_reason == "length" else ""
    print(f"  {answer.seconds:.1f} s, {reply.model_calls} model call(s){cut}")


def main(argv: list[str] | None = None) -> int:
    from openai import OpenAI

    from agent_demo.cooking.assistant import CookingAssistant
    from agent_demo.cooking.questions import load_questions, sample_questions
    from agent_demo.cooking.run import ask_all
    from agent_demo.cooking.tracing import phoenix_reachable, traced

    args = parse_args(argv)
    endpoint = model_endpoint(os.environ, args.model)
    phoenix = phoenix_base_url(os.environ, args.phoenix)
    try:
        questions = sample_questions(load_questions(args.questions), args.n, args.seed)
        traced_to = f"project '{args.project}' at {phoenix}"
        if not phoenix_reachable(phoenix):
            print(f"warning: Phoenix is not reachable at {phoenix}: the questions are answered "
                  "but not traced (start it with `make up`)", file=sys.stderr)
            traced_to = ""
        print(f"{len(questions)} questions to {endpoint.model} at {endpoint.where}"
              f"{' with the ingredient table' if args.tools else ''}"
              f"{'; traces to ' + traced_to if traced_to else ''}")
        client = OpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key,
                        timeout=args.timeout, max_retries=1)
        assistant = CookingAssistant(client, endpoint.model, use_tools=args.tools)
        with traced(phoenix, args.project) if traced_to else nullcontext():
            answers = ask_all(
                assistant, questions,
                on_answer=lambda i, answer: show(answer, i, len(questions)),
                unreachable=f"cannot reach {endpoint.where}: {endpoint.unreachable_hint}")
    except CookingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    done = [a for a in answers if a.reply is not None]
    mean = statistics.fmean(a.seconds for a in done) if done else 0.0
    print(f"\n{len(done)} of {len(answers)} answered, {mean:.1f} s a question on average"
          f"{'; traces in ' + traced_to if traced_to else ''}")
    return 0 if len(done) == len(answers) else 1


if __name__ == "__main__":
    sys.exit(main())
