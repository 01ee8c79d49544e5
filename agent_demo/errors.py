"""The demo agent's own error: bad input (a questions file, a variant name); the caller's
command line turns it into one line saying what to do."""


class AgentDemoError(RuntimeError):
    """Bad input to the agent; the message says how to fix it."""
