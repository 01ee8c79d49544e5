"""Judge prompt versions: the files in ``evaluators/prompts/`` are the source of truth.

A file ``v3.txt`` is version ``v3`` (also its tag in Phoenix's prompt store). It may start
with a header between ``---`` lines; the rest is the template. Header keys:

- ``description``: one line on what the version changes;
- ``mode``: ``word`` (the label the model writes; the default), ``probability`` (helpful
  when P(helpful) from the label token's log-probabilities reaches ``threshold``) or
  ``checklist`` (code checks and the model's reading of the question, weighed by
  ``weights`` and ``bias``; see :mod:`evaluators.checklist`);
- ``threshold``: the decision threshold on P(helpful) (default 0.5);
- ``weights`` (a JSON object of check -> weight) and ``bias``: a checklist's fitted
  combination; ``combiner``: ``logistic`` (those weights) or ``any`` (not_helpful when any
  failure check fires); ``reading``: ``model`` (the model reads the question, code merges
  its reading with the wording) or ``wording`` (code reads the wording alone: no model
  call); ``calls``: ``combined`` (one call reads the question) or ``separate`` (one call
  per thing read);
- ``fitted``: where the numbers came from (written by ``make align``).

Placeholders: ``{{question}}``, ``{{answer}}`` and, optionally, ``{{tools}}`` (the trace's
tool record, see :mod:`evaluators.evidence`).

Sections: lines between a line ``{{#tools}}`` and a line ``{{/tools}}`` are rendered only
for a row that has that evidence; lines between ``{{^tools}}`` and ``{{/tools}}`` only for
a row that has none. A row "has" ``tools`` when it carries a tool record, even a record of
no call (an empty list: "no tool was called" is evidence); it has none when the trace or the
imported file says nothing about tools (None). ``question`` and ``answer`` work the same
(present when not empty). Section tags stand alone on their lines, which are never
rendered; sections may nest. So a prompt shows its ``<tools>`` block, and the lines that
talk about the record, only where there is one.

The row's data goes between tags
(``<question>``...``</question>``) with the instruction after it, so text inside an answer
is read as data, never as instructions; a closing tag inside the data is neutralised. The
fixed part comes first so every call shares one long prefix (cheap on a local model).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evaluators.errors import PromptFileError
from evaluators.evidence import ToolCall, render_tools

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
WORD, PROBABILITY, CHECKLIST = "word", "probability", "checklist"
MODES = (WORD, PROBABILITY, CHECKLIST)
REQUIRED = {WORD: ("question", "answer"), PROBABILITY: ("question", "answer"),
            CHECKLIST: ("question",)}
# Phoenix tags allow letters, digits, '-' and '_' (a dot is refused).
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_SECTION = re.compile(r"^\s*\{\{\s*([#^/])\s*(\w+)\s*\}\}\s*$")
EVIDENCE = ("question", "answer", "tools")
"""The placeholders, which are also the names a section may test."""
_CLOSING_TAG = re.compile(r"</(\s*)(question|answer|tools)\b", re.IGNORECASE)
_HEADER_FENCE = "---"


def _as_data(text: str) -> str:
    """``text`` with closing tags of the prompt's own sections neutralised."""
    return _CLOSING_TAG.sub(lambda m: f"<\\/{m.group(1)}{m.group(2)}", text)


@dataclass(frozen=True)
class PromptFile:
    """One judge prompt version read from disk."""

    version: str
    template: str
    description: str
    path: Path
    mode: str = WORD
    threshold: float = 0.5
    combiner: str = "any"
    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    calls: str = "combined"
    reading: str = "model"
    fitted: str = ""

    def render(self, question: str, answer: str = "",
               tools: Sequence[ToolCall] | None = None) -> str:
        """The template with the row filled in: sections kept or dropped by what the row
        has, then the placeholders filled in one pass (values that themselves contain
        ``{{...}}`` are left alone; closing tags inside them are neutralised)."""
        values = {"question": _as_data(question), "answer": _as_data(answer),
                  "tools": _as_data(render_tools(None if tools is None else list(tools)))}
        has = {"question": bool(question), "answer": bool(answer), "tools": tools is not None}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)),
                                _sections_shown(self.template, has))


def _sections_shown(template: str, has: dict[str, bool]) -> str:
    """``template`` without its section tag lines and without the sections ``has`` rules
    out (the template's sections were checked when it was read)."""
    kept: list[str] = []
    shown: list[bool] = []
    for line in template.splitlines(keepends=True):
        if tag := _SECTION.match(line):
            kind, name = tag.groups()
            if kind == "/":
                shown.pop()
            else:
                shown.append(has.get(name, False) == (kind == "#"))
        elif all(shown):
            kept.append(line)
    return "".join(kept)


