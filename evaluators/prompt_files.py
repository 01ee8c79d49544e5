"""Judge prompt versions: the ``vN.txt`` files of a prompts folder are the source of truth.

The package ships versions v1-v3 (``evaluators/prompts/``, read through
:mod:`importlib.resources`) as read-only templates, :data:`TEMPLATES`; a user's own versions,
and those ``make align`` writes, live in a prompts folder of their project
(:func:`versions_source`, :func:`copy_templates`).

A file ``v3.txt`` is version ``v3`` (also its tag in Phoenix's prompt store). It may start
with a header between ``---`` lines; the rest is the template. Header keys:

- ``description``: one line on what the version changes;
- ``mode``: how the version judges, one module each in :mod:`evaluators.modes` (``word``,
  the default: the label the model writes; ``probability``; ``checklist``; ``stacked``;
  ``fewshot``), which documents the keys it reads;
- ``threshold``: the decision threshold on P(helpful) (default 0.5);
- ``weights`` (a JSON object of name -> weight) and ``bias``: a fitted combination;
- ``checks``: the dotted path of a checks module (:mod:`evaluators.checks`), e.g.
  ``evaluators.checks.weather``;
- ``combiner``, ``reading``, ``calls``: a checklist's (:mod:`evaluators.modes.checklist`);
- ``fitted``: where the numbers came from (written by ``make align``).

Placeholders: ``{{question}}``, ``{{answer}}`` and, optionally, ``{{tools}}`` (the trace's
tool record, see :mod:`evaluators.evidence`); a mode may fill more (``{{examples}}``).

Sections: lines between a line ``{{#tools}}`` and a line ``{{/tools}}`` are rendered only
for a row that has that evidence; lines between ``{{^tools}}`` and ``{{/tools}}`` only for
a row that has none. A row "has" ``tools`` when it carries a tool record, even a record of
no call (an empty list: "no tool was called" is evidence); it has none when the trace or the
imported file says nothing about tools (None). ``question`` and ``answer`` work the same
(present when not empty). Section tags stand alone on their lines, which are never
rendered; sections may nest. So a prompt shows its ``<tools>`` block, and the lines that
talk about the record, only where there is one.

The row's data goes between tags (``<question>``...``</question>``) with the instruction after
it, so text inside an answer is read as data, never as instructions; a closing tag inside
the data is neutralised. The fixed part comes first so every call shares one long prefix
(cheap on a local model).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from evaluators.errors import PromptFileError
from evaluators.evidence import ToolCall, render_tools

TEMPLATES: Traversable = resources.files(__package__) / "prompts"
"""The versions the package ships (v1-v3): templates, read-only (an install may not be
writable, and a version written there would be lost on the next upgrade)."""
DEFAULT_MODE = "word"
# Phoenix tags allow letters, digits, '-' and '_' (a dot is refused).
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_SECTION = re.compile(r"^\s*\{\{\s*([#^/])\s*(\w+)\s*\}\}\s*$")
EVIDENCE = ("question", "answer", "tools")
"""The placeholders every row fills, which are also the names a section may test."""
_CLOSING_TAG = re.compile(r"</(\s*)(question|answer|tools|examples|example|label)\b",
                          re.IGNORECASE)
_HEADER_FENCE = "---"


def as_data(text: str) -> str:
    """``text`` with closing tags of the prompt's own sections neutralised."""
    return _CLOSING_TAG.sub(lambda m: f"<\\/{m.group(1)}{m.group(2)}", text)


@dataclass(frozen=True)
class PromptFile:
    """One judge prompt version read from disk."""

    version: str
    template: str
    description: str
    path: Traversable
    mode: str = DEFAULT_MODE
    threshold: float = 0.5
    combiner: str = "any"
    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    calls: str = "combined"
    reading: str = "model"
    fitted: str = ""
    checks: str = ""
    header: Mapping[str, str] = field(default_factory=dict)
    """Every header line as written (keys lower case): a mode reads its own keys here."""
    attachments: Mapping[str, Any] = field(default_factory=dict)
    """What a mode keeps beside the file, when already in memory (a few-shot version's
    labeled examples while ``make align`` fits it)."""

    @property
    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER.findall(self.template))

    def render(self, question: str, answer: str = "",
               tools: Sequence[ToolCall] | None = None, **blocks: str) -> str:
        """The template with the row filled in: sections kept or dropped by what the row
        has, then the placeholders filled in one pass (values that themselves contain
        ``{{...}}`` are left alone; closing tags inside them are neutralised). ``blocks``
        fill a mode's own placeholders with text it made safe itself (:func:`as_data`)."""
        values = {"question": as_data(question), "answer": as_data(answer),
                  "tools": as_data(render_tools(None if tools is None else list(tools))),
                  **blocks}
        has = {"question": bool(question), "answer": bool(answer), "tools": tools is not None}
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)),
                               _sections_shown(self.template, has))


