"""The PM review of 2026-12-04 (the printed PM copy read as a PM would): "at least" figures read as floors, and
Morgan Stanley's bull case read against the model's bull scenario, not against the scenario shown.

Before: J.P. Morgan's "exceed US$5bn" (a floor) was banded as a same-scope figure and flagged at 2.63x, while
LightCounting's "> 24M 1.6T ports by 2029" (also a floor) passed at 0.78x; the Summary printed "Morgan Stanley
bull case (read in the bull scenario) US$ 23.0 bn 0.57", which was the base optics (13,157) / 23,000."""

import pytest

from cpo_xl.analysis.reconcile import read_in_own_scenario, reconciled
from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.timeline import year_index
from cpo_xl.workbook.check import recalc
from cpo_xl.workbook.read import contents
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from tests.conftest import pdf_pages, read_book
from tests.test_pm import sheet_of


def _point(pid: str) -> xc.Published:
    return next(p for p in xc.published() if p.id == pid)


def test_an_at_least_figure_passes_at_or_above_it_and_flags_below():
    jpm, lc = _point("jpmorgan"), _point("lightcounting_1600g")
    assert (jpm.relation, lc.relation) == ("floor", "floor")
    # by hand: 13,157 / 5,000 = 2.63 clears the floor; 18,783,757 / 24,000,000 = 0.78 does not
    assert xc.passes(13157 / 5000, jpm, 2.0) and not xc.passes(18783757 / 24e6, lc, 2.0)
    assert xc.passes(1.0, jpm, 2.0) and not xc.passes(0.999, jpm, 2.0)
    ms = _point("morgan_stanley")  # a same-scope figure keeps its band [1/2, 2]
    assert xc.passes(1.41, ms, 2.0) and not xc.passes(2.63, ms, 2.0)


def _rows(ws, column: str) -> dict[str, int]:
    """Checks: each reconciliation key -> its 1-based row (a figure with several years: its first)."""
    keys = {p.id for p in xc.published()}
    out: dict[str, int] = {}
    for c in ws[T.RECONCILIATION.letter(column)]:
        if c.value in keys:
            out.setdefault(c.value, c.row)
    return out


@pytest.mark.slow
def test_checks_flags_floors_as_the_engine_does(built):
    """The Checks flag formula's floor branch, recalculated by the project's evaluator and as cached: J.P. Morgan
    (2.63x a floor) is not flagged, LightCounting 1.6T (0.78x a floor) is."""
    ws = read_book(built, data_only=True)["Checks"]
    rows = _rows(ws, "key")
    values = recalc.recalculate(built)[0]
    flag_col = T.RECONCILIATION.col("flag") + 1
    for pid, flagged in (("jpmorgan", 0), ("lightcounting_1600g", 1), ("morgan_stanley", 0)):
        row = rows[pid]
        assert ws.cell(row, T.RECONCILIATION.col("relation") + 1).value == _point(pid).relation
        assert ws.cell(row, flag_col).value == flagged, pid
        assert values[f"{contents.sheet_key('Checks')}!{ws.cell(row, flag_col).coordinate}"] == flagged, pid
    engine = {c.point.id: c.passes for c in reconciled(Case())}  # each of the two has one point
    assert engine["jpmorgan"] and not engine["lightcounting_1600g"]


def _sentence(built, start: str) -> str:
    ws = read_book(built)[L.SUMMARY]
    values = recalc.recalculate(built)[0]
    for i in range(L.SUMMARY_SENTENCES):
        row = L.SUMMARY_ANSWER_ROW + 1 + i
        value = values.get(f"{contents.sheet_key(L.SUMMARY)}!A{row}")
        if isinstance(value, str) and value.startswith(start):
            assert ws.cell(row, 1).value.startswith("=")  # a formula, so the PM copy's switches rewrite it
            return value
    raise AssertionError(f"no Summary sentence starts {start!r}")


