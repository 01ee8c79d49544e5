"""Local processes: Phoenix and the model server, each from its own virtual environment,
on loopback, with PID files and logs under the run directory."""

from pipeline.stack.control import down, status, up
from pipeline.stack.model_server import llm_service, local_model_path, start_llm
from pipeline.stack.phoenix_server import phoenix_service
from pipeline.stack.service import Service, ServiceError

__all__ = ["Service", "ServiceError", "down", "llm_service", "local_model_path",
           "phoenix_service", "start_llm", "status", "up"]
