"""``judge-align suggest-labels``: which unlabeled traces a human should label next.

Candidates are the root spans with a question and an answer and no human ``helpfulness``
label. Picks, in this order:

1. **disagreement**: judge versions (the ``judge_helpfulness`` slots written by
   ``judge-traces``) gave the span different labels; the less sure first;
2. **unsure**: a judge's label token had a probability under ``UNSURE_BELOW`` (known only
   when the endpoint returned log-probabilities); the least sure first;
3. **coverage**: at least ``COVERAGE_SHARE`` of the picks (and every slot the first two leave
   free) go to the question category that is furthest below its share of the traces among
   the human labels (those already given plus the picks so far); within a category the
   pick is a seeded random draw. Rows chosen because they are hard describe the hard cases;
   these random ones keep the labeled set representative, so the judge's measured error
   rates (and the corrected pass rate built on them) stay unbiased.

Ties are broken by a seeded hash of the span id, so a seed always gives the same picks for
the same traces and labels. The picks are written as a queue file, one span id per line (the
reason follows as a ``#`` comment), which ``judge-align annotate --queue FILE`` labels first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import UserError
from pipeline.phoenix import annotations, spans
from pipeline.phoenix.annotations import JudgeLabel
from pipeline.phoenix.span_text import SpanText

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix

UNSURE_BELOW = 0.8
COVERAGE_SHARE = 0.3
NO_CATEGORY = "-"
DISAGREEMENT, UNSURE, COVERAGE = "disagreement", "unsure", "coverage"


@dataclass(frozen=True)
class Candidate:
    """An unlabeled span and what the judge versions said about it."""

    span: spans.RootSpan
    votes: tuple[JudgeLabel, ...] = ()

    @property
    def category(self) -> str:
        return self.span.category or NO_CATEGORY

    @property
    def disagreement(self) -> bool:
        return len({vote.label for vote in self.votes}) > 1

    @property
    def least_sure(self) -> JudgeLabel | None:
        """The vote with the lowest label-token probability (None without probabilities)."""
        known = [vote for vote in self.votes if vote.label_probability is not None]
        return min(known, key=lambda v: (v.label_probability, v.identifier), default=None)

    @property
    def probability(self) -> float:
        """The lowest label-token probability (1.0 when none is known)."""
        vote = self.least_sure
        return 1.0 if vote is None or vote.label_probability is None else vote.label_probability


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    kind: str
    reason: str

    @property
    def span_id(self) -> str:
        return self.candidate.span.span_id


@dataclass
class Suggestions:
    """The picks and the counts behind them."""

    project: str
    seed: int
    picks: list[Pick]
    candidates: int
    labeled: Counter[str] = field(default_factory=Counter)
    population: Counter[str] = field(default_factory=Counter)
    judge_slots: int = 0
    with_probabilities: int = 0
    queue: Path | None = None


def _vote_name(vote: JudgeLabel) -> str:
    return vote.prompt_tag or vote.identifier


def choose(candidates: list[Candidate], labeled: Counter[str], population: Counter[str],
           n: int, seed: int) -> list[Pick]:
    """Pick ``n`` candidates (pure: same inputs and seed, same picks). ``labeled`` and
    ``population`` count human-labeled and all traces by category."""
    if n < 1:
        raise UserError(f"--n must be at least 1 (got {n})")

    def key(c: Candidate) -> str:
        return spans.sample_key(c.span.span_id, seed)

    informative_slots = n - round(n * COVERAGE_SHARE)
    disagreeing = sorted((c for c in candidates if c.disagreement),
                         key=lambda c: (c.probability, key(c)))
    unsure = sorted((c for c in candidates
                     if not c.disagreement and c.probability < UNSURE_BELOW),
                    key=lambda c: (c.probability, key(c)))
    picks = [Pick(c, DISAGREEMENT, "judges disagree: " + ", ".join(
                 f"{_vote_name(v)} {v.label}" for v in sorted(c.votes, key=_vote_name)))
             for c in disagreeing]
    picks += [Pick(c, UNSURE, f"judge unsure: {_vote_name(vote)} said {vote.label} with "
                              f"p={c.probability:.2f}")
              for c in unsure if (vote := c.least_sure) is not None]
    picks = picks[:informative_slots]
    taken = {p.span_id for p in picks}
    counts = labeled + Counter(p.candidate.category for p in picks)
    pools: dict[str, list[Candidate]] = {}
    for c in sorted((c for c in candidates if c.span.span_id not in taken), key=key):
        pools.setdefault(c.category, []).append(c)
    shares = {c: count / (sum(population.values()) or 1) for c, count in population.items()}
    while len(picks) < n and any(pools.values()):
        category = _most_missing([c for c, pool in pools.items() if pool], counts, shares)
        chosen = pools[category].pop(0)
        picks.append(Pick(chosen, COVERAGE, f"coverage: {category} is "
                                            f"{shares.get(category, 0.0):.0%} of traces, "
                                            f"{counts[category]} labeled or picked so far"))
        counts[category] += 1
    return picks


def _most_missing(categories: list[str], counts: Counter[str], shares: dict[str, float]
                  ) -> str:
    """The category furthest below its share of the traces once one more label is added
    (ties: the first by name)."""
    size = sum(counts.values()) + 1
    return min(categories, key=lambda c: (counts[c] - shares.get(c, 0.0) * size, c))


def suggest(phoenix: Phoenix, project: str, *, n: int = 20, seed: int = 0,
            span_filter: spans.SpanFilter | None = None, text: SpanText | None = None
            ) -> Suggestions:
    """Read spans (their texts by ``text``), human and judge labels from Phoenix and choose
    ``n`` spans to label."""
    spans.require_project(phoenix, project)
    answered = [s for s in spans.root_spans(phoenix, project, span_filter, text=text)
                if s.readable]
    ids = [s.span_id for s in answered]
    humans = annotations.human_labels(phoenix, project, ids)
    votes = annotations.judge_labels(phoenix, project, ids)
    candidates = [Candidate(s, tuple(votes.get(s.span_id, ())))
                  for s in answered if s.span_id not in humans]
    population = Counter(s.category or NO_CATEGORY for s in answered)
    labeled = Counter(s.category or NO_CATEGORY for s in answered if s.span_id in humans)
    return Suggestions(
        project=project, seed=seed, picks=choose(candidates, labeled, population, n, seed),
        candidates=len(candidates), labeled=labeled, population=population,
        judge_slots=len({v.identifier for vs in votes.values() for v in vs}),
        with_probabilities=sum(c.least_sure is not None for c in candidates))


def write_queue(picks: Iterable[Pick], path: Path, *, project: str, seed: int) -> Path:
    """One span id per line, with the reason as a comment; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# suggest-labels for project {project}, seed {seed}, "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
             "# label them first with: judge-align annotate --queue " + str(path)]
    lines += [f"{pick.span_id}  # {pick.kind}: {pick.candidate.category}" for pick in picks]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