@pytest.mark.slow
def test_the_summary_reads_the_bull_case_against_the_bull_scenario(built):
    """By hand from the Scenarios sheet's bull rows in 2030 (cached values): optics = CPO TAM less equipment
    = 31,837.5 - 549.3 = 31,288 US$ M = 31.3 bn; / 23,000 = 1.36, within the band [0.5, 2]: not flagged."""
    ws = read_book(built, data_only=True)["Scenarios"]
    keys = {ws.cell(r, L.KEY_COL + 1).value: r for r in range(1, ws.max_row + 1)}
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    col = L.year_col(2030) + 1
    tam = ws.cell(labels["CPO TAM (bull)"], col).value
    equipment = ws.cell(labels["Equipment TAM (bull)"], col).value
    assert "tam" in keys and 31_000 < tam - equipment < 32_000  # the bull case the sentence names
    ratio = (tam - equipment) / 23_000
    sentence = _sentence(built, "Verified CPO-only")
    assert (f"Morgan Stanley bull case US$ 23.0 bn against the model's bull scenario (US$ "
            f"{(tam - equipment) / 1000:.1f} bn) {ratio:.2f}") in sentence
    assert f"{ratio:.2f} flagged" not in sentence and "0.57" not in sentence
    assert "J.P. Morgan (a floor) US$ 5.0 bn 2.63," in sentence  # a floor it clears: no longer flagged
    assert "a floor for 'at least' figures" in _sentence(built, "Published forecasts")


def test_cli_summary_prints_the_bull_case_against_the_bull_scenario(cli):
    bull = run(Case("bull"))
    i = year_index(2030)
    optics = float(bull.tam[i] - bull.equipment_tam[i])  # the optics line is the TAM less equipment
    (own,) = read_in_own_scenario(Case())
    assert own.model == pytest.approx(optics) and own.passes
    out = cli("summary").stdout
    assert (f"morgan_stanley_bull 2030 is a bull case: the model's bull scenario {optics:,.0f} / 23,000 = "
            f"{optics / 23000:.2f} (pass)") in out


def test_publisher_names_carry_no_internal_references():
    """Before: 'TSMC (via DOMAIN; not found)', 'Yole (via the note; not found)', 'BofA (audit; not found)' printed on
    TAM, Checks and Sources: a PM has neither the project's DOMAIN.md nor its research note."""
    for p in xc.published():
        assert not any(word in p.publisher for word in ("DOMAIN", "the note", "audit")), p.publisher
        if not p.verified:
            assert p.publisher.endswith("(quoted; source not found)"), p.publisher


@pytest.mark.slow
def test_elasticity_note_says_what_each_ranking_and_the_ebit_elasticity_are(built):
    """Before: 'The Summary ranks by net.' beside a Summary whose table ranks by CPO revenue; EBIT elasticity
    was defined nowhere in the workbook."""
    ws = read_book(built)["Elasticity"]
    note = ws.cell(L.ELASTICITY_HEADER_ROW, 1).value  # the row above the table's header (1-based)
    assert "its table by CPO revenue" in note and "ranks by net" in note
    assert "EBIT elasticity = gross exposure x incremental margin / EBIT margin" in note
    assert ws.row_dimensions[L.ELASTICITY_HEADER_ROW].height >= 45  # three wrapped lines, none cut


@pytest.mark.slow
def test_tornado_input_values_print_as_the_inputs_sheet_shows_them(built):
    """Before: the tornado's bear and bull values of large inputs printed as 1000000 / 1300000 (General)."""
    ws = read_book(built)["Sensitivity"]
    cols = T.TORNADO
    large = 0
    for row in range(L.SENSITIVITY_HEADER_ROW + 2, ws.max_row + 1):
        key = ws.cell(row, cols.col("key") + 1).value
        if not (isinstance(key, str) and "." in key):
            continue  # not an input's row (the two-way table below)
        for column in ("bear_value", "bull_value"):
            cell = ws.cell(row, cols.col(column) + 1)
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool) and abs(cell.value) >= 10000:
                large += 1
                assert cell.number_format == "#,##0", (cell.coordinate, cell.value, cell.number_format)
    assert large >= 8  # racks 2025 and 2026, CoWoS wafers 2026, custom ASICs 2026: bear and bull each


