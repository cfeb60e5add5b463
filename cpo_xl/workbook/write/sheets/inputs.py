"""The Inputs sheet: the case cells, rack overrides, every assumption (bear/base/bull) and curves."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from cpo_xl.engine.assumptions import rule as assumption_rule
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import notes
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write.sheets.common import NOTE_SIZE, fit_row
from cpo_xl.workbook.write.style import Guard, Styles, number_guard


def _case_cells(ws: Any, st: Styles, keys: tuple[str, str]) -> None:
    """The two CPO_CASE cells every model block reads: forecast racks (case_forecast), racks used (case_key)."""
    ws.write_string(L.INPUTS_CASE_ROW, L.LABEL_COL, "Model case keys (C, D: hidden)", st.bold)
    ws.write_string(L.INPUTS_CASE_ROW, L.UNIT_COL, "key", st.unit)
    st.formula(ws, L.INPUTS_CASE_ROW, L.CASE_FORECAST_COL, "=CPO_CASE(assumptions,scenario)", st.case_key, keys[0])
    st.formula(ws, L.INPUTS_CASE_ROW, L.CASE_KEY_COL, "=CPO_CASE(case_forecast,scenario,rack_units)", st.case_key,
              keys[1])


def _rack_rows(ws: Any, st: Styles, racks: dict[int, float], forecast: dict[int, float],
               overrides: dict[int, float], forecast_row: int, person_notes: dict[int, str]) -> None:
    """Years, racks used (= typed override, else the scenario forecast), the override row, and the forecast
    from the engine (one CPO_LINES block: the one implementation of the racks.* inputs)."""
    ws.write_string(L.INPUTS_YEARS_ROW - 1, L.LABEL_COL,
                    "NVIDIA rack-scale systems by year, NVL72-equivalents (drive every "
                    "sheet)", st.section)
    labels = {L.INPUTS_YEARS_ROW: ("Year", "year"),
              L.INPUTS_RACKS_ROW: ("NVIDIA racks used (override, else forecast)", "NVL72-eq racks"),
              L.INPUTS_RACKS_OVERRIDE_ROW: ("Racks override (fixed in this copy)" if st.static else
                                            "Racks override (optional input)", "NVL72-eq racks"),
              L.INPUTS_RACKS_FORECAST_ROW: ("Scenario rack forecast: min(demand, envelopes)", "NVL72-eq racks")}
    for row, (label, unit) in labels.items():
        # the forecast row's key sits in C: its label and unit wrap in A and B instead of running under it (cut)
        wrapped = row == L.INPUTS_RACKS_FORECAST_ROW
        ws.write_string(row, L.LABEL_COL, label, st.head_left if row == L.INPUTS_YEARS_ROW else
                        st.wrap_low if wrapped else None)
        ws.write_string(row, L.UNIT_COL, unit, st.head_left if row == L.INPUTS_YEARS_ROW else
                        st.unit_wrap if wrapped else st.unit)
        if wrapped:
            fit_row(ws, row, [(label, L.INPUT_WIDTHS[L.LABEL_COL]), (unit, L.INPUT_WIDTHS[L.UNIT_COL])])
    ws.write_string(L.INPUTS_RACKS_FORECAST_ROW, L.INPUTS_RACKS_KEY_COL, "rack_forecast", st.key)
    for year in YEARS:  # a link to the Engine's forecast block
        col = L.year_col(year)
        ws.write_formula(L.INPUTS_RACKS_FORECAST_ROW, col, f"={L.ENGINE}!" + xl_rowcol_to_cell(
            forecast_row, col, row_abs=True, col_abs=True), st.number("#,##0", link=True), forecast[year])
    for year in YEARS:
        col = L.year_col(year)
        c = xl_col_to_name(col)
        ws.write_number(L.INPUTS_YEARS_ROW, col, year, st.head)
        if year in overrides:
            ws.write_number(L.INPUTS_RACKS_OVERRIDE_ROW, col, overrides[year], st.input)
        else:
            ws.write_blank(L.INPUTS_RACKS_OVERRIDE_ROW, col, None, st.input)
        st.guard(ws, L.INPUTS_RACKS_OVERRIDE_ROW, col, number_guard(
            "decimal", 0, 1e9, title=f"NVIDIA racks {year}", message=f"Unit: NVL72-eq racks in {year}. Allowed: "
            "0 to 1e9, or blank for the scenario forecast.", note=person_notes.get(year) or notes.rack_note(year)))
        over, fc = f"{c}{L.INPUTS_RACKS_OVERRIDE_ROW + 1}", f"{c}{L.INPUTS_RACKS_FORECAST_ROW + 1}"
        st.formula(ws, L.INPUTS_RACKS_ROW, col, f'=IF({over}="",{fc},{over})', st.number("#,##0"), racks[year])


def write_inputs(ws: Any, wb: Any, st: Styles, rows: list[dict[str, Any]], scenario: str,
                 racks: dict[int, float], forecast: dict[int, float], overrides: dict[int, float],
                 master: float, keys: tuple[str, str], forecast_row: int,
                 person_notes: dict[tuple[str, str], str]) -> None:
    """The Inputs sheet; ``person_notes``: (column, key or rack year) -> a note pull carried (notes.by_cell)."""
    # a short title and the note under it, wrapped in column A: both print whole on the second page across,
    # which repeats only column A (the long title was cut there: 'Inputs: every assumption (PM ')
    ws.write_string(L.TITLE_ROW, L.LABEL_COL, "Inputs: every assumption", st.title)
    note = ("PM copy: fixed values; the scenario cell C4 switches every number." if st.static else
            "Yellow cells are inputs.")
    ws.write_string(L.INPUTS_NOTE_ROW, L.LABEL_COL, note, st.note)
    fit_row(ws, L.INPUTS_NOTE_ROW, [(note, L.INPUT_WIDTHS[L.KEY_C])])
    st.master_check_row(ws, master)
    ws.write_string(L.INPUTS_SCENARIO_ROW, L.LABEL_COL, "Scenario (bear / base / bull)", st.bold)
    ws.write_string(L.INPUTS_SCENARIO_ROW, L.INPUTS_SCENARIO_COL, scenario, st.control)
    st.guard(ws, L.INPUTS_SCENARIO_ROW, L.INPUTS_SCENARIO_COL, Guard(
        {"validate": "list", "source": list(SCENARIOS)}, "Scenario", "One of bear, base, bull: the column of the "
        "assumptions every model sheet uses" + (" (this copy holds all three)." if st.static else "."),
        "Scenario shown: bear, base or bull (scenarios.toml: bear and bull are overrides of base). "
        + ("PM copy: switching it switches every number (precomputed values)." if st.static else
           "Switches every model sheet; the Scenarios sheet shows all three.")), control=True)
    _case_cells(ws, st, keys)
    _rack_rows(ws, st, racks, forecast, overrides, forecast_row,
               {int(k): t for (c, k), t in person_notes.items() if c == notes.RACKS})
    ws.write_row(L.INPUTS_TABLE_HEADER_ROW, L.LABEL_COL, L.INPUT_COLUMNS, st.head_left)
    scen_header = xl_rowcol_to_cell(L.INPUTS_TABLE_HEADER_ROW, L.BEAR_C, row_abs=True, col_abs=True) + ":" + \
        xl_rowcol_to_cell(L.INPUTS_TABLE_HEADER_ROW, L.BULL_C, row_abs=True, col_abs=True)
    for i, item in enumerate(rows):
        r = L.INPUTS_FIRST_KEY_ROW + i
        ws.write_string(r, L.KEY_C, item["key"], st.key)
        ws.write_formula(r, L.LIVE_C, f"=INDEX({xl_rowcol_to_cell(r, L.BEAR_C)}:{xl_rowcol_to_cell(r, L.BULL_C)},"
                                      f"MATCH(scenario,{scen_header},0))",
                         st.number(L.input_number_format(item["live"])), item["live"])
        for text_col, field in ((L.LABEL_C, "label"), (L.UNIT_C, "unit"), (L.SOURCE_C, "source"),
                                (L.DATE_C, "date"), (L.GRADE_C, "grade"), (L.COMMENT_C, "comment")):
            ws.write_string(r, text_col, str(item[field]), st.wrap_low if text_col in L.INPUT_WRAPPED else None)
        fit_row(ws, r, [(str(item[f]), L.INPUT_WIDTHS[c]) for c, f in ((L.LABEL_C, "label"), (L.SOURCE_C, "source"))])
        for s in SCENARIOS:
            st.value(ws, r, L.SCENARIO_COLS[s], item[s],
                     st.input if isinstance(item[s], str) else st.input_number(L.input_number_format(item[s])))
            st.guard(ws, r, L.SCENARIO_COLS[s], input_guard(item, person_notes.get((s, item["key"]))))
        for c, column in enumerate(L.INPUT_COLUMNS):  # a person's notes on the row's other cells
            if column not in L.SCENARIO_COLS and (column, item["key"]) in person_notes:
                ws.write_comment(r, c, person_notes[(column, item["key"])], NOTE_SIZE)
    ws.freeze_panes(L.INPUTS_FIRST_KEY_ROW, 2)
    for col, width in enumerate(L.INPUT_WIDTHS):
        ws.set_column(col, col, width, st.wrap_low if col in L.INPUT_WRAPPED else None)
    ws.set_column(len(L.INPUT_COLUMNS), L.LAST_YEAR_COL, L.INPUT_RACK_WIDTH)


def input_guard(item: dict[str, Any], note: str | None = None) -> Guard:
    """Validation from the schema's type and bounds of the row's key, and its source, date and grade as a note
    (or a person's own note on the cell, carried by pull)."""
    rule = assumption_rule(item["key"])
    unit = item["unit"] or "see label"
    note = note or notes.value_note(item["key"])
    message = f"Unit: {unit}. Allowed: {rule.text()}."
    if rule.kind == "list":
        return Guard({"validate": "list", "source": list(rule.choices)}, item["key"][-32:], message, note)
    return number_guard(rule.kind, rule.low, rule.high, title=item["key"][-32:], message=message, note=note,
                        low_open=rule.low_open, high_open=rule.high_open)


def curve_label(label: str) -> str:
    """A curve parameter's label as its table shows it: without its parenthetical when the whole would run under
    the unit beside it ('Scale-up: ceiling L (share of optical' was cut); Inputs shows it whole."""
    return label if len(label) <= L.CURVE_LABEL_CHARS else label.split(" (")[0]


def write_curve_parameters(ws: Any, st: Styles, rows: list[dict[str, Any]], top: int) -> None:
    """The penetration curve parameters, linked from the Inputs sheet's live column (green: links)."""
    cols = T.CURVE_PARAMETERS
    st.titled_headers(ws, top, "Curve parameters in force (links to Inputs; edit them there)", cols.headers)
    r = top + 2
    for i, item in enumerate(rows):
        if not item["key"].startswith("penetration."):
            continue
        st.value(ws, r, cols.col("label"), curve_label(item["label"]))
        ws.write_string(r, cols.col("unit"), item["unit"], st.unit)
        live = "=Inputs!" + xl_rowcol_to_cell(L.INPUTS_FIRST_KEY_ROW + i, L.LIVE_C, row_abs=True, col_abs=True)
        ws.write_formula(r, cols.col("value"), live, st.number("General", link=True), item["live"])
        r += 1
