"""The one connection to Phoenix: its client, its async twin, raw REST, and UI links.

Everything that talks to Phoenix takes a :class:`Phoenix`. Its base URL is worked out here
and nowhere else (from ``PHOENIX_BASE_URL``, or ``PHOENIX_HOST`` and ``PHOENIX_PORT``).
"""

from __future__ import annotations

import time
from functools import cached_property
from typing import TYPE_CHECKING

import httpx

from pipeline.errors import UserError
from pipeline.health import healthy
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import AsyncClient, Client

DEFAULT_TIMEOUT = 60.0


class PhoenixUnreachable(UserError):
    """Phoenix does not answer at the configured address."""


def _base_url(settings: Settings) -> str:
    """Base URL of the Phoenix server (UI, REST and OTLP over HTTP)."""
    return settings.phoenix_base_url or f"http://{settings.phoenix_host}:{settings.phoenix_port}"


class Phoenix:
    """A Phoenix server: ``client`` (``phoenix.client.Client``), ``rest`` (its httpx client,
    for the few calls the client lacks), :meth:`async_client`, and the UI's links."""

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.rest = httpx.Client(base_url=self.base_url, timeout=timeout)

    @classmethod
    def at(cls, settings: Settings, timeout: float = DEFAULT_TIMEOUT) -> Phoenix:
        """The configured Phoenix, not contacted yet (it may be down)."""
        return cls(_base_url(settings), timeout)

    @classmethod
    def connect(cls, settings: Settings, timeout: float = DEFAULT_TIMEOUT) -> Phoenix:
        """A connection to the configured Phoenix, checked to be up."""
        phoenix = cls.at(settings, timeout)
        phoenix.ensure_running()
        return phoenix

    @cached_property
    def client(self) -> Client:
        from phoenix.client import Client

        return Client(base_url=self.base_url, http_client=self.rest)

    def async_client(self) -> AsyncClient:
        """A new ``phoenix.client.AsyncClient`` on the same server (one per event loop)."""
        from phoenix.client import AsyncClient

        return AsyncClient(base_url=self.base_url, http_client=httpx.AsyncClient(
            base_url=self.base_url, timeout=self.timeout))

    def ensure_running(self) -> None:
        """Raise :class:`PhoenixUnreachable` unless Phoenix answers on /healthz."""
        if not healthy(f"{self.base_url}/healthz", timeout=5):
            raise PhoenixUnreachable(
                f"Phoenix is not reachable at {self.base_url}: start it with `make up` (or "
                "set PHOENIX_BASE_URL / PHOENIX_PORT)")

    # --- links into the UI ------------------------------------------------------------------

    def project_url(self, project: str, wait: float = 0.0) -> str:
        """The UI page of ``project`` (the projects list if it does not exist, after waiting
        up to ``wait`` seconds for it to appear, e.g. while Phoenix ingests first spans)."""
        deadline = time.monotonic() + wait
        while True:
            try:
                return f"{self.base_url}/projects/" + str(
                    self.client.projects.get(project_name=project)["id"])
            except (httpx.HTTPError, KeyError, ValueError):
                if time.monotonic() >= deadline:
                    return self.projects_url
                time.sleep(0.5)

    @property
    def projects_url(self) -> str:
        """The UI's list of projects."""
        return f"{self.base_url}/projects"

    def dataset_url(self, dataset_id: str) -> str:
        return f"{self.base_url}/datasets/{dataset_id}/examples"

    def experiments_url(self, dataset_id: str) -> str:
        return f"{self.base_url}/datasets/{dataset_id}/experiments"

    def experiment_url(self, dataset_id: str, experiment_id: str) -> str:
        """The experiment's own page: its runs, their evaluations and trace links."""
        return f"{self.base_url}/datasets/{dataset_id}/experiments/{experiment_id}"

    def compare_url(self, dataset_id: str, experiment_ids: list[str]) -> str:
        query = "&".join(f"experimentId={eid}" for eid in experiment_ids)
        return f"{self.base_url}/datasets/{dataset_id}/compare?{query}"

    def prompt_url(self, prompt_id: str | None, version_id: str | None = None) -> str:
        """A prompt's page, or one of its versions (by ids: the UI does not resolve names);
        the prompts list when the prompt is unknown."""
        if prompt_id is None:
            return f"{self.base_url}/prompts"
        page = f"{self.base_url}/prompts/{prompt_id}"
        return f"{page}/versions/{version_id}" if version_id else page

    @property
    def ui_url(self) -> str:
        return self.base_url
