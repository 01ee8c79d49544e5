"""A test's own copy of the prompt versions people wrote, without any version ``make
align`` committed, so a test's fit is written as the next version (v4)."""

from __future__ import annotations

import shutil
from pathlib import Path

from evaluators.prompt_files import PROMPTS_DIR
from pipeline.align.write import aligned_versions


def hand_written_prompts(directory: Path) -> Path:
    """Copy ``evaluators/prompts`` into ``directory``, leaving out fitted versions."""
    shutil.copytree(PROMPTS_DIR, directory)
    for fitted in aligned_versions(directory):
        fitted.path.unlink()
    return directory
