"""The winner of ``make align`` as the next prompt version file: the template it judges with
and, in its header, the mode and what was fitted on the dev rows and where it came from,
with the files its mode keeps beside it (a few-shot version's labeled examples). Writing the
same fit again reuses the version that already holds it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evaluators.modes.base import Fitted
from evaluators.prompt_files import (
    PromptFile,
    available_versions,
    load_prompt,
    next_version,
    parse_prompt,
)

NOT_THE_FIT = ("description", "fitted")
"""Header keys that describe a fit without being part of it."""


def _header_text(fields: dict[str, Any]) -> str:
    lines = []
    for key, value in fields.items():
        if isinstance(value, dict):
            value = json.dumps(value, sort_keys=True)
        lines.append(f"{key}: {value}")
    return "---\n" + "\n".join(lines) + "\n---\n"


def render_version(fitted: Fitted, *, description: str, fitted_on: str) -> str:
    """The prompt file's text for ``fitted``."""
    fields = {"description": description, **fitted.header(), "fitted": fitted_on}
    return _header_text(fields) + fitted.template().strip() + "\n"


def _fit(prompt: PromptFile) -> tuple[dict[str, str], str]:
    return ({k: v for k, v in prompt.header.items() if k not in NOT_THE_FIT},
            prompt.template)


def _same_files(existing: PromptFile, files: Mapping[str, str]) -> bool:
    for name, text in files.items():
        path = existing.path.with_name(f"{existing.version}.{name}")
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            return False
    return True


def aligned_versions(directory: Path) -> list[PromptFile]:
    """The versions ``make align`` wrote (their header says what they were fitted on)."""
    return [p for p in (load_prompt(v, directory) for v in available_versions(directory))
            if p.fitted]


def side_files(prompt: PromptFile) -> list[Path]:
    """The files a version keeps beside it (``vN.examples.jsonl``...)."""
    return sorted(p for p in prompt.path.parent.glob(f"{prompt.version}.*")
                  if p != prompt.path)


def write_version(text: str, directory: Path, files: Mapping[str, str] | None = None
                  ) -> tuple[str, bool]:
    """Save ``text`` as the next version (and ``files`` beside it, first), unless an aligned
    version already holds the same fit; return (version, created)."""
    files = files or {}
    candidate = parse_prompt(text, version="new", path=directory / "new.txt")
    for existing in aligned_versions(directory):
        if _fit(existing) == _fit(candidate) and _same_files(existing, files):
            return existing.version, False
    version = next_version(directory)
    for name, content in files.items():
        (directory / f"{version}.{name}").write_text(content, encoding="utf-8")
    (directory / f"{version}.txt").write_text(text, encoding="utf-8")
    return version, True
