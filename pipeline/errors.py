"""The one exception type that reaches the user as a single line saying what to do."""


class UserError(RuntimeError):
    """Bad input or a missing prerequisite; the message tells the user how to fix it."""
