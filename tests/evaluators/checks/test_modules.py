"""Checks modules by dotted path: a user's own module works like the weather one, a module
that cannot be imported or has no checks is refused in one line, and the runner scores
tool-reading checks 0 where there is no tool record."""

from __future__ import annotations

import asyncio
import re
import textwrap
from pathlib import Path

import pytest

import evaluators.checks
from evaluators.checks import Check, CheckSet, Row, load_checks
from evaluators.endpoint import Endpoint
from evaluators.errors import ChecksModuleError, PromptFileError
from evaluators.evidence import ToolCall
from evaluators.modes import make_judge
from evaluators.prompt_files import parse_prompt


def docstring_example() -> str:
    """The example module in the ``evaluators.checks`` docstring, as a file's text."""
    doc = evaluators.checks.__doc__ or ""
    block = doc.split("::\n", 1)[1].split("\nA check returns", 1)[0]
    return textwrap.dedent(block)


def test_the_readme_shows_the_same_example() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Writing a checks module", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert example.strip() == docstring_example().strip()


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    package = tmp_path / "myapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "judge_checks.py").write_text(docstring_example())
    (package / "empty_checks.py").write_text("CHECKS = ()\n")
    (package / "broken_checks.py").write_text("import not_a_module_anywhere\n")
    (package / "perturbed_checks.py").write_text(
        docstring_example() + "\nfrom evaluators.checks.perturb import GENERIC\n"
        "PERTURBATIONS = GENERIC\n")
    (package / "bad_perturbations.py").write_text(
        docstring_example() + "\nPERTURBATIONS = (str.upper,)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    load_checks.cache_clear()
    yield "myapp.judge_checks"
    load_checks.cache_clear()


def test_the_docstring_example_is_a_working_checks_module(user_module: str) -> None:
    checks = load_checks(user_module)
    assert checks.names == ("apology_only", "no_order_looked_up")
    prompt = parse_prompt(f"---\nmode: checklist\nchecks: {user_module}\nreading: wording\n"
                          "---\nCode checks.\n<question>\n{{question}}\n</question>\n",
                          version="v9", path=Path("v9.txt"))
    judge = make_judge(Endpoint("http://127.0.0.1:9/v1", "k", "none"), prompt)

    def verdict(answer: str, tools: list[ToolCall] | None):
        return asyncio.run(judge.judge("Where is my order 42?", answer, tools))

    lookup = [ToolCall("get_order", {"id": 42}, {"status": "shipped"})]
    assert verdict("Your order 42 has shipped.", lookup).label == "helpful"
    unchecked = verdict("Your order 42 has shipped.", [])
    assert unchecked.label == "not_helpful"
    assert unchecked.reason == "checks fired: no_order_looked_up (rule 6)"
    assert verdict("Your order 42 has shipped.", None).label == "helpful"  # no record
    assert verdict("Sorry.", lookup).checks == {"apology_only": 1.0,
                                                "no_order_looked_up": 0.0}


@pytest.mark.parametrize(("path", "message"), [
    ("myapp.not_there", r"checks module 'myapp.not_there' cannot be imported "
                        r"\(ModuleNotFoundError: No module named 'myapp.not_there'\): name an "
                        r"importable module"),
    ("myapp.broken_checks", r"checks module 'myapp.broken_checks' cannot be imported "
                            r"\(ModuleNotFoundError: No module named 'not_a_module_anywhere'\)"),
    ("myapp.empty_checks", r"checks module 'myapp.empty_checks' has no checks: define CHECKS"),
    ("myapp", r"checks module 'myapp' has no checks"),
    ("myapp.bad_perturbations", r"checks module 'myapp.bad_perturbations': PERTURBATIONS must "
                                r"be a tuple of evaluators.checks.perturb.Perturbation"),
    ("", r"checks module '' cannot be imported"),
])
def test_a_module_that_cannot_serve_is_refused_in_one_line(user_module: str, path: str,
                                                           message: str) -> None:
    with pytest.raises(ChecksModuleError, match=message) as caught:
        load_checks(path)
    assert "\n" not in str(caught.value)


def test_a_checklist_version_must_name_its_checks_module() -> None:
    with pytest.raises(PromptFileError, match=re.escape(
            "v9.txt: mode checklist names no checks module: add a header line 'checks: "
            "evaluators.checks.weather' (the demo's weather checks) or your own module's "
            "dotted path")):
        parse_prompt("---\nmode: checklist\n---\n<question>\n{{question}}\n</question>\n",
                     version="v9", path=Path("v9.txt"))
    with pytest.raises(PromptFileError, match="combiner 'sometimes' is unknown"):
        parse_prompt("---\nmode: checklist\nchecks: x\ncombiner: sometimes\n---\n{{question}}",
                     version="v9", path=Path("v9.txt"))


def test_a_version_naming_a_missing_module_fails_when_its_judge_is_made() -> None:
    prompt = parse_prompt("---\nmode: checklist\nchecks: nowhere.checks\nreading: wording\n---\n"
                          "{{question}}\n", version="v9", path=Path("v9.txt"))
    with pytest.raises(ChecksModuleError, match=r"checks module 'nowhere\.checks' cannot be "
                                                "imported"):
        make_judge(Endpoint("http://127.0.0.1:9/v1", "k", "none"), prompt)


def test_tool_reading_checks_score_zero_without_a_record() -> None:
    """No record: the facts cannot be checked. A record of no call is still a record."""
    checks = CheckSet("inline", (
        Check("calls_nothing", 6, "no tool call", lambda row, _: float(not row.calls),
              reads_tools=True),
        Check("short", 10, "a short answer", lambda row, _: float(len(row.answer) < 5)),
    ))
    assert checks.scores(Row("Q?", "A.", None)) == {"calls_nothing": 0.0, "short": 1.0}
    assert checks.scores(Row("Q?", "A.", ())) == {"calls_nothing": 1.0, "short": 1.0}
    called = (ToolCall("lookup", {}, {"x": 1}),)
    assert checks.scores(Row("Q?", "A long answer.", called)) == {"calls_nothing": 0.0,
                                                                  "short": 0.0}


def test_a_module_may_name_the_perturbations_its_judge_must_survive(user_module: str) -> None:
    from evaluators.checks.perturb import GENERIC

    assert load_checks("myapp.perturbed_checks").perturbations == GENERIC
    assert load_checks(user_module).perturbations == ()  # optional
