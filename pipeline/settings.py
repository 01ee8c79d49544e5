"""Every setting of the tool, read from the environment in one place.

Each field names its environment variable; the README lists them all. With neither
``OPENAI_API_KEY`` nor ``OPENAI_BASE_URL`` set, LLM calls go to the local model server that
``make llm`` starts on loopback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import UserError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from evaluators.endpoint import Endpoint

ROOT = Path(__file__).resolve().parents[1]
"""The folder holding the packages: a clone of the repository (its ``gold/`` and the
Makefile's ``.venvs/``) for an editable install, ``site-packages`` otherwise. Run data and
prompt versions never go here: they go under the current directory."""
LOCAL_MODEL_NAME = "qwen2.5-coder-1.5b-instruct"
HOSTED_DEFAULT_MODEL = "gpt-4o-mini"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise UserError(f"{name}={raw!r} is not a whole number: set it to a port or count"
                        ) from None


def _path(name: str, default: str) -> Path:
    """A folder setting, relative ones (the default among them) under the current one."""
    return Path(_env(name, default)).expanduser().absolute()


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; build it with :func:`load`."""

    phoenix_host: str = "127.0.0.1"
    phoenix_port: int = 6006
    phoenix_grpc_port: int = 4317
    phoenix_base_url: str = ""
    phoenix_database_url: str = ""
    run_dir: Path = Path(".run")
    prompts_dir: Path = Path("prompts")
    prompts_dir_explicit: bool = False  # named by JUDGE_ALIGN_PROMPTS_DIR or --prompts-dir
    project: str = "weather-agent"
    dataset: str = "weather-agent-labeled"
    openai_api_key: str = ""
    openai_base_url: str = ""
    agent_model: str = ""
    judge_model: str = ""
    local_llm_host: str = "127.0.0.1"
    local_llm_port: int = 8077
    local_model_path: str = ""
    local_llm_threads: int = 0  # 0: all usable cores

    @property
    def uses_local_llm(self) -> bool:
        """True when no endpoint was configured, so the embedded local model is the default."""
        return not (self.openai_api_key or self.openai_base_url)

    def check_prompts_dir(self) -> None:
        """Refuse a prompts folder named explicitly that does not exist (a typo would
        otherwise read the packaged templates, and ``align`` write beside them)."""
        if self.prompts_dir_explicit and not self.prompts_dir.is_dir():
            raise UserError(f"the prompts folder {self.prompts_dir} (JUDGE_ALIGN_PROMPTS_DIR "
                            "or --prompts-dir) does not exist: fix the path, or make it with "
                            "`judge-align prompts init`")

    @property
    def prompt_versions(self) -> Traversable:
        """Where judge prompt versions are read: the prompts folder once it exists, else the
        packaged templates (v1-v3)."""
        from evaluators.prompt_files import versions_source

        self.check_prompts_dir()
        return versions_source(self.prompts_dir)

    @property
    def local_llm_url(self) -> str:
        return f"http://{self.local_llm_host}:{self.local_llm_port}/v1"

    @property
    def llm_base_url(self) -> str | None:
        """The OpenAI-compatible endpoint; None means the SDK's default (api.openai.com)."""
        if self.uses_local_llm:
            return self.local_llm_url
        return self.openai_base_url or None

    @property
    def llm_api_key(self) -> str:
        return self.openai_api_key or "not-needed-locally"

    @property
    def default_model(self) -> str:
        if self.uses_local_llm:
            return LOCAL_MODEL_NAME
        return HOSTED_DEFAULT_MODEL if not self.openai_base_url else LOCAL_MODEL_NAME

    @property
    def agent_model_name(self) -> str:
        return self.agent_model or self.default_model

    @property
    def judge_model_name(self) -> str:
        return self.judge_model or self.default_model

    def judge_endpoint(self, model: str | None = None) -> Endpoint:
        """Where the judge's calls go (``model`` overrides ``JUDGE_MODEL``)."""
        return self._endpoint(model or self.judge_model_name)

    def agent_endpoint(self) -> Endpoint:
        """Where the demo agent's calls go."""
        return self._endpoint(self.agent_model_name)

    def _endpoint(self, model: str) -> Endpoint:
        from evaluators.endpoint import Endpoint

        hint = ("start the local model with `make llm` (or `make up`)" if self.uses_local_llm
                else "check OPENAI_BASE_URL and your network")
        return Endpoint(base_url=self.llm_base_url, api_key=self.llm_api_key, model=model,
                        unreachable_hint=hint, serves_listed_models_only=self.uses_local_llm)


def load() -> Settings:
    """Read the settings from the environment as it is now."""
    return Settings(
        phoenix_host=_env("PHOENIX_HOST", "127.0.0.1"),
        phoenix_port=_env_int("PHOENIX_PORT", 6006),
        phoenix_grpc_port=_env_int("PHOENIX_GRPC_PORT", 4317),
        phoenix_base_url=_env("PHOENIX_BASE_URL", "").rstrip("/"),
        phoenix_database_url=_env("PHOENIX_SQL_DATABASE_URL", ""),
        run_dir=_path("JUDGE_ALIGN_RUN_DIR", ".run"),
        prompts_dir=_path("JUDGE_ALIGN_PROMPTS_DIR", "prompts"),
        prompts_dir_explicit=bool(_env("JUDGE_ALIGN_PROMPTS_DIR", "")),
        project=_env("JUDGE_ALIGN_PROJECT", "weather-agent"),
        dataset=_env("JUDGE_ALIGN_DATASET", "weather-agent-labeled"),
        openai_api_key=_env("OPENAI_API_KEY", ""),
        openai_base_url=_env("OPENAI_BASE_URL", "").rstrip("/"),
        agent_model=_env("AGENT_MODEL", ""),
        judge_model=_env("JUDGE_MODEL", ""),
        local_llm_host=_env("LOCAL_LLM_HOST", "127.0.0.1"),
        local_llm_port=_env_int("LOCAL_LLM_PORT", 8077),
        local_model_path=_env("LOCAL_MODEL_PATH", ""),
        local_llm_threads=_env_int("LOCAL_LLM_THREADS", 0),
    )
