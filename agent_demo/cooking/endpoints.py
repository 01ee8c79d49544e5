"""Where the app's calls go, read from its arguments and the environment as a user's app
reads them.

The model: ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` (the ``openai`` SDK's own variables).
With neither set, the project's local model server on :data:`LOCAL_BASE_URL` serving
:data:`LOCAL_MODEL`; with only a key, OpenAI itself with :data:`HOSTED_MODEL`.
``OPENAI_MODEL`` or ``--model`` names another model.

Phoenix: ``--phoenix`` or ``PHOENIX_COLLECTOR_ENDPOINT`` (Phoenix's own variable), as a base
URL (``http://127.0.0.1:6006``) or the full ``.../v1/traces``; spans are always sent over
OTLP/HTTP to ``<base>/v1/traces`` (with only the variable set and no ``endpoint`` argument,
``phoenix.otel.register`` would pick gRPC on port 4317).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LOCAL_BASE_URL = "http://127.0.0.1:8077/v1"
LOCAL_MODEL = "qwen2.5-coder-1.5b-instruct"
LOCAL_API_KEY = "not-needed-locally"
HOSTED_MODEL = "gpt-4o-mini"
DEFAULT_PHOENIX = "http://127.0.0.1:6006"
TRACES_PATH = "/v1/traces"


@dataclass(frozen=True)
class ModelEndpoint:
    """An OpenAI-compatible endpoint (``base_url`` None: OpenAI's own)."""

    base_url: str | None
    api_key: str
    model: str

    @property
    def where(self) -> str:
        return self.base_url or "OpenAI"

    @property
    def unreachable_hint(self) -> str:
        """What to do when nothing answers at :attr:`where`."""
        if self.base_url == LOCAL_BASE_URL:
            return ("start the local model with `make llm` (or `make up`), or set "
                    "OPENAI_BASE_URL / OPENAI_API_KEY")
        return "check OPENAI_BASE_URL and your network"


def model_endpoint(env: Mapping[str, str], model: str | None = None) -> ModelEndpoint:
    """The endpoint the environment ``env`` names; ``model`` overrides the default model."""
    base_url = env.get("OPENAI_BASE_URL", "").strip().rstrip("/") or None
    api_key = env.get("OPENAI_API_KEY", "").strip()
    model = model or env.get("OPENAI_MODEL", "").strip() or None
    if base_url is None and not api_key:
        return ModelEndpoint(LOCAL_BASE_URL, LOCAL_API_KEY, model or LOCAL_MODEL)
    hosted = base_url is None
    return ModelEndpoint(base_url, api_key or LOCAL_API_KEY,
                         model or (HOSTED_MODEL if hosted else LOCAL_MODEL))


def phoenix_base_url(env: Mapping[str, str], given: str | None = None) -> str:
    """Phoenix's base URL from ``given`` or ``PHOENIX_COLLECTOR_ENDPOINT`` (a trailing
    ``/v1/traces`` dropped), else :data:`DEFAULT_PHOENIX`."""
    url = (given or env.get("PHOENIX_COLLECTOR_ENDPOINT", "")).strip().rstrip("/")
    return url.removesuffix(TRACES_PATH).rstrip("/") or DEFAULT_PHOENIX
