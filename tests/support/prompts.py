"""A test's own copy of the prompt versions people wrote, without any version ``make
align`` committed, so a test's fit is written as the next version (v4)."""

from __future__ import annotations

import shutil
from pathlib import Path

from evaluators.prompt_files import PROMPTS_DIR
from pipeline.align.write import aligned_versions, side_files


def hand_written_prompts(directory: Path) -> Path:
    """Copy ``evaluators/prompts`` into ``directory``, leaving out fitted versions (and the
    files they keep beside them)."""
    shutil.copytree(PROMPTS_DIR, directory)
    for fitted in aligned_versions(directory):
        for path in side_files(fitted):
            path.unlink()
        fitted.path.unlink()
    return directory
