"""Connecting to Phoenix: the client, the UI links, and a clear error when it is not running."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from pipeline.errors import UserError
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import AsyncClient, Client


def ensure_running(settings: Settings) -> None:
    """Raise UserError unless Phoenix answers on /healthz."""
    try:
        ok = httpx.get(f"{settings.phoenix_url}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        ok = False
    if not ok:
        raise UserError(f"Phoenix is not reachable at {settings.phoenix_url}: start it with "
                        "`make up` (or set PHOENIX_BASE_URL / PHOENIX_PORT)")


def client(settings: Settings, timeout: float = 60.0) -> Client:
    """A ``phoenix.client.Client`` for the configured server, checked to be up."""
    from phoenix.client import Client

    ensure_running(settings)
    return Client(base_url=settings.phoenix_url, http_client=httpx.Client(
        base_url=settings.phoenix_url, timeout=timeout))


def async_client(settings: Settings, timeout: float = 60.0) -> AsyncClient:
    """The async twin of :func:`client`."""
    from phoenix.client import AsyncClient

    ensure_running(settings)
    return AsyncClient(base_url=settings.phoenix_url, http_client=httpx.AsyncClient(
        base_url=settings.phoenix_url, timeout=timeout))


def project_url(settings: Settings, client: Client, project: str) -> str:
    """The UI page of ``project`` (falls back to the projects list if it does not exist)."""
    try:
        project_id = client.projects.get(project_name=project)["id"]
    except Exception:
        return f"{settings.phoenix_url}/projects"
    return f"{settings.phoenix_url}/projects/{project_id}"


def dataset_url(settings: Settings, dataset_id: str) -> str:
    return f"{settings.phoenix_url}/datasets/{dataset_id}/examples"


def experiments_url(settings: Settings, dataset_id: str) -> str:
    return f"{settings.phoenix_url}/datasets/{dataset_id}/experiments"


def compare_url(settings: Settings, dataset_id: str, experiment_ids: list[str]) -> str:
    query = "&".join(f"experimentId={eid}" for eid in experiment_ids)
    return f"{settings.phoenix_url}/datasets/{dataset_id}/compare?{query}"
