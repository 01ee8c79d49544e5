"""The checklist judge: code checks per rubric rule, and the model reading the question.

For each row the model reads the question once (the places it names, what it asks for:
:mod:`evaluators.checks.extraction`); code merges that with the question's wording
(:mod:`evaluators.checks.request`) and runs every check against the answer and the tool
record (:mod:`evaluators.checks.rules`); the version's combiner weighs the scores into
P(helpful) (:mod:`evaluators.checks.combine`). The verdict's reason names the checks that
fired and its ``checks`` keep every score, so the Phoenix run shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from evaluators.chat import Chat, RetryPolicy
from evaluators.checks.combine import Combiner
from evaluators.checks.extraction import Reading, read_question
from evaluators.checks.request import read_request
from evaluators.checks.rules import CHECKS, HELPFUL_EVIDENCE, Row, run_checks
from evaluators.endpoint import Endpoint
from evaluators.evidence import ToolCall
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.prompt_files import PromptFile
from evaluators.verdict import Verdict, failed

RULE_OF = {check.name: check.rule for check in CHECKS}
MODEL, WORDING = "model", "wording"
READINGS = (MODEL, WORDING)
"""How a checklist reads the question: the model's reading merged with the wording, or the
wording alone."""


def combiner_of(prompt: PromptFile) -> Combiner:
    """The combiner a checklist version's header describes."""
    return Combiner(prompt.combiner, prompt.weights, prompt.bias, prompt.threshold)


def check_scores(question: str, answer: str, tools: Sequence[ToolCall] | None,
                 reading: Reading | None = None) -> dict[str, float]:
    """Every check's score for one row (``reading``: what the model read in the question;
    None: the wording alone; ``tools`` None: no tool record)."""
    reading = reading or Reading()
    tools = tools or ()
    places = [*reading.places, *(call.arguments.get("location", "") for call in tools)]
    request = read_request(question, places, reading.kinds)
    return run_checks(Row(question, answer, tuple(tools)), request)


def reason_for(scores: dict[str, float], label: str) -> str:
    """The checks that fired, with their rules, or that none did."""
    fired = [f"{name} (rule {RULE_OF[name]})" for name, score in scores.items()
             if score >= 0.5 and name not in HELPFUL_EVIDENCE]
    if label == NOT_HELPFUL:
        return "checks fired: " + (", ".join(fired) if fired else "none, but their weights "
                                                                  "lean not_helpful")
    return "no failure check fired" if not fired else ("weighed helpful despite: "
                                                       + ", ".join(fired))


class ChecklistJudge:
    """Judge rows with a checklist prompt version."""

    def __init__(self, endpoint: Endpoint, prompt: PromptFile, *,
                 retry: RetryPolicy | None = None) -> None:
        self.chat = Chat(endpoint, retry, logprobs=False)
        self.prompt = prompt
        self.model = endpoint.model
        self.combiner = combiner_of(prompt)

    async def read(self, question: str) -> Reading:
        """The model's reading of ``question`` (raises after retries); nothing to read when
        the version reads the wording alone."""
        if self.prompt.reading == WORDING:
            return Reading()
        return await read_question(self.chat, self.prompt.render(question),
                                   separate=self.prompt.calls == "separate")

    async def judge(self, question: str, answer: str,
                    tools: Sequence[ToolCall] | None = None) -> Verdict:
        """The verdict on one answer; never raises for a failed call."""
        try:
            reading = await self.read(question)
        except Exception as error:
            return failed(error)
        scores = check_scores(question, answer, tools, reading)
        probability = self.combiner.probability(scores)
        label = HELPFUL if probability >= self.combiner.threshold else NOT_HELPFUL
        return Verdict(label=label, reason=reason_for(scores, label), probability=probability,
                       checks=scores)

    async def aclose(self) -> None:
        await self.chat.aclose()
