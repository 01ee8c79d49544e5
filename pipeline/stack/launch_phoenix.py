"""Run ``phoenix serve`` with its gRPC collector bound to loopback.

Phoenix binds the OTLP gRPC port as ``[::]:PORT`` (every interface) whatever PHOENIX_HOST
says. This launcher runs inside Phoenix's own virtual environment, rewrites that address to
``PHOENIX_HOST`` before the server starts, and then hands over to Phoenix's normal entry point.
It imports nothing from this project.
"""

import os
import runpy
import sys

# Run as a script, this file's folder would shadow Phoenix's own modules.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(__file__)]

import grpc.aio._server as grpc_aio_server  # noqa: E402

HOST = os.environ.get("PHOENIX_HOST", "127.0.0.1")
_insecure = grpc_aio_server.Server.add_insecure_port
_secure = grpc_aio_server.Server.add_secure_port


def _loopback(address: str) -> str:
    return address.replace("[::]", HOST, 1) if address.startswith("[::]:") else address


def _add_insecure_port(self, address):
    return _insecure(self, _loopback(address))


def _add_secure_port(self, address, credentials):
    return _secure(self, _loopback(address), credentials)


grpc_aio_server.Server.add_insecure_port = _add_insecure_port
grpc_aio_server.Server.add_secure_port = _add_secure_port

if __name__ == "__main__":
    sys.argv = ["phoenix", "serve", *sys.argv[1:]]
    runpy.run_module("phoenix.server.main", run_name="__main__", alter_sys=True)
