"""Errors raised by the judge's own code; the CLI turns each into one line saying what to do."""


class EvaluatorError(RuntimeError):
    """Base class: the message says what went wrong and how to fix it."""


class PromptFileError(EvaluatorError):
    """A judge prompt version is missing or malformed."""


class EndpointError(EvaluatorError):
    """The judge's OpenAI-compatible endpoint is unreachable or refuses the key."""


class ChecksModuleError(EvaluatorError):
    """A checklist's checks module cannot be imported, or defines no checks."""
