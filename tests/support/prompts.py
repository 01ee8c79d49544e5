"""A test's own copy of the prompt versions people wrote, without any version ``make
align`` committed, so a test's fit is written as the next version (v4)."""

from __future__ import annotations

import shutil
from pathlib import Path

from evaluators.prompt_files import PROMPTS_DIR, load_prompt


def hand_written_prompts(directory: Path) -> Path:
    """Copy ``evaluators/prompts`` into ``directory``, leaving out fitted versions."""
    shutil.copytree(PROMPTS_DIR, directory)
    for path in directory.glob("v*.txt"):
        if load_prompt(path.stem, directory).fitted:
            path.unlink()
    return directory
