"""The local model server (``local_llm.server``) as a local process, for when no LLM endpoint
is configured: weights fetched and verified on first use, served on loopback."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import UserError
from pipeline.settings import ROOT, Settings
from pipeline.stack.service import Service

LLM_PYTHON = ROOT / ".venvs" / "llm" / "bin" / "python"


def llm_service(settings: Settings, model_path: Path) -> Service:
    """The OpenAI-compatible local model server for ``model_path``."""
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
        env={"PYTHONPATH": str(ROOT)},
        start_timeout=300.0,
        hint=" with LOCAL_LLM_PORT",
    )


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
    """Fetch the model if needed and start the local server; a one-line status."""
    if not LLM_PYTHON.exists():
        raise UserError("the local model runtime is missing: run `make llm` (it builds "
                        "llama-cpp-python once), or set OPENAI_API_KEY to use a hosted model")
    return llm_service(settings, local_model_path(settings)).start()