def is_section_tag(line: str) -> bool:
    """Whether ``line`` opens or closes a section (``{{#tools}}``, ``{{^tools}}``,
    ``{{/tools}}``)."""
    return _SECTION.match(line) is not None


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


def _check_sections(template: str, path: Traversable) -> None:
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


def available_versions(directory: Traversable = TEMPLATES) -> list[str]:
    """The versions present, in natural order (v1, v2, ..., v10); none in a missing folder."""
    if not directory.is_dir():
        return []
    names = [entry.name.removesuffix(".txt") for entry in directory.iterdir()
             if entry.name.endswith(".txt")]
    return sorted((n for n in names if _VERSION_NAME.match(n)), key=_version_key)


def versions_source(folder: Path) -> Traversable:
    """Where the versions of the prompts folder ``folder`` are read: the folder once it
    exists, else the packaged templates."""
    return folder if folder.is_dir() else TEMPLATES


def copy_templates(folder: Path) -> list[str]:
    """Copy the packaged versions into ``folder`` (made if missing), keeping every file
    already there; return the versions copied."""
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for version in available_versions(TEMPLATES):
        target = folder / f"{version}.txt"
        if not target.exists():
            target.write_text((TEMPLATES / f"{version}.txt").read_text(encoding="utf-8"),
                              encoding="utf-8")
            copied.append(version)
    return copied


def next_version(directory: Traversable = TEMPLATES) -> str:
    """The version after the highest numbered one (``v4`` after ``v3``)."""
    numbers = [_version_key(v)[0] for v in available_versions(directory)]
    return f"v{max([0, *numbers]) + 1}"


def load_prompt(version: str, directory: Traversable = TEMPLATES) -> PromptFile:
    """Read ``<directory>/<version>.txt``; a missing version lists those that exist."""
    version = version.strip()
    path = directory / f"{version}.txt"
    if not _VERSION_NAME.match(version) or not path.is_file():
        existing = ", ".join(available_versions(directory)) or "none"
        if directory == TEMPLATES:
            where = f"the packaged templates ({directory})"
            add = "or add it to a prompts folder of your own (`judge-align prompts init`)"
        else:
            where, add = str(directory), f"or add {version}.txt there"
        raise PromptFileError(f"no judge prompt {version!r} in {where}: choose one of "
                              f"{existing} (e.g. PROMPT=v3), {add}")
    return parse_prompt(path.read_text(encoding="utf-8"), version=version, path=path)


def load_all(directory: Traversable = TEMPLATES) -> list[PromptFile]:
    """Every version in the directory, in natural order."""
    return [load_prompt(v, directory) for v in available_versions(directory)]


def _header(lines: list[str], path: Traversable) -> tuple[dict[str, str], int]:
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


def header_number(header: dict[str, str], key: str, default: float, path: Traversable
                  ) -> float:
    try:
        return float(header.get(key, default))
    except ValueError:
        raise PromptFileError(f"{path}: {key} {header[key]!r} is not a number") from None


def _weights(header: dict[str, str], path: Traversable) -> dict[str, float]:
    if not header.get("weights"):
        return {}
    try:
        weights = json.loads(header["weights"])
        return {str(name): float(value) for name, value in weights.items()}
    except (ValueError, AttributeError, TypeError):
        raise PromptFileError(f"{path}: weights must be a JSON object of name -> number on "
                              "one line") from None


def require_placeholders(prompt: PromptFile, required: Sequence[str]) -> None:
    """Raise when the template lacks one of ``required``."""
    if missing := [p for p in required if p not in prompt.placeholders]:
        raise PromptFileError(f"{prompt.path}: the template lacks "
                              + " and ".join("{{" + p + "}}" for p in missing)
                              + "; add them (between tags, before the instruction)")


def parse_prompt(text: str, *, version: str, path: Traversable) -> PromptFile:
    """Split the header from the template; the version's mode checks its own keys and
    placeholders (:mod:`evaluators.modes`)."""
    from evaluators.modes import mode_named

    lines = text.splitlines()
    header, start = _header(lines, path)
    template = "\n".join(lines[start:]).strip() + "\n"
    mode = mode_named(header.get("mode", DEFAULT_MODE).lower(), path)
    _check_sections(template, path)
    prompt = PromptFile(version=version, template=template,
                        description=header.get("description", ""), path=path, mode=mode.name,
                        threshold=header_number(header, "threshold", 0.5, path),
                        combiner=header.get("combiner", "any").lower(),
                        weights=_weights(header, path),
                        bias=header_number(header, "bias", 0.0, path),
                        calls=header.get("calls", "combined").lower(),
                        reading=header.get("reading", "model").lower(),
                        fitted=header.get("fitted", ""), checks=header.get("checks", ""),
                        header=header)
    mode.check(prompt)
    return prompt
