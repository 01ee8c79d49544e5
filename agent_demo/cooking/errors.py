"""The one error the cooking assistant raises for what its user must fix."""


class CookingError(Exception):
    """A problem the user can fix (a bad file, an option out of range); the message says what."""
