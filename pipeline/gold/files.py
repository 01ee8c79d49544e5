"""Where one gold set's files live: a folder holding the recorded traces, the labeling
passes, the settled rulings, the final labels and the split.

``gold/`` is the demo's set; a team keeps others beside it (``--dir``), each a folder of
the same shape:

| file | what it holds |
|---|---|
| ``traces.jsonl`` | one recorded trace per line |
| ``labels-pass1.csv`` | the first labeling pass: every trace, the rule that decided |
| ``labels-pass2.csv`` | the blind second pass on a seeded sample |
| ``adjudication.csv`` | a third reader's ruling on each trace the passes disagree on |
| ``labels.csv`` | the final labels: pass 1 with the rulings applied (written, never edited) |
| ``splits.csv`` | the stratified dev/test split |
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UserError
from pipeline.settings import ROOT

GOLD_DIR = ROOT / "gold"


class NoGoldSet(UserError):
    """judge-align runs from an installed package, which does not carry the gold set."""


@dataclass(frozen=True)
class GoldFiles:
    """The files of the gold set in ``root``."""

    root: Path = GOLD_DIR

    def require(self) -> GoldFiles:
        """This set, refused in one line when its folder is not there (the demo's set comes
        with a clone of the repository, not with the installed package)."""
        if not self.root.is_dir():
            where = ("it comes with a clone of the judge-align repository, not with the "
                     "installed package; run this from a clone (with `pip install -e .` or "
                     "`make`)") if self.root == GOLD_DIR else "give an existing folder"
            raise NoGoldSet(f"the gold set ({self.root}) is not here: {where}")
        return self

    @property
    def traces(self) -> Path:
        return self.root / "traces.jsonl"

    @property
    def pass1(self) -> Path:
        return self.root / "labels-pass1.csv"

    @property
    def pass2(self) -> Path:
        return self.root / "labels-pass2.csv"

    @property
    def adjudication(self) -> Path:
        return self.root / "adjudication.csv"

    @property
    def labels(self) -> Path:
        return self.root / "labels.csv"

    @property
    def splits(self) -> Path:
        return self.root / "splits.csv"

    @property
    def superseded(self) -> Path:
        """Labels an earlier labeling wrote, replaced by these passes (kept to compare)."""
        return self.root / "superseded" / "labels.csv"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"

    @property
    def pairs(self) -> Path:
        """A set of question/answer pairs written elsewhere (no traces): the examples with
        their final labels, importable with ``judge-align dataset import``."""
        return self.root / "pairs.jsonl"


DEMO = GoldFiles()
AGENT_BEFORE = GoldFiles(GOLD_DIR / "agent-before")
"""The bank's questions asked of the agent before this round's fixes (labeled, not judged)."""
AGENT_AFTER_PROJECT = "agent-after"
"""The project the same questions were recorded from after the fixes (in :data:`DEMO`)."""
EXTERNAL = GoldFiles(GOLD_DIR / "external")
"""Question/answer pairs written by an annotator in other people's phrasings: never used to
fit or choose a judge, read once per version like the test split."""
