"""Where the judge's model lives: any OpenAI-compatible endpoint, and a fast check that it
answers before a long run starts."""

from __future__ import annotations

from dataclasses import dataclass

from evaluators.errors import EndpointError

OPENAI_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible chat endpoint and the model to ask there.

    ``base_url`` None means the SDK's default (api.openai.com). ``unreachable_hint`` is what
    the user should do when the endpoint does not answer (e.g. start the local model)."""

    base_url: str | None
    api_key: str
    model: str
    unreachable_hint: str = "check OPENAI_BASE_URL and your network"
    serves_listed_models_only: bool = False
    """True for a server that answers only the models its ``/models`` lists (the local
    default), so a wrong name is caught before a long run."""

    @property
    def url(self) -> str:
        return (self.base_url or OPENAI_URL).rstrip("/")


def check_endpoint(endpoint: Endpoint, timeout: float = 5.0) -> None:
    """Raise :class:`EndpointError` when the endpoint is down or refuses the key.

    Any other answer (even 404 on ``/models``) counts as reachable: the calls themselves
    report their errors row by row."""
    import httpx

    try:
        response = httpx.get(f"{endpoint.url}/models", timeout=timeout,
                             headers={"Authorization": f"Bearer {endpoint.api_key}"})
    except httpx.HTTPError as error:
        raise EndpointError(f"the judge model endpoint {endpoint.url} is not reachable "
                            f"({type(error).__name__}): {endpoint.unreachable_hint}") from None
    if response.status_code in (401, 403):
        raise EndpointError(f"the judge model endpoint {endpoint.url} refused the API key "
                            f"(HTTP {response.status_code}): check OPENAI_API_KEY")
    if endpoint.serves_listed_models_only and response.status_code == 200:
        served = [m.get("id") for m in response.json().get("data") or []]
        if served and endpoint.model not in served:
            raise EndpointError(f"the model endpoint {endpoint.url} serves {', '.join(served)}, "
                                f"not {endpoint.model!r}: unset JUDGE_MODEL / AGENT_MODEL / "
                                "MODEL, or set OPENAI_BASE_URL to an endpoint that serves it")
