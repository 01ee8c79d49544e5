"""What the gold set holds, counted from its files: labels per question category, per
rubric rule (the rule a label's note names first), per split, and how often the agent as it
is (not a provoked variant) answered helpfully in each category. ``judge-align gold stats
--markdown`` prints these tables for ``gold/README.md``; a test keeps the two in step."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from evaluators.labels import HELPFUL, HUMAN_LABELS, NOT_HELPFUL, normalize_label
from pipeline.gold.splits import SPLITS_FILE, read_splits
from pipeline.gold.traces import LABELS_FILE, TRACES_FILE, read_traces

RULE = re.compile(r"\brule\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class GoldRow:
    """One labeled gold trace."""

    span_id: str
    label: str
    category: str
    variant: str | None
    split: str
    rule: int | None
    explanation: str = ""


@dataclass
class GoldStats:
    """The counts ``gold/README.md`` reports."""

    rows: list[GoldRow] = field(default_factory=list)

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

    def agent_helpful_rate(self) -> dict[str, tuple[int, int]]:
        """Per category: (helpful, all) among the agent's own runs (no variant)."""
        found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in self.rows:
            if row.variant is None:
                found[row.category][0] += row.label == HELPFUL
                found[row.category][1] += 1
        return {c: (h, n) for c, (h, n) in sorted(found.items())}


def read_label_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a labels file (``span_id,label,explanation``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def gold_stats(labels_path: Path = LABELS_FILE, traces_path: Path = TRACES_FILE,
               splits_path: Path = SPLITS_FILE) -> GoldStats:
    """Every labeled trace of the gold set with what the counts need."""
    traces = {t["root_span_id"]: t for t in read_traces(traces_path)}
    splits = read_splits(splits_path)
    stats = GoldStats()
    for item in read_label_rows(labels_path):
        trace = traces.get(item["span_id"], {})
        rule = RULE.search(item.get("explanation") or "")
        stats.rows.append(GoldRow(
            span_id=item["span_id"], label=normalize_label(item["label"]) or item["label"],
            category=trace.get("category") or "-", variant=trace.get("variant"),
            split=splits.get(item["span_id"], "-"), rule=int(rule.group(1)) if rule else None,
            explanation=item.get("explanation") or ""))
    return stats


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def markdown(stats: GoldStats) -> str:
    """The README's tables, exactly as ``gold stats --markdown`` prints them."""
    total = len(stats.rows)
    labels = stats.labels
    parts = [f"{total} labeled traces: " + ", ".join(
        f"{labels[label]} {label} ({labels[label] / total:.0%})" for label in HUMAN_LABELS)
        if total else "No labeled traces."]
    for key, title in (("category", "question category"), ("split", "split"),
                       ("variant", "variant (- = the agent as it is)")):
        rows = [[value, str(c[HELPFUL]), str(c[NOT_HELPFUL]), str(sum(c.values()))]
                for value, c in stats.by(key).items()]
        parts.append(_table([title, HELPFUL, NOT_HELPFUL, "all"], rows))
    rules = stats.rules
    parts.append(_table(["rubric rule", "not_helpful labels it decided"],
                        [[str(rule), str(rules.get(rule, 0))] for rule in range(1, 11)]))
    rates = stats.agent_helpful_rate()
    parts.append(_table(["category", "the agent's own runs: helpful"],
                        [[c, f"{h} of {n} ({h / n:.0%})"] for c, (h, n) in rates.items()]))
    return "\n\n".join(parts) + "\n"
