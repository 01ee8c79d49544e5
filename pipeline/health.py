"""The one health probe: does a server's health endpoint answer 200?"""

from __future__ import annotations

import httpx


def healthy(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` answers 200 within ``timeout`` seconds."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False
