"""Code checks for a checklist judge: what every checklist needs, and the domain's checks as a
plug-in module named by dotted path.

Generic here: the row a check reads and a check (:mod:`.base`), loading a checks module
(:mod:`.modules`), the runner (:meth:`CheckSet.scores`), the combiners (:mod:`.combine`), the
model's reading of a question (:mod:`.extraction`), text helpers (:mod:`.text`), and the
CheckList-style perturbations a judge's verdict must survive (:mod:`.perturb`) with their
count (:mod:`.invariance`). The demo's weather rules are one checks module,
:mod:`evaluators.checks.weather`.

Writing your own checks module
------------------------------
A checks module is any importable Python module that defines ``CHECKS``, a non-empty tuple
of :class:`Check`; ``context(row)`` (computed once per row and handed to every check) and
``READING`` (what the model reads in the question, for ``reading: model``) are optional::

    # myapp/judge_checks.py
    from evaluators.checks import Check, Row
    from evaluators.checks.text import fold

    def apology_only(row: Row, context: None) -> float:
        \"\"\"Says sorry and nothing else.\"\"\"
        return float(fold(row.answer).startswith("sorry") and len(row.answer) < 80)

    def no_order_looked_up(row: Row, context: None) -> float:
        \"\"\"Talks about an order although no tool call looked one up.\"\"\"
        looked_up = any(call.tool == "get_order" for call in row.calls)
        return float("order" in fold(row.answer) and not looked_up)

    CHECKS = (
        Check("apology_only", 4, "apologises instead of answering", apology_only),
        Check("no_order_looked_up", 6, "order facts without a lookup",
              no_order_looked_up, reads_tools=True),
    )

A check returns 1.0 when it sees a failure and 0.0 when it does not (``helpful=True`` marks
one that speaks for helpful instead). ``row.tools`` is the trace's tool record: None when
the example has none, ``()`` when the record shows no call; a check with ``reads_tools=True``
scores 0 on a row without a record. Name the module in a prompt header
(``checks: myapp.judge_checks``) or give it to ``judge-align align --checks
myapp.judge_checks``; it must be importable from where judge-align runs (installed, or on
``PYTHONPATH``). A module that cannot be imported, or defines no checks, is refused in one
line.
"""

from __future__ import annotations

from evaluators.checks.base import Check, CheckSet, Reading, Row
from evaluators.checks.modules import WEATHER, load_checks

__all__ = ["WEATHER", "Check", "CheckSet", "Reading", "Row", "load_checks"]
