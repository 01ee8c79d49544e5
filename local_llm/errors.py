"""Errors the model engine raises and the server turns into HTTP answers (stdlib only).

They live here, not in :mod:`local_llm.engine`, so the server (and its tests) can name them
without importing llama-cpp-python.
"""


class ContextOverflow(ValueError):
    """The prompt does not fit in the context window."""


class PromptError(ValueError):
    """The chat template refused the conversation (its ``raise_exception``)."""


class Cancelled(Exception):
    """Generation stopped because the client that asked for it went away."""
