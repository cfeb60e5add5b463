"""The About sheet: what the workbook is, how its numbers were made, the functions to call."""

from __future__ import annotations

from typing import Any

from cpo_xl.excel import functions as fn
from cpo_xl.excel.catalogue import CATALOGUE, signature
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write.style import Styles


def write_about(ws: Any, st: Styles, scenario: str, master: float, assumption_date: str) -> None:
    for col, width in enumerate(ABOUT_WIDTHS):  # A:F (the master check row) one page wide at L.PRINT_SCALE
        ws.set_column(col, col, width)
    ws.write_string(0, L.LABEL_COL, "CPO market model (co-packaged optics)", st.title)
    st.master_check_row(ws, master)
    if st.static:
        usage = [("This copy", "STATIC SNAPSHOT of all three scenarios for reading: every CPO_* function was "
                               "replaced by its values in bear, base and bull, so it needs no add-in. Two controls "
                               "(yellow): the scenario (Inputs!C4) switches every number, chart and check; the "
                               "ranking year (Elasticity!C4) switches the company table, its ranks and the Summary's "
                               "beneficiaries. Everything else is fixed here (no yellow): the assumptions, racks "
                               "and the tornado year were set when the copy was made."),
                 ("Start here", "The Summary sheet: TAM with the bear/base/bull band, penetration, who benefits by "
                                "net exposure, the reconciliation with published forecasts, the inputs that matter.")]
    else:
        usage = [("In Excel with Python", "Install xlwings and its add-in; UDF Modules = cpo_udfs (hidden "
                                          "xlwings.conf sheet); PYTHONPATH to the repo's udfs folder; Import "
                                          "Functions. Edit the yellow cells on Inputs."),
                 ("Without Python", "Every formula cell stores its last value, so the numbers show as cpo-xl "
                                    "calculated them. Do not force a recalculation without the add-in.")]
    lines = [
        ("Purpose", "TAM of co-packaged optics by value-chain layer, penetration curves with a supply cap, and "
                    "each supplier's CPO exposure and elasticity, 2023-2035."),
        ("Scenario shown", scenario),
        ("Assumptions dated", assumption_date),
        *usage,
        ("Legend: yellow fill, blue text",
         "A control of this copy: the scenario (Inputs!C4) and the ranking year (Elasticity!C4)" if st.static
         else "Input (Inputs sheet, rack override, ranking year, cross-check figures): each has a data validation "
              "(Excel refuses a value outside the schema's bounds), an input message with its unit, and a note "
              "with its source, date and grade"),
        ("Legend: black text", "Calculation on this sheet"),
        ("Legend: green text", "Link to another sheet"),
        ("Master check", "Row 2 of every sheet; 0 = every line on the Checks sheet holds"),
        ("Regenerate", "Ask the analyst for a new copy (cpo-xl publish): this copy is a snapshot, nothing typed "
                       "here flows back to the model" if st.static else
                       "cpo-xl build; inputs edited here flow back with cpo-xl pull"),
    ]
    for i, (a, b) in enumerate(lines):
        ws.write_string(3 + i, L.LABEL_COL, a, st.bold_top)
        ws.write_string(3 + i, L.ABOUT_TEXT_COL, b, st.wrap)
        ws.set_row(3 + i, _wrapped_height(b))
    r = 4 + len(lines)
    ws.write_string(r, L.LABEL_COL, "Version", st.bold)
    # a link to the Summary's =CPO_VERSION() (the version fact, second of its facts): one call, not two
    st.formula(ws, r, 1, f"={L.SUMMARY}!{L.a1(*L.SUMMARY_VERSION_CELL)}", None, fn.CPO_VERSION())
    if st.static:  # a PM has no add-in: the functions are what made the numbers, not something to call
        ws.write_string(r + 2, L.LABEL_COL, "How the numbers were made", st.bold_top)
        made = (f"In the analyst's live model every number comes from the cpo-xl add-in's {len(CATALOGUE)} Excel "
                "functions (e.g. =CPO_TAM(2028, rack_units)) over the Inputs sheet; in this copy they are fixed "
                "values, precomputed for each scenario. The Sources sheet gives each input's source, date and grade.")
        ws.write_string(r + 2, L.ABOUT_TEXT_COL, made, st.wrap)
        ws.set_row(r + 2, _wrapped_height(made))
        return
    st.titled_headers(ws, r + 2, "Functions (UDF catalogue)", ("formula", "what it returns"))
    for i, udf in enumerate(CATALOGUE):
        ws.write_string(r + 4 + i, L.LABEL_COL, signature(udf), st.wrap)
        ws.write_string(r + 4 + i, L.ABOUT_TEXT_COL, f"{udf.doc} [{udf.returns}]", st.wrap)
        ws.set_row(r + 4 + i, max(_wrapped_height(f"{udf.doc} [{udf.returns}]"),
                                  _wrapped_height(signature(udf), ABOUT_WIDTHS[0] - 2)))


ABOUT_WIDTHS = (30, 66, 5, 9, 9, 6)


def _wrapped_height(text: str, chars_per_line: int = ABOUT_WIDTHS[1]) -> float:
    """Row height [points] for wrapped text in the About sheet's wide column (viewers do not auto-fit)."""
    return 15.0 * max(1, -(-len(text) // chars_per_line))
