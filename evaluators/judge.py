"""The judge: one prompt version, one model; how it judges is the version's mode
(:mod:`evaluators.modes`).

It never raises on a bad reply or a failed call: an unreadable reply is the outcome
``invalid``, a call still failing after its retries (:mod:`evaluators.chat`) the outcome
``error`` with the error's text. The verdict carries P(helpful) when the mode knows it.
"""

from __future__ import annotations

from evaluators.chat import RetryPolicy
from evaluators.modes import make_judge
from evaluators.modes.base import RowJudge
from evaluators.modes.word import MAX_TOKENS
from evaluators.modes.word import PromptJudge as Judge
from evaluators.reply import parse_reply
from evaluators.verdict import Verdict

__all__ = ["MAX_TOKENS", "Judge", "RetryPolicy", "RowJudge", "Verdict", "make_judge",
           "parse_reply"]
