"""The printed PM pack, second review (LibreOffice's render of the workbook): charts never straddle a page break,
the Bridge prints whole within the page, the Sources' published forecasts under their own titles, no near-empty
Inputs spill, titles not clipped."""

import re

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from cpo_xl.engine.case import Case
from cpo_xl.engine.crosscheck import published
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write.sheets.checks import METRIC_UNITS
from tests.conftest import pdf_pages, read_book
from tests.test_pm import chart_anchors, sheet_of

A4_SHORT_IN = 8.27  # [in] the page height in landscape
POINTS_PER_IN = 72
DEFAULT_ROW_PT = 15.0


def _row_pt(ws, row: int) -> float:
    """A 0-based row's height [pt] as the file sets it (the default where it sets none)."""
    return ws.row_dimensions[row + 1].height or ws.sheet_format.defaultRowHeight or DEFAULT_ROW_PT


def _title_rows(ws) -> range:
    """The 0-based rows repeated at the top of every page (none when the sheet repeats none)."""
    if not ws.print_title_rows:
        return range(0)
    first, last = (int(part.strip("$")) for part in ws.print_title_rows.split(":"))
    return range(first - 1, last)


def page_height_pt(ws) -> float:
    """The sheet's rows that fit one printed page [pt of the sheet]: A4 landscape less the top and bottom margins
    (LibreOffice sets the header and footer inside them), at the sheet's print scale."""
    margins = ws.page_margins
    return (A4_SHORT_IN - margins.top - margins.bottom) * POINTS_PER_IN * 100 / (ws.page_setup.scale or 100)


def chart_page_rows(ws, first: int, last: int) -> tuple[int, list[int], float]:
    """For a chart anchored over 0-based rows first..last: the row its page starts at (the last manual break at
    or above it, else row 0), the manual breaks inside its rows, and the height [pt] its page fills from that
    start down to the chart's bottom (with the repeated title rows on a page after the first). An estimate:
    rows as the file sizes them, no automatic break between the page start and the chart (it errs long)."""
    breaks = sorted(b.id for b in ws.row_breaks.brk)  # XlsxWriter's break id: the 0-based row that starts a page
    start = max((b for b in breaks if b <= first), default=0)
    inside = [b for b in breaks if first < b <= last]
    titles = [r for r in _title_rows(ws) if r < start]
    return start, inside, sum(_row_pt(ws, r) for r in [*titles, *range(start, last + 1)])


@pytest.mark.slow
def test_no_chart_straddles_a_page_break(built):
    """Before: TAM's 'Bottom-up model vs published' chart sat under the cross-check table, which runs over two
    pages, and printed its top on one page and the rest on the next (its title under the page header): its page
    from the last manual break filled ~1,455 pt of a ~627 pt page. Now, on every sheet printed at a scale, no
    manual break falls inside a chart's rows and the chart's page, from its last break to the chart's bottom, fits
    one page height."""
    book = read_book(built)
    seen = set()
    for sheet, boxes in chart_anchors(built).items():
        ws = book[sheet]
        fitted = ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
        if fitted:  # the Summary: fitted to one page (a test holds it to one page)
            continue
        for first, _, last, _ in boxes:
            start, inside, filled = chart_page_rows(ws, first, last)
            assert not inside, f"{sheet}: a page break at row {inside} cuts the chart in rows {first + 1}-{last + 1}"
            assert filled <= page_height_pt(ws), (sheet, first + 1, start + 1, round(filled), round(page_height_pt(ws)))
            seen.add(sheet)
    assert {"TAM", "Demand", "Penetration", "Elasticity", "Scenarios", "Sensitivity", "Risk", "Bridge"} <= seen


def _bridge_keys(ws) -> list[str]:
    """The input keys the Bridge sheet lists in its 'inputs that differ' cells ('key from -> to; ...')."""
    cells = [c.value for c in ws[get_column_letter(L.BR_INPUTS_C + 1)]
             if isinstance(c.value, str) and "->" in c.value]
    return [part.split()[0] for text in cells for part in text.split("; ")]