@pytest.mark.slow
def test_why_notes_print_whole_on_the_first_page_of_their_sheet(rendered):
    """The PM asked why bull ships fewer racks than base, why the equipment layer dips and why scale-up
    penetration is 0 in 2027 under a 2.4% demand curve: a one-line note under the master check on Scenarios,
    Equipment and Penetration says why, printed whole on the sheet's first page and never as a cut fragment (a
    wrapped or over-long note printed pieces of itself on the 2030-2035 page)."""
    sheets = {s.name: s for s in L.series_sheets(Case()) if s.note}
    assert set(sheets) >= {"Penetration", "Equipment", "Scenarios"}
    first_page_width = sum(L.series_widths("x")) + L.YEAR_WIDTH * (L.SERIES_SPLIT_YEAR - 2023)
    pages = pdf_pages(rendered)
    for name, sheet in sheets.items():
        assert len(sheet.note) <= L.NOTE_CHARS_PER_WIDTH * first_page_width, name
        mine = [p for p in pages if sheet_of(p) == name]
        assert " ".join(sheet.note.split()) in " ".join(mine[0].split()), name
        whole, words = " ".join(sheet.note.split()), sheet.note.split()
        for page in mine[1:]:  # column A repeats across: whole there too, or not at all (never a cut fragment)
            flat = " ".join(page.split())
            assert whole in flat or (" ".join(words[:3]) not in flat and words[-1] not in flat.split()), name


@pytest.mark.slow
def test_bridge_decrease_labels_carry_their_minus(built):
    """A waterfall's decrease bar has a positive height; its label printed '378' for a fall of 378 (the PM read it
    as a rise). Every bridge chart's decrease series now labels with a minus, the others without."""
    import re
    import zipfile
    with zipfile.ZipFile(built) as z:
        charts = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/chart")]
    bridges = [c for c in charts if "Shapley bridge" in c]
    assert len(bridges) >= 2
    for chart in bridges:
        series = re.findall(r"<c:ser>.*?</c:ser>", chart, re.S)
        by_name = {re.search(r"<c:v>([^<]*)</c:v>", s).group(1): s for s in series}
        assert 'formatCode="-#,##0;-#,##0;;"' in by_name["decrease"]
        assert 'formatCode="#,##0;#,##0;;"' in by_name["increase"]


@pytest.mark.slow
def test_labels_the_review_found_cut_print_whole(rendered):
    """Before: Inputs printed 'Scenario rack forecast: min(demand, envelo' and 'NVL72-eq racrack_forecast' (the
    key in C ran over them); Penetration's curve parameters 'Scale-up: ceiling L (share of optical' and 'Scale-up:
    inflection year t0 (the ramp' (the unit beside them)."""
    from cpo_xl.workbook.write.sheets.inputs import curve_label
    pages = pdf_pages(rendered)
    inputs = " ".join(next(p for p in pages if sheet_of(p) == "Inputs").split())
    assert "Scenario rack forecast: min(demand," in inputs and "envelopes)" in inputs  # wrapped over two lines
    assert "rack_forecast" in inputs and "racrack_forecast" not in inputs
    penetration = [" ".join(p.split()) for p in pages if sheet_of(p) == "Penetration"]
    long = ("Scale-up: ceiling L (share of optical scale-up links that go CPO: NVLink cross-rack, custom-XPU "
            "programs)")
    assert curve_label(long) == "Scale-up: ceiling L"
    assert curve_label("Scale-out: ramp length (linear only)") == "Scale-out: ramp length (linear only)"
    for label in ("Scale-up: ceiling L share", "Scale-up: inflection year t0 year",
                  "Scale-out: ramp length (linear only) years"):  # each whole, its unit right after it
        assert any(label in p for p in penetration), label