def _check_sections(template: str, path: Path) -> None:
    """Raise PromptFileError for a section of an unknown name or one left open or closed
    out of turn."""
    open_sections: list[tuple[str, int]] = []
    for number, line in enumerate(template.splitlines(), 1):
        if not (tag := _SECTION.match(line)):
            continue
        kind, name = tag.groups()
        if name not in EVIDENCE:
            raise PromptFileError(f"{path}: template line {number}: section {{{{{kind}{name}}}}}"
                                  f" names no evidence; use one of {', '.join(EVIDENCE)}")
        if kind != "/":
            open_sections.append((name, number))
        elif not open_sections or open_sections[-1][0] != name:
            expected = f"{{{{/{open_sections[-1][0]}}}}}" if open_sections else "no closing tag"
            raise PromptFileError(f"{path}: template line {number}: {{{{/{name}}}}} closes no "
                                  f"open section here (expected {expected})")
        else:
            open_sections.pop()
    if open_sections:
        name, number = open_sections[-1]
        raise PromptFileError(f"{path}: template line {number}: the section {name!r} is never "
                              f"closed; add a line {{{{/{name}}}}}")


def _version_key(version: str) -> tuple[int, str]:
    digits = re.findall(r"\d+", version)
    return (int(digits[0]) if digits else -1, version)


def available_versions(directory: Path = PROMPTS_DIR) -> list[str]:
    """The versions present, in natural order (v1, v2, ..., v10)."""
    names = [p.stem for p in directory.glob("*.txt") if _VERSION_NAME.match(p.stem)]
    return sorted(names, key=_version_key)


def next_version(directory: Path = PROMPTS_DIR) -> str:
    """The version after the highest numbered one (``v4`` after ``v3``)."""
    numbers = [_version_key(v)[0] for v in available_versions(directory)]
    return f"v{max([0, *numbers]) + 1}"


def load_prompt(version: str, directory: Path = PROMPTS_DIR) -> PromptFile:
    """Read ``<directory>/<version>.txt``; a missing version lists those that exist."""
    version = version.strip()
    path = directory / f"{version}.txt"
    if not _VERSION_NAME.match(version) or not path.is_file():
        existing = ", ".join(available_versions(directory)) or "none"
        raise PromptFileError(f"no judge prompt {version!r} in {directory}: choose one of "
                              f"{existing} (e.g. PROMPT=v3), or add {version}.txt there")
    return parse_prompt(path.read_text(encoding="utf-8"), version=version, path=path)


def load_all(directory: Path = PROMPTS_DIR) -> list[PromptFile]:
    """Every version in the directory, in natural order."""
    return [load_prompt(v, directory) for v in available_versions(directory)]


def _header(lines: list[str], path: Path) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != _HEADER_FENCE:
        return {}, 0
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == _HEADER_FENCE)
    except StopIteration:
        raise PromptFileError(f"{path}: the header opened by '---' is never closed; add a "
                              "'---' line after it") from None
    header = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if sep:
            header[key.strip().lower()] = value.strip()
    return header, end + 1


def _number(header: dict[str, str], key: str, default: float, path: Path) -> float:
    try:
        return float(header.get(key, default))
    except ValueError:
        raise PromptFileError(f"{path}: {key} {header[key]!r} is not a number") from None


def _weights(header: dict[str, str], path: Path) -> dict[str, float]:
    if not header.get("weights"):
        return {}
    try:
        weights = json.loads(header["weights"])
        return {str(name): float(value) for name, value in weights.items()}
    except (ValueError, AttributeError, TypeError):
        raise PromptFileError(f"{path}: weights must be a JSON object of check -> number on "
                              "one line") from None


def parse_prompt(text: str, *, version: str, path: Path) -> PromptFile:
    """Split the header from the template and check the mode and the placeholders."""
    lines = text.splitlines()
    header, start = _header(lines, path)
    template = "\n".join(lines[start:]).strip() + "\n"
    mode = header.get("mode", WORD).lower()
    if mode not in MODES:
        raise PromptFileError(f"{path}: mode {mode!r} is unknown: use one of {', '.join(MODES)}")
    _check_sections(template, path)
    found = set(_PLACEHOLDER.findall(template))
    if missing := [p for p in REQUIRED[mode] if p not in found]:
        raise PromptFileError(f"{path}: the template lacks "
                              + " and ".join("{{" + p + "}}" for p in missing)
                              + "; add them (between tags, before the instruction)")
    return PromptFile(version=version, template=template,
                      description=header.get("description", ""), path=path, mode=mode,
                      threshold=_number(header, "threshold", 0.5, path),
                      combiner=header.get("combiner", "any").lower(),
                      weights=_weights(header, path), bias=_number(header, "bias", 0.0, path),
                      calls=header.get("calls", "combined").lower(),
                      reading=header.get("reading", "model").lower(),
                      fitted=header.get("fitted", ""))
