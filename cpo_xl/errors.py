"""The one error type the project raises for bad input."""


class CpoError(ValueError):
    """Bad input: the message names the argument, the bad value and what is allowed."""
