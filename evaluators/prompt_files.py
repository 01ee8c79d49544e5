"""Judge prompt versions: the files in ``evaluators/prompts/`` are the source of truth.

A file ``v3.txt`` is version ``v3`` (also its tag in Phoenix's prompt store). It may start
with a small header between ``---`` lines (``description: ...``); the rest is the template,
with the fixed rubric first and the ``{{question}}`` / ``{{answer}}`` placeholders last, so
every call shares one long prefix (cheap on a local model that caches it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from evaluators.errors import PromptFileError

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
PLACEHOLDERS = ("question", "answer")
# Phoenix tags allow letters, digits, '-' and '_' (a dot is refused).
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_HEADER_FENCE = "---"


@dataclass(frozen=True)
class PromptFile:
    """One judge prompt version read from disk."""

    version: str
    template: str
    description: str
    path: Path

    def render(self, question: str, answer: str) -> str:
        """The template with the question and answer filled in (one pass: values that
        themselves contain ``{{...}}`` are left alone)."""
        values = {"question": question, "answer": answer}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.template)


def _version_key(version: str) -> tuple[int, str]:
    digits = re.findall(r"\d+", version)
    return (int(digits[0]) if digits else -1, version)


def available_versions(directory: Path = PROMPTS_DIR) -> list[str]:
    """The versions present, in natural order (v1, v2, ..., v10)."""
    names = [p.stem for p in directory.glob("*.txt") if _VERSION_NAME.match(p.stem)]
    return sorted(names, key=_version_key)


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


def parse_prompt(text: str, *, version: str, path: Path) -> PromptFile:
    """Split the optional header from the template and check the placeholders."""
    header: dict[str, str] = {}
    body = text
    lines = text.splitlines()
    if lines and lines[0].strip() == _HEADER_FENCE:
        try:
            end = next(i for i, line in enumerate(lines[1:], 1)
                       if line.strip() == _HEADER_FENCE)
        except StopIteration:
            raise PromptFileError(f"{path}: the header opened by '---' is never closed; add a "
                            "'---' line after it") from None
        for line in lines[1:end]:
            key, sep, value = line.partition(":")
            if sep:
                header[key.strip().lower()] = value.strip()
        body = "\n".join(lines[end + 1:])
    template = body.strip() + "\n"
    found = set(_PLACEHOLDER.findall(template))
    if missing := [p for p in PLACEHOLDERS if p not in found]:
        raise PromptFileError(f"{path}: the template lacks "
                        + " and ".join("{{" + p + "}}" for p in missing)
                        + "; put them at the end of the prompt")
    return PromptFile(version=version, template=template,
                      description=header.get("description", ""), path=path)
