"""``up``, ``down`` and ``status`` of the local stack: Phoenix, and the local model server
when no LLM endpoint is configured."""

from __future__ import annotations

from pipeline.settings import Settings
from pipeline.stack.model_server import llm_service, start_llm
from pipeline.stack.phoenix_server import check_database, phoenix_service


def up(settings: Settings, with_llm: bool | None = None) -> list[str]:
    """Start Phoenix, and the local model unless an LLM endpoint is configured."""
    check_database(settings)
    lines = [phoenix_service(settings).start()]
    if settings.uses_local_llm if with_llm is None else with_llm:
        lines.append(start_llm(settings))
    return lines


def down(settings: Settings) -> list[str]:
    """Stop whatever of ours is running; a no-op for what is already stopped."""
    return [llm_service(settings).stop(), phoenix_service(settings).stop()]


def status(settings: Settings) -> list[str]:
    """One line per service: stopped, or running with its PID and health."""
    return [phoenix_service(settings).status(), llm_service(settings).status()]