@pytest.mark.slow
def test_bridge_prints_whole_within_the_page(built, rendered):
    """Before: the Bridge printed its table over two pages across: the helper columns (chart base/up/down/total,
    zeros) on the first, the inputs that differ on the second, cut at the page's right edge (15 of the 55 keys
    listed lost or cut), with the sheet title cut ('...CPO TAM 2030') and the note over itself. Now every key
    listed prints whole, the title and note whole, the helper columns not at all, one page across per table."""
    ws = read_book(built)[L.BRIDGE]
    keys = _bridge_keys(ws)
    assert len(keys) > 40
    pages = [p for p in pdf_pages(rendered) if sheet_of(p) == L.BRIDGE]
    text = "\n".join(pages)
    words = set(text.split()) | {w.rstrip(";") for w in text.split()}
    cut = [k for k in keys if k not in words]
    assert not cut, f"{len(cut)} of {len(keys)} keys cut or missing: {cut}"
    flat = " ".join(text.split())
    assert " ".join(str(ws["A1"].value).split()) in flat and " ".join(str(ws["A3"].value).split()) in flat
    assert not [h for h in L.BRIDGE_COLUMNS if h.startswith("chart ") and h in text]
    assert len(pages) == 2 * len(L.BRIDGE_PAIRS)  # a table page and a chart page each: none across


DEFAULTS_TITLES = re.compile(r"^\s*key\s+label\s+base value\s+unit\s+source\s+date\s+grade\s*$", re.M)


@pytest.mark.slow
def test_published_forecasts_print_under_their_own_titles(rendered):
    """Before: the 'Published forecasts used as cross-checks' printed below the defaults, under the defaults'
    repeated column titles (key, label, base value, ...), their values bare (24000000) and without units. Now
    they print first, each page of them under their own titles and none under the defaults', every value with
    separators and its unit."""
    pages = [p for p in pdf_pages(rendered) if sheet_of(p) == "Sources"]
    forecasts = published()
    ids = re.compile(rf"^\s*({'|'.join(re.escape(p.id) for p in forecasts)})\s+", re.M)
    theirs = [p for p in pages if ids.search(p)]
    assert theirs and len(theirs) < len(pages)
    titles = re.compile(r"^\s*id\s+source\s+year\s+value\s+" + r"\s+".join(map(re.escape, T.PUBLISHED.headers[4:])),
                        re.M)
    for page in theirs:
        assert titles.search(page) and not DEFAULTS_TITLES.search(page), page[:600]
    text = "\n".join(theirs)
    for p in forecasts:
        assert f"{p.value:,.0f}" in text, p.id
        assert re.search(rf"\b{p.value:.0f}\b", text) is None or p.value < 1000, p.id
    for unit in {METRIC_UNITS[p.metric] for p in forecasts}:
        assert f"{unit};" in text
    assert all(DEFAULTS_TITLES.search(p) for p in pages if p not in theirs)  # the defaults keep their titles


@pytest.mark.slow
def test_no_inputs_page_is_a_spill_of_keys(built, rendered):
    """Before: Inputs printed a third page across: the rack years 2032-2035 beside the repeated key column, every
    key alone on its line (~109 words, most of them keys). Now the print area ends at the table's last column,
    and on every Inputs page most keys print beside their values or sources."""
    keys = {str(c.value) for c in read_book(built)["Inputs"]["A"]
            if isinstance(c.value, str) and "." in c.value and " " not in c.value}
    pages = [p for p in pdf_pages(rendered) if sheet_of(p) == "Inputs"]
    for page in pages:
        lines = [line.split() for line in page.splitlines() if line.split() and line.split()[0] in keys]
        alone = [words[0] for words in lines if len(words) == 1]
        assert lines and len(alone) <= len(lines) // 2, (len(alone), len(lines), page[:400])
    assert len(pages) <= L.PRINT_PAGES["Inputs"]


