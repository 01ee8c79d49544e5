"""The local model server (``local_llm.server``) as a local process, for when no LLM endpoint
is configured: weights fetched and verified on first use, served on loopback."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import UserError
from pipeline.settings import ROOT, Settings
from pipeline.stack.service import Service

LLM_PYTHON = ROOT / ".venvs" / "llm" / "bin" / "python"


def llm_service(settings: Settings, model_path: Path | None = None) -> Service:
    """The OpenAI-compatible local model server for ``model_path``; without one, the model
    is fetched and verified (:func:`local_model_path`) only when the server must start."""
    host, port = settings.local_llm_host, settings.local_llm_port

    def argv() -> list[str]:
        model = model_path if model_path is not None else _model_for_launch(settings)
        return [str(LLM_PYTHON), "-m", "local_llm.server", "--model", str(model),
                "--host", host, "--port", str(port),
                "--model-name", settings.judge_model_name,
                *(["--threads", str(settings.local_llm_threads)]
                  if settings.local_llm_threads else [])]

    return Service(
        name="llm",
        argv=argv,
        health_url=f"http://{host}:{port}/health",
        host=host,
        port=port,
        run_dir=settings.run_dir,
        env={"PYTHONPATH": str(ROOT)},
        start_timeout=300.0,
        hint=" with LOCAL_LLM_PORT",
        title="model server",
        kind_url=f"http://{host}:{port}/v1/models",
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


def _model_for_launch(settings: Settings) -> Path:
    """The model file to serve, once the runtime to serve it is known to be installed."""
    if not LLM_PYTHON.exists():
        raise UserError("the local model runtime is missing: run `make llm` (it builds "
                        "llama-cpp-python once), or set OPENAI_API_KEY to use a hosted model")
    return local_model_path(settings)


def start_llm(settings: Settings) -> str:
    """Start the local server (fetching the model if needed) unless ours already runs or a
    model server answers at its address; a one-line status."""
    return llm_service(settings).start()
