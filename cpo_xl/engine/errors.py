"""The one error type the project raises for bad input, and how a Ctrl-C ends a command."""

INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a program Ctrl-C stopped
INTERRUPTED_LINE = "cpo-xl: interrupted; no file was left half-written"


class CpoError(ValueError):
    """Bad input: the message names the argument, the bad value and what is allowed.

    ``key`` is the dotted assumption key at fault when there is one (so a caller can name the cell).
    """

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def number_text(value: float) -> str:
    """A number as a message shows it: short (``:g``, 1e+09) unless that rounds it, then to 15 significant
    digits (1.0000001, not 1: a refusal must not print a value that looks allowed)."""
    text = f"{value:g}"
    return text if float(text) == value else f"{value:.15g}"
