"""Shared fixtures: a real Phoenix server per test session (SQLite, and PostgreSQL when the
machine has it), the scripted OpenAI-compatible server, and the real local model server.

Every test that uses a server fixture is marked ``server`` here; tests that start a server
themselves carry the mark explicitly. ``pytest -m "not server"`` (``make test-unit``) runs
the rest, which need neither Phoenix nor the model, in seconds."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import stack
from pipeline.settings import Settings
from pipeline.stack.model_server import LLM_PYTHON
from tests.support.scripted_llm import Reply, ScriptedLLM
from tests.support.stack import free_port, isolated_settings, running_phoenix
from tests.support.system_packages import POSTGRESQL, initdb_paths, skip_reason

# Tests never talk to a hosted API, nor read the developer's own prompts folder, whatever
# their shell exports.
for _name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PHOENIX_SQL_DATABASE_URL",
              "JUDGE_ALIGN_PROMPTS_DIR"):
    os.environ.pop(_name, None)


SERVER_FIXTURES = frozenset({"phoenix", "phoenix_pg", "postgres_url", "local_llm"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a real Phoenix or model server ``server``."""
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)


def fresh_settings(run_dir: Path, **changes: object) -> Settings:
    """Settings for an isolated stack: its own run directory and free ports."""
    return dataclasses.replace(isolated_settings(run_dir), **changes)


start_phoenix = running_phoenix


@pytest.fixture(scope="session")
def phoenix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A real Phoenix on SQLite, shared by the session; tests use unique project names."""
    yield from start_phoenix(fresh_settings(tmp_path_factory.mktemp("phoenix")))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on loopback (Debian's postgresql package)."""
    initdb = initdb_paths()
    if not initdb:
        pytest.skip(skip_reason(POSTGRESQL))
    bin_dir = Path(initdb[-1]).parent
    # Not under pytest's private temp folder: the postgres user must be able to reach it.
    home = Path(tempfile.mkdtemp(prefix="judge-align-pg-"))
    data = home / "data"
    port = free_port()
    user = "postgres"
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(home, user="postgres")
        run_as = ["runuser", "-u", "postgres", "--"]

    def pg(*argv: str) -> None:
        done = subprocess.run([*run_as, *argv], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.strip()}")

    pg(str(bin_dir / "initdb"), "-D", str(data), "-U", user, "--auth=trust")
    pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(home / "log"),
       "-o", f"-h 127.0.0.1 -p {port} -k {home}", "start")
    try:
        pg(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, "phoenix")
        yield f"postgresql://{user}@127.0.0.1:{port}/phoenix"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "stop"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def phoenix_pg(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[Settings]:
    """A real Phoenix on PostgreSQL."""
    settings = fresh_settings(tmp_path_factory.mktemp("phoenix-pg"),
                              phoenix_database_url=postgres_url)
    yield from start_phoenix(settings)


@pytest.fixture
def scripted_llm() -> Iterator[type[ScriptedLLM]]:
    """Start scripted servers with ``with scripted_llm(reply) as server:``."""
    yield ScriptedLLM


def scripted_settings(settings: Settings, server: ScriptedLLM) -> Settings:
    """``settings`` pointed at a scripted endpoint instead of the local model."""
    return dataclasses.replace(settings, openai_base_url=server.base_url,
                               openai_api_key="scripted-key", agent_model="scripted",
                               judge_model="scripted")


@pytest.fixture(scope="session")
def local_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The real default local model served on loopback (slow: loads a 1.1 GB model)."""
    settings = fresh_settings(tmp_path_factory.mktemp("llm"))
    if not LLM_PYTHON.exists():
        pytest.fail("the local model runtime is missing: run `make llm` (or `make test`)")
    service = stack.llm_service(settings, stack.local_model_path(settings))
    service.start()
    try:
        yield settings
    finally:
        service.stop()


__all__ = ["Reply", "free_port", "fresh_settings", "scripted_settings"]