def test_lower_yields_raise_the_tam_only_through_equipment():
    """The Sensitivity note's claim, worked in the engine: the assembly yield at its bear and bull ends (0.2, 0.5)
    leaves the 2030 optics unchanged (shipments are demand-set) and moves only the equipment layer, up when
    the yield is lower (more starts per good engine)."""
    i = year_index(2030)
    low, high = (run(Case().plus("supply.yield_assembly_2026", y)) for y in (0.2, 0.5))
    assert float(low.optics[i]) == pytest.approx(float(high.optics[i]), rel=1e-12)
    assert float(low.equipment_tam[i]) > float(high.equipment_tam[i])
    assert float(low.tam[i] - high.tam[i]) == pytest.approx(float(low.equipment_tam[i] - high.equipment_tam[i]))


@pytest.mark.slow
def test_sensitivity_notes_print_whole_on_its_first_page(rendered):
    """The PM read 17 tornado rows at 0 and worse yields raising the TAM (+8) as errors; two notes say why."""
    first = " ".join(next(p for p in pdf_pages(rendered) if sheet_of(p) == "Sensitivity").split())
    for _, note in L.SENSITIVITY_NOTES:
        assert " ".join(note.split()) in first, note
        assert len(note) <= L.NOTE_CHARS_PER_WIDTH * sum(w or 0 for w in T.TORNADO.widths)


@pytest.mark.slow
def test_reconciliation_and_anchor_keys_wrap_whole_not_cut(built):
    """Before: Checks and TAM printed 'morgan_stanle', 'trendforce_opt', 'lumentum_cpo_' (the key column is 11
    wide, the cell did not wrap and the next column cut it). Now each such key wraps in a row tall enough for it,
    as the line grid's keys do."""
    book = read_book(built)
    ids = {p.id for p in xc.published()} | {a.id for a in xc.anchors()}
    seen = 0
    for sheet in ("Checks", "TAM"):
        ws = book[sheet]
        for cell in ws[T.RECONCILIATION.letter("key")]:
            if cell.value in ids and len(cell.value) > L.series_widths(sheet)[2]:
                seen += 1
                assert cell.alignment.wrap_text, (sheet, cell.coordinate, cell.value)
                assert (ws.row_dimensions[cell.row].height or 15) >= 30, (sheet, cell.coordinate)
    assert seen >= 10


def test_read_in_is_refused_on_anything_but_a_same_scope_figure(monkeypatch):
    """The Summary writes a read_in figure's flag as the band's formula, so published.toml may put read_in only on
    a same-scope figure (and only a scenario's name); the shipped file passes."""
    from pathlib import Path
    from types import SimpleNamespace

    from cpo_xl.engine.errors import CpoError
    shipped = Path(xc.__file__).with_name("data").joinpath("published.toml").read_text(encoding="utf-8")
    assert 'read_in = "bull"' in shipped

    def with_text(text: str) -> None:
        files = SimpleNamespace(joinpath=lambda _: SimpleNamespace(read_text=lambda encoding: text))
        monkeypatch.setattr(xc, "resources", SimpleNamespace(files=lambda _: files))
        xc.published.cache_clear()

    try:
        for bad in (shipped.replace('read_in = "bull"', 'read_in = "bull"\nrelation = "floor"', 1).replace(
                'relation = "same"\nread_in', 'read_in', 1), shipped.replace('read_in = "bull"', 'read_in = "up"')):
            with_text(bad)
            with pytest.raises(CpoError, match="morgan_stanley_bull: read_in must be bear, base or bull"):
                xc.published()
    finally:
        monkeypatch.undo()
        xc.published.cache_clear()
    assert any(p.read_in == "bull" for p in xc.published())
