"""The winner of ``make align`` as the next prompt version file: the template it judges with
and, in its header, the mode, threshold and weights fitted on the dev rows and where they
came from. Writing the same fit again reuses the version that already holds it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evaluators.prompt_files import (
    PromptFile,
    available_versions,
    load_prompt,
    next_version,
    parse_prompt,
)
from pipeline.align.candidates import Fitted

COMPARED = ("mode", "template", "threshold", "combiner", "weights", "bias", "calls")


def _header_text(fields: dict[str, Any]) -> str:
    lines = []
    for key, value in fields.items():
        if isinstance(value, dict):
            value = json.dumps(value, sort_keys=True)
        lines.append(f"{key}: {value}")
    return "---\n" + "\n".join(lines) + "\n---\n"


def render_version(fitted: Fitted, template: str, *, description: str, fitted_on: str
                   ) -> str:
    """The prompt file's text for ``fitted`` judging with ``template``."""
    fields = {"description": description, **fitted.header(), "fitted": fitted_on}
    return _header_text(fields) + template.strip() + "\n"


def _same(a: PromptFile, b: PromptFile) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in COMPARED)


def aligned_versions(directory: Path) -> list[PromptFile]:
    """The versions ``make align`` wrote (their header says what they were fitted on)."""
    return [p for p in (load_prompt(v, directory) for v in available_versions(directory))
            if p.fitted]


def write_version(text: str, directory: Path) -> tuple[str, bool]:
    """Save ``text`` as the next version, unless an aligned version already holds the same
    fit; return (version, created)."""
    candidate = parse_prompt(text, version="new", path=directory / "new.txt")
    for existing in aligned_versions(directory):
        if _same(existing, candidate):
            return existing.version, False
    version = next_version(directory)
    (directory / f"{version}.txt").write_text(text, encoding="utf-8")
    return version, True
