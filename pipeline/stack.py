"""The local stack: Phoenix, and the local model server when no LLM endpoint is configured.

Both run from their own virtual environments under ``.venvs/`` (``make up`` creates them),
listen on loopback only, and keep PID files and logs under the run directory.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import UserError
from pipeline.services import Service
from pipeline.settings import ROOT, Settings

PHOENIX_PYTHON = ROOT / ".venvs" / "phoenix" / "bin" / "python"
LLM_PYTHON = ROOT / ".venvs" / "llm" / "bin" / "python"
LAUNCHER = Path(__file__).with_name("phoenix_launcher.py")

# Offline start-up prints long, harmless tracebacks without these (see shared notes).
QUIET_ENV = {
    "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
    "PHOENIX_DISABLE_AGENT_ASSISTANT": "true",
    "PHOENIX_ALLOWED_SANDBOX_PROVIDERS": "NONE",
    "PHOENIX_TELEMETRY_ENABLED": "false",
    "PHOENIX_LOG_MIGRATIONS": "false",
}


def phoenix_service(settings: Settings) -> Service:
    """Phoenix with SQLite under the run directory, or PostgreSQL when
    ``PHOENIX_SQL_DATABASE_URL`` is set; HTTP and gRPC both on ``PHOENIX_HOST``."""
    working_dir = settings.phoenix_working_dir
    working_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **QUIET_ENV,
        "PHOENIX_HOST": settings.phoenix_host,
        "PHOENIX_PORT": str(settings.phoenix_port),
        "PHOENIX_GRPC_PORT": str(settings.phoenix_grpc_port),
        "PHOENIX_WORKING_DIR": str(working_dir),
        "PHOENIX_SQL_DATABASE_URL": settings.phoenix_database_url,
    }
    return Service(
        name="phoenix",
        argv=[str(PHOENIX_PYTHON), str(LAUNCHER), "--host", settings.phoenix_host,
              "--port", str(settings.phoenix_port),
              "--grpc-port", str(settings.phoenix_grpc_port)],
        health_url=f"http://{settings.phoenix_host}:{settings.phoenix_port}/healthz",
        host=settings.phoenix_host,
        port=settings.phoenix_port,
        other_ports=(settings.phoenix_grpc_port,),
        run_dir=settings.run_dir,
        env=env,
        start_timeout=180.0,
        hint=" with PHOENIX_PORT (and PHOENIX_GRPC_PORT)",
    )


def llm_service(settings: Settings, model_path: Path) -> Service:
    """The OpenAI-compatible local model server (``local_llm.server``) for ``model_path``."""
    return Service(
        name="llm",
        argv=[str(LLM_PYTHON), "-m", "local_llm.server", "--model", str(model_path),
              "--host", settings.local_llm_host, "--port", str(settings.local_llm_port),
              "--model-name", settings.judge_model_name,
              *(["--threads", str(settings.local_llm_threads)]
                if settings.local_llm_threads else [])],
        health_url=f"http://{settings.local_llm_host}:{settings.local_llm_port}/health",
        host=settings.local_llm_host,
        port=settings.local_llm_port,
        run_dir=settings.run_dir,
        env={"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                         os.environ.get("PYTHONPATH")]))},
        start_timeout=300.0,
        hint=" with LOCAL_LLM_PORT",
    )


def running_phoenix(settings: Settings) -> Iterator[Settings]:
    """Start Phoenix for ``settings``, yield them, and stop it afterwards (a generator for
    fixtures and context managers)."""
    service = phoenix_service(settings)
    service.start()
    try:
        yield settings
    finally:
        service.stop()


def local_model_path(settings: Settings) -> Path:
    """``LOCAL_MODEL_PATH`` if set, else the default model, fetched and verified on first use."""
    from local_llm import weights

    if settings.local_model_path:
        path = Path(settings.local_model_path).expanduser()
        if not path.is_file():
            raise weights.WeightsError(
                f"LOCAL_MODEL_PATH={path} does not exist: point it at a .gguf file or unset it"
            )
        return path
    return weights.fetch()


def start_llm(settings: Settings) -> str:
    """Fetch the model if needed and start the local server."""
    if not LLM_PYTHON.exists():
        raise UserError("the local model runtime is missing: run `make llm` (it builds "
                        "llama-cpp-python once), or set OPENAI_API_KEY to use a hosted model")
    return llm_service(settings, local_model_path(settings)).start()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_settings(run_dir: Path) -> Settings:
    """Settings for a stack of its own (tests, benchmarks): ``run_dir`` and free ports."""
    return Settings(run_dir=run_dir, phoenix_port=free_port(), phoenix_grpc_port=free_port(),
                    local_llm_port=free_port())


def check_database(settings: Settings) -> None:
    """Fail fast, in one line, when ``PHOENIX_SQL_DATABASE_URL`` names an unreachable server."""
    url = settings.phoenix_database_url
    if not url:
        return
    parsed = urlsplit(url)
    if not parsed.scheme.startswith("postgres"):
        raise UserError(f"PHOENIX_SQL_DATABASE_URL={url!r} is not a postgresql:// URL: "
                        "fix it, or unset it to use SQLite")
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5432
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError:
        raise UserError(f"cannot reach PostgreSQL at {host}:{port} from "
                        "PHOENIX_SQL_DATABASE_URL: start the database or fix the URL") from None


def up(settings: Settings, with_llm: bool | None = None) -> list[str]:
    """Start Phoenix, and the local model unless an LLM endpoint is configured."""
    check_database(settings)
    lines = [phoenix_service(settings).start()]
    if settings.uses_local_llm if with_llm is None else with_llm:
        lines.append(start_llm(settings))
    return lines


def down(settings: Settings) -> list[str]:
    """Stop whatever of ours is running; a no-op for what is already stopped."""
    return [llm_service(settings, Path()).stop(), phoenix_service(settings).stop()]


def status(settings: Settings) -> list[str]:
    return [phoenix_service(settings).status(), llm_service(settings, Path()).status()]