ONE_PAGE_ACROSS = 134  # [width units, as the file stores them] a page holds at L.PRINT_SCALE (Inputs A:G, 133)


def _width(ws, col: int) -> float:
    """A 1-based column's width [characters] (openpyxl keeps a run of equal columns under its first letter)."""
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= col <= dim.max:
            return dim.width or 8.43
    return 8.43


def _pages_across(ws) -> bool:
    """Whether a sheet prints over more than one page across (a manual column break, or wider than a page)."""
    if ws.col_breaks.brk:
        return True
    area = str(ws.print_area or "").split("!")[-1]
    last = openpyxl.utils.cell.range_boundaries(area)[2] if area else ws.max_column
    return sum(_width(ws, c) for c in range(1, last + 1)) > ONE_PAGE_ACROSS


@pytest.mark.slow
def test_titles_fit_the_columns_repeated_across(built):
    """Before: on the second page across a sheet's title printed only as far as the repeated label columns
    reach ('Foundry & packaging: layer TAM and companie', 'Risk: ... (10,00', 'Inputs: every assumption (PM '),
    and TAM's cross-check column title 'model / published' ran under the next ('model / publimodel'). Now each
    title of a sheet printed over pages across fits its repeated columns (up to the first filled cell of row 1)
    at L.TITLE_CHARS_PER_WIDTH, and each cross-check column title fits its column."""
    book = read_book(built)
    checked = set()
    for ws in book.worksheets:
        if ws.sheet_state != "visible" or not ws.print_title_cols or not _pages_across(ws):
            continue
        first, last = (openpyxl.utils.cell.column_index_from_string(c.strip("$"))
                       for c in ws.print_title_cols.split(":"))
        free = [c for c in range(first, last + 1)
                if c == first or all(ws.cell(1, k).value in (None, "") for k in range(first + 1, c + 1))]
        room = sum(_width(ws, c) for c in free) * L.TITLE_CHARS_PER_WIDTH
        title = str(ws.cell(1, 1).value)
        assert len(title) <= room, (ws.title, title, len(title), round(room, 1))
        checked.add(ws.title)
    assert {"Inputs", "TAM", "Foundry_Packaging", "Risk", "Penetration", "Checks"} <= checked
    tam = book["TAM"]
    header = next(r for r in range(1, tam.max_row + 1) if tam.cell(r, 1).value == T.CROSSCHECK.headers[0])
    for c, text in enumerate(T.CROSSCHECK.headers[:-1], start=1):  # the last spills into blank cells
        assert len(text) <= _width(tam, c), (text, _width(tam, c))
    assert [tam.cell(header, c + 1).value for c in range(len(T.CROSSCHECK.headers))] == list(T.CROSSCHECK.headers)


@pytest.mark.slow
def test_every_page_of_a_time_series_sheet_shows_the_check_in_words_and_the_scenario(rendered):
    """Row 2 repeats on every page, but a time-series sheet's second page across (2030-2035) repeats only the
    columns A:C: before, it printed the master check's bare 0, without 'all hold' or the scenario that the footer
    says row 2 shows ('the one in force is shown in row 2')."""
    series = {sheet.name for sheet in L.series_sheets(Case())}
    pages = [p for p in pdf_pages(rendered) if sheet_of(p) in series]
    second_across = [p for p in pages if re.search(r"^\s*line item\s+unit\s+key\s+2030\b", p, re.M)]
    assert len(second_across) >= len(series) - 1  # the Checks sheet's flags may keep it to one page across
    for page in pages:
        row_2 = next(line for line in page.splitlines() if "Master check" in line)
        assert re.search(r"\b0 all hold\s+Scenario: base\b", row_2), (sheet_of(page), row_2)
