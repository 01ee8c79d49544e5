"""Phoenix as a local process: its own virtual environment, loopback only, SQLite under the
run directory or PostgreSQL when ``PHOENIX_SQL_DATABASE_URL`` is set."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import UserError
from pipeline.settings import ROOT, Settings
from pipeline.stack.service import Service

PHOENIX_PYTHON = ROOT / ".venvs" / "phoenix" / "bin" / "python"
LAUNCHER = Path(__file__).with_name("launch_phoenix.py")

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
    ``PHOENIX_SQL_DATABASE_URL`` is set; HTTP and gRPC both on ``PHOENIX_HOST``. It sees
    only these settings and an allow-listed environment (no API keys: its Playground would
    spend them for anyone who reaches the port)."""
    working_dir = settings.run_dir / "phoenix"
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
        work_dirs=(working_dir,),
        run_dir=settings.run_dir,
        env=env,
        start_timeout=180.0,
        hint=" with PHOENIX_PORT (and PHOENIX_GRPC_PORT)",
        title="Phoenix",
        kind_url=f"http://{settings.phoenix_host}:{settings.phoenix_port}/arize_phoenix_version",
    )


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
