"""What the gold set holds, counted from its files: labels per question category, per
rubric rule (the rule a label's note names first), per split, and how often the agent as it
is (not a provoked variant) answered helpfully in each category. ``judge-align gold stats
--markdown`` prints these tables for ``gold/README.md``; a test keeps the two in step."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from evaluators.labels import HELPFUL, HUMAN_LABELS, NOT_HELPFUL, normalize_label
from pipeline.gold.files import DEMO, GoldFiles
from pipeline.gold.label_rows import read_rows
from pipeline.gold.passes import PassAgreement, compare_passes, gold_passes
from pipeline.gold.splits import read_splits
from pipeline.gold.traces import read_traces

RULE = re.compile(r"\brule\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class GoldRow:
    """One labeled gold trace."""

    span_id: str
    label: str
    category: str
    variant: str | None
    project: str | None  # the Phoenix project the trace was recorded from (None: unknown)
    split: str
    rule: int | None
    explanation: str = ""


@dataclass
class GoldStats:
    """The counts ``gold/README.md`` reports."""

    rows: list[GoldRow] = field(default_factory=list)
    passes: PassAgreement | None = None
    superseded: PassAgreement | None = None  # the final labels against superseded ones

    @property
    def labels(self) -> Counter[str]:
        return Counter(row.label for row in self.rows)

    def by(self, key: str) -> dict[str, Counter[str]]:
        """Label counts per value of ``key`` (category, split, variant)."""
        found: dict[str, Counter[str]] = defaultdict(Counter)
        for row in self.rows:
            found[str(getattr(row, key) or "-")][row.label] += 1
        return dict(sorted(found.items()))

    @property
    def rules(self) -> Counter[int]:
        """How many not_helpful labels each rubric rule decided."""
        return Counter(row.rule for row in self.rows
                       if row.label == NOT_HELPFUL and row.rule is not None)

    def agent_helpful_rate(self, project: str | None = None) -> dict[str, tuple[int, int]]:
        """Per category: (helpful, all) among the agent's own runs (no variant), those
        recorded from ``project`` when given."""
        found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in self.rows:
            if row.variant is None and project in (None, row.project):
                found[row.category][0] += row.label == HELPFUL
                found[row.category][1] += 1
        return {c: (h, n) for c, (h, n) in sorted(found.items())}


def gold_stats(files: GoldFiles = DEMO) -> GoldStats:
    """Every labeled trace of the gold set with what the counts need, and how its two
    labeling passes agree."""
    traces = {t["root_span_id"]: t for t in read_traces(files.traces)}
    splits = read_splits(files.splits)
    stats = GoldStats(passes=gold_passes(files),
                      superseded=compare_passes(files.superseded, files.labels))
    for item in read_rows(files.labels):
        trace = traces.get(item["span_id"], {})
        rule = RULE.search(item.get("explanation") or "")
        stats.rows.append(GoldRow(
            span_id=item["span_id"], label=normalize_label(item["label"]) or item["label"],
            category=trace.get("category") or "-", variant=trace.get("variant"),
            project=trace.get("project"),
            split=splits.get(item["span_id"], "-"), rule=int(rule.group(1)) if rule else None,
            explanation=item["explanation"]))
    return stats


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _passes_line(passes: PassAgreement | None) -> str:
    if passes is None:
        return "No blind second pass yet."
    a, rate = passes.agreement, passes.agreement.match_rate
    interval = (f"; 95% interval {rate.low:.1%} - {rate.high:.1%}"
                if rate.low is not None and rate.high is not None else "")
    kappa = "undefined" if a.kappa is None else f"{a.kappa:.3f}"
    settled = len(passes.disagreements) - len(passes.unsettled)
    return (f"Blind second pass on {passes.n} traces: agreement {rate.value:.1%} "
            f"({a.matches} of {passes.n}{interval}), Cohen's kappa {kappa}; "
            f"{len(passes.disagreements)} disagreements, {settled} settled by a third reader.")


def _superseded_line(result: PassAgreement | None) -> str:
    if result is None:
        return ""
    a = result.agreement
    kappa = "undefined" if a.kappa is None else f"{a.kappa:.3f}"
    return (f"Superseded labels (an earlier labeling of {result.n} of these traces): the final "
            f"labels agree with {a.matches} of them ({a.match_rate.value:.1%}), Cohen's kappa "
            f"{kappa}.")


def _rates(stats: GoldStats, project: str | None = None) -> dict[str, str]:
    return {c: f"{h} of {n} ({h / n:.0%})"
            for c, (h, n) in stats.agent_helpful_rate(project).items()}


def markdown(stats: GoldStats, before: GoldStats | None = None, project: str | None = None
             ) -> str:
    """The README's tables, exactly as ``gold stats --markdown`` prints them. ``before``: the
    same questions asked of an earlier build of the agent, whose helpful rate per category
    is set beside that of this set's runs recorded from ``project`` (all its own runs when
    None)."""
    total = len(stats.rows)
    labels = stats.labels
    parts = [f"{total} labeled traces: " + ", ".join(
        f"{labels[label]} {label} ({labels[label] / total:.0%})" for label in HUMAN_LABELS)
        if total else "No labeled traces.", _passes_line(stats.passes)]
    if stats.superseded is not None:
        parts.append(_superseded_line(stats.superseded))
    for key, title in (("category", "question category"), ("split", "split"),
                       ("variant", "variant (- = the agent as it is)")):
        rows = [[value, str(c[HELPFUL]), str(c[NOT_HELPFUL]), str(sum(c.values()))]
                for value, c in stats.by(key).items()]
        parts.append(_table([title, HELPFUL, NOT_HELPFUL, "all"], rows))
    rules = stats.rules
    parts.append(_table(["rubric rule", "not_helpful labels it decided"],
                        [[str(rule), str(rules.get(rule, 0))] for rule in range(1, 11)]))
    after = _rates(stats, project)
    if before is None:
        parts.append(_table(["category", "the agent's own runs: helpful"],
                            [[c, rate] for c, rate in after.items()]))
    else:
        earlier = _rates(before)
        parts.append(_table(["category", "earlier build: helpful",
                             f"this build ({project or 'all runs'}): helpful"],
                            [[c, earlier.get(c, "-"), after.get(c, "-")]
                             for c in sorted(set(after) | set(earlier))]))
    return "\n\n".join(parts) + "\n"
