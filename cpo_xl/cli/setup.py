"""What every verb runs on: the Case from --scenario and --assumptions."""

from __future__ import annotations

from pathlib import Path

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS, UserFile, read_user_file

IN_FILE = "assumptions file"  # how read_user_file and the override checks start a message about the file


def load_case(scenario: str | None, path: str | None) -> Case:
    """--scenario, else the file's scenario, else base; the user's TOML (with its typed racks) when given."""
    user = user_file(path) if path else None
    return Case(scenario or (user.scenario if user else None) or "base", user=user)


def user_file(path: str | Path) -> UserFile:
    """An assumptions TOML with every scenario of it checked, not only the one shown: its values and its typed
    racks (a rack year outside the horizon used to fail once the tables were half printed). A problem is one
    line naming the file, and the [scenarios.NAME] section when the bad value is there."""
    user = read_user_file(path)  # its messages name the file and, for TOML syntax, the line and column
    for name in SCENARIOS:
        try:
            Case(name, user=user).rack_series()  # the assumptions validated, then the typed racks
        except CpoError as exc:
            section = f" [scenarios.{name}]" if exc.key and exc.key in dict(user.for_scenario(name)) else ""
            raise CpoError(in_file(path, str(exc), section), key=exc.key) from None
    return user


def in_file(path: str | Path, message: str, section: str = "") -> str:
    """``message`` naming the assumptions file (once: some messages say "assumptions file" without its name)."""
    if message.startswith(f"{IN_FILE} {path}"):
        return message
    if message.startswith(IN_FILE):
        return f"{IN_FILE} {path}{message.removeprefix(IN_FILE)}"
    return f"{IN_FILE} {path}{section}: {message}"
