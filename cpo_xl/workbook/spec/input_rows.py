"""The Inputs sheet's assumption rows: one per numeric (or curve-choice) assumption, in the shipped order."""

from __future__ import annotations

from typing import Any

from cpo_xl.engine.inputs import DESCRIPTIVE_FIELDS, SCENARIOS, UserFile, flatten, scenario_values, shipped


def input_rows(scenario: str, user: UserFile | None) -> list[dict[str, Any]]:
    """One row per numeric (or curve-choice) assumption: key, label, unit, bear/base/bull, source, date, grade."""
    _, meta, _ = shipped()
    by_scenario = {s: flatten(scenario_values(s, user)) for s in SCENARIOS}
    comments = dict(user.notes) if user else {}
    rows = []
    for key, base in by_scenario["base"].items():
        if key.rsplit(".", 1)[-1] in DESCRIPTIVE_FIELDS or base is None or isinstance(base, bool):
            continue
        m = meta.get(key)
        rows.append({"key": key, "label": m.label if m else key, "unit": m.unit if m else "",
                     **{s: _number(by_scenario[s][key]) for s in SCENARIOS},
                     "live": _number(by_scenario[scenario][key]),
                     "source": m.source if m else "user file", "date": m.date if m else "",
                     "grade": m.grade if m else "", "comment": comments.get(key, "")})
    return rows


def _number(value: Any) -> Any:
    """Numbers as floats, so a value cached from the shipped TOML and from a pulled file look alike."""
    return value if isinstance(value, str) else float(value)
