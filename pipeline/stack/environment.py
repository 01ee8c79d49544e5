"""The environment a local service starts with: an allow-list, never the user's secrets.

Phoenix runs without authentication and its Playground can call a model with a key it finds
in its own environment, so a service that inherited ``OPENAI_API_KEY`` would let anyone who
reaches its port spend that key. Services therefore get only what they need to run (paths,
locale, temporary directory, thread counts) plus the settings the stack sets for them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

# Inherited from the user's environment when set, and nothing else.
INHERITED = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
})
INHERITED_PREFIXES = ("LC_",)
# Names that look like credentials are never inherited, whatever the allow-list says.
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH", re.IGNORECASE)


def inherited(name: str) -> bool:
    """True for a variable a service may take over from the user's environment."""
    allowed = name in INHERITED or name.startswith(INHERITED_PREFIXES)
    return allowed and not SECRET_NAME.search(name)


def service_environment(settings: Mapping[str, str],
                        parent: Mapping[str, str] | None = None) -> dict[str, str]:
    """The allow-listed part of ``parent`` (default: this process's environment) with the
    stack's own ``settings`` for the service on top; empty settings are left out."""
    parent = os.environ if parent is None else parent
    environment = {name: value for name, value in parent.items() if inherited(name)}
    environment.update({name: value for name, value in settings.items() if value})
    return environment
