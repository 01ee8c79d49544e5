"""Stacks of their own for tests and benchmarks: free ports, a private run directory, a
Phoenix started for the duration of a block, the CLI in a child process, and an HTTP stub."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.settings import Settings
from pipeline.stack import phoenix_service


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_settings(run_dir: Path) -> Settings:
    """Settings for a stack of its own: ``run_dir`` (with the prompts folder inside it, so
    no test reads or writes the checkout's) and free ports."""
    return Settings(run_dir=run_dir, prompts_dir=run_dir / "prompts",
                    phoenix_port=free_port(), phoenix_grpc_port=free_port(),
                    local_llm_port=free_port())


def running_phoenix(settings: Settings) -> Iterator[Settings]:
    """Start Phoenix for ``settings``, yield them, and stop it afterwards (a generator for
    fixtures and context managers)."""
    service = phoenix_service(settings)
    service.start()
    try:
        yield settings
    finally:
        service.stop()


def base_url(settings: Settings) -> str:
    """The Phoenix base URL ``settings`` point at."""
    from pipeline.phoenix.connection import Phoenix

    return Phoenix.at(settings).base_url


def connect(settings: Settings):
    """A checked connection to the Phoenix ``settings`` point at."""
    from pipeline.phoenix.connection import Phoenix

    return Phoenix.connect(settings, timeout=300)


def cli_environment(settings: Settings, **env: str) -> dict[str, str]:
    """The environment of a ``judge-align`` child process pointed at ``settings``'s stack."""
    return {
        **os.environ,
        "JUDGE_ALIGN_RUN_DIR": str(settings.run_dir),
        "PHOENIX_PORT": str(settings.phoenix_port),
        "PHOENIX_GRPC_PORT": str(settings.phoenix_grpc_port),
        **env,
    }


def run_cli(args: list[str], settings: Settings, **env: str) -> subprocess.CompletedProcess:
    """``judge-align ARGS`` in a child process, pointed at the stack of ``settings``."""
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args],
                          env=cli_environment(settings, **env), capture_output=True, text=True,
                          timeout=300)


def start_cli(args: list[str], settings: Settings, **env: str) -> subprocess.Popen:
    """``judge-align ARGS`` started in the background (read it with ``communicate()``)."""
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args],
                            env=cli_environment(settings, **env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@contextmanager
def http_stub(port: int, paths: set[str]) -> Iterator[None]:
    """A tiny HTTP server on 127.0.0.1:``port`` that answers 200 on ``paths`` and 404
    elsewhere: a program that is not the server a service expects, or a stand-in for one."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            known = self.path in paths
            body = b'{"data": []}' if known else b"not here"
            self.send_response(200 if known else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
