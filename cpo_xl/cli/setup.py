"""What every verb runs on: the Case from --scenario and --assumptions."""

from __future__ import annotations

from cpo_xl.engine.case import Case
from cpo_xl.engine.inputs import SCENARIOS, read_user_file


def load_case(scenario: str | None, path: str | None) -> Case:
    """--scenario, else the file's scenario, else base; the user's TOML (with its typed racks) when given."""
    user = read_user_file(path) if path else None
    if user:  # every scenario of the file is checked, not only the one shown: a bad bull value is one line now
        for name in SCENARIOS:
            Case(name, user=user).assumptions()
    return Case(scenario or (user.scenario if user else None) or "base", user=user)
