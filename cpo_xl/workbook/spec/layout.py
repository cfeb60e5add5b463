"""The one layout spec: every sheet, row, column and workbook name of CPO_Model.xlsx lives here.

Time-series sheets share one grid: A label, B unit, C key (the line a block formula reads), D..P the years
2023-2035 in header row 4, panes frozen below and right of it; row 2 shows the master check.
Each :class:`Line` owns one row and yields both its formula and its cached value from the same recipe.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import lru_cache

from xlsxwriter.utility import xl_col_to_name

from cpo_xl.analysis.lines import LAYER_LABELS, LAYER_SHEETS, SEGMENT_LABELS, LineItem, line_items
from cpo_xl.analysis.tables import ranking
from cpo_xl.engine.assumptions import LAYERS, SEGMENTS
from cpo_xl.engine.case import Case
from cpo_xl.engine.timeline import YEARS

# Summary first (the PM's page), then the model's story (demand to TAM, layers, companies), the risks (scenarios,
# sensitivity, Monte Carlo, the bridge), the checks, and the inputs and their sources at the back: the tab order
# is the print order. Hidden sheets last.
SUMMARY = "Summary"
# The order is the workbook contract (ARCHITECTURE.md): tabs and the printed pack follow it.
SHEETS = (SUMMARY, "About", "Inputs", "Demand", "Penetration", "TAM", "Definers", "Foundry_Packaging", "Lasers",
          "Fiber_Connectivity", "Equipment", "Elasticity", "Checks", "Sources", "Scenarios", "Sensitivity", "Risk",
          "Engine", "xlwings.conf", "Bridge")
# The PM copy's tab (and so print) order tells the story: the answer, the reader's guide, the model from demand
# to the companies, the risks, the checks, then the inputs and their sources at the back (issue 23). The
# analyst's workbook keeps SHEETS, the contract order (ARCHITECTURE.md).
PM_ORDER = (SUMMARY, "About", "Demand", "Penetration", "TAM", "Definers", "Foundry_Packaging", "Lasers",
            "Fiber_Connectivity", "Equipment", "Elasticity", "Scenarios", "Sensitivity", "Risk", "Bridge", "Checks",
            "Inputs", "Sources", "Engine", "xlwings.conf")
# The hidden Engine sheet holds every block array formula (one UDF call per block); the model sheets link to it.
# LibreOffice recalculates array formulas on load (showing #NAME? without the add-in) but keeps the cached
# values of plain formulas, so links keep every visible number on screen.
ENGINE = "Engine"
# Last on the Engine sheet: the inputs the file was built from (JSON, in cells of RECORD_CHUNK characters), so
# that a later build can tell a person's edits from what the builder wrote (workbook/edits.py)
BUILD_RECORD_TITLE = "cpo-xl build record: the inputs this file was built from (JSON)"
RECORD_CHUNK = 30_000  # characters per cell (Excel holds up to 32,767)

LABEL_COL, UNIT_COL, KEY_COL, FIRST_YEAR_COL = 0, 1, 2, 3  # A, B, C, D
ABOUT_TEXT_COL = 1  # About!B: the text beside each label (column A)
YEAR_WIDTH = 11  # [characters] a year column: 391,857,081 with room
SERIES_WIDTHS = (29, 11, 11)  # label, unit, key (wrapped)
# Checks: a wider label column (its flags have no key), so that every check line and the total print on the
# first page, under the sheet's header; the lines that are not checks continue under a YearHeader
SERIES_WIDTHS_BY_SHEET = {"Checks": (37, 9, 11)}
SERIES_SPLIT_YEAR = 2030  # a time-series sheet prints 2023-2029 on one page, 2030-2035 on the next
TITLE_ROW, CHECK_ROW, HEADER_ROW, FIRST_LINE_ROW = 0, 1, 3, 4  # rows 1, 2, 4, 5 (0-based)


def series_widths(sheet: str) -> tuple[int, int, int]:
    """A time-series sheet's label, unit and key column widths."""
    return SERIES_WIDTHS_BY_SHEET.get(sheet, SERIES_WIDTHS)


# A sheet's title (14 pt bold) prints whole on a page across only within the columns repeated there: LibreOffice
# cuts its overflow at their edge (the time-series sheets' A:C, Inputs' A). About this many title characters fit
# per unit of column width (the 11 pt body: about 1.05); tests hold the titles to it.
TITLE_CHARS_PER_WIDTH = 0.8
SCENARIO_SHOWN_COL = 4  # E2 "Scenario:", F2 =scenario on every sheet with a master check (printed on each page)

# Inputs sheet grid
INPUTS_NOTE_ROW = 2                # A3: what the cells are (wrapped in A, under the short title)
INPUTS_SCENARIO_ROW = 3            # C4: the scenario dropdown (name `scenario`)
INPUTS_SCENARIO_COL = 2            # C
INPUTS_CASE_ROW = 4                # C5 / D5: the CPO_CASE keys (names `case_forecast`, `case_key`)
CASE_FORECAST_COL, CASE_KEY_COL = 2, 3
INPUTS_YEARS_ROW = 6               # D7:P7 timeline (name `years`)
INPUTS_RACKS_ROW = 7               # D8:P8 racks used (with the years row: name `rack_units`)
INPUTS_RACKS_OVERRIDE_ROW = 8      # D9:P9 optional racks typed by the analyst (input)
INPUTS_RACKS_FORECAST_ROW = 9      # D10:P10 the scenario's rack forecast (from the engine; key in C10)
INPUTS_RACKS_KEY_COL = 2           # C10: the registry name the forecast block reads
INPUTS_TABLE_HEADER_ROW = 11       # row 12: column titles of the assumption table
INPUTS_FIRST_KEY_ROW = 12          # row 13: first assumption
# key, bear, base, bull side by side: the `assumptions` name is this 4-column block (the scenario picks a column)
INPUT_COLUMNS = ("key", "bear", "base", "bull", "live value", "label", "unit", "source", "date", "grade", "comment")
KEY_C, BEAR_C, BASE_C, BULL_C, LIVE_C, LABEL_C, UNIT_C, SOURCE_C, DATE_C, GRADE_C, COMMENT_C = range(11)
# label and source wrap (rows grow) so that the sheet prints one page wide at a readable size
# printed over two pages across at PRINT_SCALE: key to unit (A:G), then the key again with source to comment
INPUT_WIDTHS = (34, 10, 10, 10, 10, 40, 14, 62, 8, 6, 12)
INPUT_WRAPPED = (LABEL_C, SOURCE_C)
INPUT_RACK_WIDTH = 9  # the year columns right of the table (rack rows only)
SCENARIO_COLS = {"bear": BEAR_C, "base": BASE_C, "bull": BULL_C}
ASSUMPTIONS_BLOCK_COL = KEY_C  # A:D

# Sensitivity sheet grid
SENSITIVITY_YEAR_CELL = (3, 2)     # C4: the tornado year (input)
SENSITIVITY_HEADER_ROW = 5
# rows 3 and 5 (0-based 2 and 4), around the tornado year: why half the tornado is 0 and why worse yields add a little
SENSITIVITY_NOTES = (
    (2, "An input at 0 does not move the tornado year's TAM: a cap (power, CoWoS, spend) binds, or it acts in other "
        "years."),
    (4, "Lower yields raise the TAM a little: more engine starts for the same shipments buy more tools (equipment)."),
)
PERCENTILES = ("0.1", "0.5", "0.9")

# Elasticity sheet grid
ELASTICITY_YEAR_CELL = (3, 2)       # C4: the ranking year (input)
ELASTICITY_HEADER_ROW = 5

REASON_COL = 17                    # Checks!R (hidden): the reason on file for each reconciliation row
CHECK_TOLERANCE_CELL = (2, 2)      # Checks!C3: tolerance used by every check
# The settings typed outside the Inputs table ([workbook] in an assumptions file): name -> (sheet, (row, col))
SETTING_CELLS = {"ranking_year": ("Elasticity", ELASTICITY_YEAR_CELL),
                 "tornado_year": ("Sensitivity", SENSITIVITY_YEAR_CELL),
                 "check_tolerance": ("Checks", CHECK_TOLERANCE_CELL)}

# Summary sheet grid: the title with the model checks on its right; the answer in sentences across the page
# (rows 2-8); then the tables in A:G with the facts and the TAM chart on the right (from column I)
SUMMARY_YEARS = (2027, 2028, 2030, 2035)
SUMMARY_CHECKS_CELL = (0, 8)       # I1: 'Model checks', J1 in words
SUMMARY_ANSWER_ROW = 1             # row 2: first sentence
SUMMARY_SENTENCES = 8
SUMMARY_HEADLINE_ROW = SUMMARY_ANSWER_ROW + SUMMARY_SENTENCES  # section title; header below
SUMMARY_FACTS_ROW = SUMMARY_HEADLINE_ROW + 1  # facts right of the headline table: label in I, value in J
SUMMARY_FACTS_COL = 8
SUMMARY_FACTS_LABELS = ("Scenario (Inputs C4)", "Ranking year (Elasticity)", "Tornado year (Sensitivity)",
                        "Assumptions dated", "Version")
SUMMARY_VERSION_CELL = (SUMMARY_FACTS_ROW + 5, SUMMARY_FACTS_COL)  # under its label, over I:J
SUMMARY_TOP = 5                    # dollar winners shown
SUMMARY_CANNIBALISED = 6           # names the cannibalisation sentence lists (then 'and n more')
SUMMARY_INPUTS = 3                 # inputs that move the 2030 TAM most
SUMMARY_INPUT_YEAR = 2030
# the 2030 CPO-only figures the Summary names (a figure read_in a scenario: against that scenario's optics)
SUMMARY_RECONCILED = (("morgan_stanley", "Morgan Stanley"), ("jpmorgan", "J.P. Morgan (a floor)"),
                      ("morgan_stanley_bull", "Morgan Stanley bull case"))
SUMMARY_WIDTHS = (31, 7, 10, 10, 10, 10, 10, 1, 25, 13)
SUMMARY_CHARS_PER_LINE = int(sum(SUMMARY_WIDTHS) * 1.1) - 12  # a sentence merged over A:J wraps (row heights)
SUMMARY_CHART_COL = SUMMARY_FACTS_COL  # I: under the facts, right of the tables

# Printing: A4 landscape at one scale, so that the body type (11 pt) prints at 8.8 pt and chart text (10 pt) at
# 8 pt on every sheet; a sheet wider or longer than a page splits over pages (the label columns and header rows
# repeat) rather than shrinking. The Summary alone is fitted to one page (its layout keeps it at >= 8 pt).
PRINT_SCALE = 80  # [%]
# Checks at a little less (body type 8.4 pt; no chart), so that its check lines and their total fit one page with
# its wider label column and all seven years
PRINT_SCALE_BY_SHEET = {"Checks": 76}
# Page margins [in] of every sheet but the Summary (fitted to one page; build.print_setup), and the height of the
# rows a printed page holds [pt of the sheet]: A4 landscape less the top and bottom margins (the header and footer
# print inside them), at the sheet's scale
PAGE_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.7, "bottom": 0.6}
A4_SHORT_IN = 8.27
# a writer that places its own page breaks fills a page to this share of its height: row heights as printed
# differ a little from the file's, and an automatic break before a manual one leaves a page of a row or two
PAGE_FILL = 0.9


def page_height_pt(sheet: str) -> float:
    """The height of the rows one printed page of ``sheet`` holds [pt]."""
    scale = PRINT_SCALE_BY_SHEET.get(sheet, PRINT_SCALE)
    return (A4_SHORT_IN - PAGE_MARGINS["top"] - PAGE_MARGINS["bottom"]) * 72 * 100 / scale


# Printed pages per sheet, at most; sheets not named print on one page. A test renders the workbook with
# LibreOffice and holds it to these.
# (Demand: its lines over two pages across, then its chart on a page of its own)
PRINT_PAGES = {"About": 3, "Demand": 3, "Penetration": 4, "TAM": 6, "Definers": 2, "Foundry_Packaging": 2,
               "Lasers": 2, "Fiber_Connectivity": 2, "Equipment": 2, "Elasticity": 2, "Scenarios": 7,
               "Sensitivity": 5, "Risk": 4, "Bridge": 4, "Checks": 9, "Inputs": 34, "Sources": 28}

# Printing: rows repeated at the top of every page (first, last; 0-based); sheets not named (the time-series
# sheets) repeat the title and master check rows, not the year header: below their lines come charts and tables
# not by year. Where a sheet's lines run over more than one page, a YearHeader row starts each page after the
# first. None: nothing repeats (the Summary prints on one page).
PRINT_REPEAT_DEFAULT = (TITLE_ROW, CHECK_ROW)
PRINT_REPEAT_ROWS: dict[str, tuple[int, int] | None] = {
    SUMMARY: None, "About": (0, 1), "Inputs": (INPUTS_TABLE_HEADER_ROW, INPUTS_TABLE_HEADER_ROW),
    "Elasticity": (0, CHECK_ROW), "Sensitivity": (0, CHECK_ROW), "Bridge": (0, CHECK_ROW),
    "Sources": None,  # its writer repeats the defaults' column titles (sources_table_row), which move
}
# Sources sheet: the published forecasts first (their own column titles), then on a new page the defaults,
# whose column titles repeat on every later page. LibreOffice repeats print titles only from where they stand,
# so the published forecasts no longer print under the defaults' titles (they did, below the defaults).
SOURCES_PUBLISHED_TOP = 3          # row 4: the published forecasts' section title; their column titles below


def sources_table_row(published_rows: int) -> int:
    """The 0-based row of the defaults' column titles: under the published forecasts' ``published_rows`` rows
    (their section title, column titles and forecasts)."""
    return below(SOURCES_PUBLISHED_TOP, published_rows)


# Columns repeated at the left of every page when a sheet splits across (first, last; 0-based): the time-series
# sheets' label, unit and key; the key of Inputs and Sources
PRINT_REPEAT_COLS = {"Inputs": (0, 0), "Sources": (0, 0), "Bridge": (0, 0)}
# A CPO_CASE cell holds the add-in's case text (cpo-case/1 <scenario> <digest> {json}): formulas read it, no one
# reads it, so it shows nothing (on screen or printed; the formula bar still shows the formula)
CASE_KEY_FORMAT = ";;;"
INPUT_NUMBER = "General"  # 0.15, -0.042 and 2027 as typed
INPUT_NUMBER_LARGE = "#,##0"  # 4,000,000 with separators


def input_number_format(value: object) -> str:
    """An input cell's number format: separators from 10,000 on, otherwise as typed. Chosen per cell, not by one
    conditional format ([>=10000]#,##0;[<=-10000]-#,##0;General): LibreOffice drops the minus of a number shown
    by a conditional section (Intel's -0.042 EBIT margin printed as 0.042)."""
    return INPUT_NUMBER_LARGE if isinstance(value, int | float) and abs(value) >= 10000 else INPUT_NUMBER

# Blocks below the line grid are anchored to the block above them: a block's first row is the row after the
# one above ends, plus GAP_ROWS blank rows. A chart spans ceil(height / ROW_PX) rows.
ROW_PX = 20  # XlsxWriter's default row height [px]
GAP_ROWS = 2


@dataclass(frozen=True)
class Chart:
    """A chart's sheet and size [px]; where it goes is anchored to the block above it."""

    sheet: str
    width: int
    height: int
    col: int = 0  # the column its left edge is anchored in

    @property
    def rows(self) -> int:
        return -(-self.height // ROW_PX)


CHARTS = {
    # charts on the time-series sheets fit the first printed page across (label columns and 2023-2029)
    "demand": Chart("Demand", 800, 480),
    "tam": Chart("TAM", 800, 360), "penetration": Chart("Penetration", 800, 340),
    "crosscheck": Chart("TAM", 800, 380), "ranking": Chart("Elasticity", 760, 520),
    "scenarios": Chart("Scenarios", 800, 360), "fan": Chart("Risk", 800, 380),
    "tornado": Chart("Sensitivity", 900, 680),
    # the bridge's waterfall in columns B:H (~600 px): on the first printed page across, not cut at its edge,
    # and clear of column A, which the page of the inputs that differ repeats (LibreOffice prints a chart's part
    # over a repeated column there)
    "bridge": Chart("Bridge", 595, 380, col=1),
    "summary": Chart(SUMMARY, 270, 300),
}
# The Demand chart: rack demand, each envelope and the racks used (the forecast, the least of them, unless racks
# are typed on Inputs), by the Demand sheet's line names, with the legend names
# (the forecast first: drawn as a wide band under the envelope that binds)
DEMAND_CHART_LINES = (("racks", "Rack forecast: the least of demand and the envelopes (racks used)"),
                      ("racks_demand", "Rack demand (before the envelopes)"),
                      ("rack_cap_power", "Power envelope"), ("rack_cap_cowos", "CoWoS envelope"),
                      ("rack_cap_spend", "Spend envelope"))


def below(top: int, rows: int) -> int:
    """First row of the block under a block that starts at row ``top`` and spans ``rows`` rows (0-based)."""
    return top + rows + GAP_ROWS


def below_chart(top: int, chart: str) -> int:
    """First row of the block under chart ``chart`` placed at row ``top``."""
    return below(top, CHARTS[chart].rows)


def chart_page_break(top: int) -> int:
    """The manual page break that prints a chart placed at row ``top`` at the head of a page, whole: in the blank
    row above it (a chart under a block that may end low on a page would otherwise straddle the break)."""
    return top - 1


# Bridge sheet: static Shapley bridges of the CPO TAM between scenarios (values written by the build). Each
# bridge is a table (title, column titles, one row per step, a check row) with its waterfall chart below it.
BRIDGE = "Bridge"
BRIDGE_YEAR = 2030
BRIDGE_PAIRS = (("base", "bear"), ("base", "bull"))
BRIDGE_NOTE_ROW = 2                # row 3: how the values were made (static)
BRIDGE_TOP = 4                     # row 5: the first bridge's title
# The table prints one page wide at PRINT_SCALE (A:F, the inputs that differ wrapped, their rows grown); the
# waterfall's helper columns lie right of it, outside the print area (BRIDGE_PRINT_LAST_COL): on screen for the
# chart, not on paper (they printed as a page of zeros and pushed the inputs onto a page of their own, cut).
# F has no title: it holds row 2's scenario (SCENARIO_SHOWN_COL + 1), which every printed page shows.
BRIDGE_COLUMNS = ("step", "unit", "change", "level", "inputs that differ (from -> to)", "", "chart base",
                  "chart up", "chart down", "chart total")
(BR_STEP_C, BR_UNIT_C, BR_CHANGE_C, BR_LEVEL_C, BR_INPUTS_C, BR_SCENARIO_C, BR_BASE_C, BR_UP_C, BR_DOWN_C,
 BR_TOTAL_C) = range(len(BRIDGE_COLUMNS))
# A:F sum to 124 characters: a page at PRINT_SCALE holds about 128 (the Inputs' A:G print on one)
BRIDGE_WIDTHS = (32, 7, 9, 9, 60, 7, 12, 12, 12, 12)
BRIDGE_PRINT_LAST_COL = BR_SCENARIO_C
# The last column printed where a sheet prints less than its cells (sheets not named: every cell and chart).
# Inputs: the table's columns (to the comment, K). Its rack rows run on to 2035 (P), which printed as a third
# page across of the years 2032-2035 beside a column of keys with nothing else; the racks of every year print
# on the Demand sheet.
PRINT_LAST_COL = {BRIDGE: BRIDGE_PRINT_LAST_COL, "Inputs": COMMENT_C}


@dataclass(frozen=True)
class BridgeBlock:
    """Where one bridge sits: its title row, the first and last step rows, its check row and its chart row."""

    title: int
    first: int
    last: int

    @property
    def header(self) -> int:
        return self.title + 1

    @property
    def check(self) -> int:
        return self.last + 1

    @property
    def chart(self) -> int:
        return below(self.title, self.check - self.title + 1)


def bridge_blocks(steps: list[int]) -> list[BridgeBlock]:
    """The blocks of the bridges in order, each with ``steps`` rows (start, components, end), one under another."""
    blocks, top = [], BRIDGE_TOP
    for n in steps:
        block = BridgeBlock(top, top + 2, top + 1 + n)
        blocks.append(block)
        top = below_chart(block.chart, "bridge")
    return blocks


def defined_names(n_inputs: int) -> dict[str, str]:
    """Every workbook-scope name and what it refers to (the Inputs table holds ``n_inputs`` rows)."""
    first, last = INPUTS_FIRST_KEY_ROW + 1, INPUTS_FIRST_KEY_ROW + n_inputs
    years = f"${_col(FIRST_YEAR_COL)}${INPUTS_YEARS_ROW + 1}:${_col(LAST_YEAR_COL)}"
    block = f"${_col(ASSUMPTIONS_BLOCK_COL)}${first}:${_col(ASSUMPTIONS_BLOCK_COL + 3)}${last}"
    names = {
        "assumptions": f"=Inputs!{block}",
        "years": f"=Inputs!{years}${INPUTS_YEARS_ROW + 1}",
        "rack_units": f"=Inputs!{years}${INPUTS_RACKS_ROW + 1}",
        "scenario": f"=Inputs!${_col(INPUTS_SCENARIO_COL)}${INPUTS_SCENARIO_ROW + 1}",
        "master_check": f"=Checks!${_col(FIRST_YEAR_COL)}${TITLE_ROW + 1}",
        "case_forecast": f"=Inputs!${_col(CASE_FORECAST_COL)}${INPUTS_CASE_ROW + 1}",
        "case_key": f"=Inputs!${_col(CASE_KEY_COL)}${INPUTS_CASE_ROW + 1}",
    }
    return names


def a1(row: int, col: int) -> str:
    """'C4' for a 0-based (row, column)."""
    return f"{_col(col)}{row + 1}"


def _col(col: int) -> str:
    return str(xl_col_to_name(col))


@dataclass(frozen=True)
class Line:
    """One row of a time-series sheet.

    kind: 'lines' (a registry line, row of a CPO_LINES block), 'pctl' (a CPO_PERCENTILES block row),
    'case' (a CPO_CASE key), 'link' (=another line), 'sum' (of lines), 'ratio' (a / b, 0 when b = 0),
    'diff_flag' (|a - b| > tolerance), 'excess_flag' (a > b + tolerance), 'share_flag' (a outside 0-1),
    'at_capacity' / 'positive_flag' (a at 1 / above 0), 'racks' (the Inputs racks row), 'rack_used'
    (override, else the forecast), 'addin_tam' / 'addin_layer' (=CPO_TAM / =CPO_LAYER_TAM of the year over
    the workbook's rack_units, assumptions and scenario: the add-in where the numbers are, checked against the
    blocks). ``key`` is what column C shows (a block row's line name, a percentile, an add-in row's layer).
    """

    name: str
    label: str
    unit: str
    kind: str
    key: str = ""
    refs: tuple[str, ...] = ()
    fmt: str = "#,##0"
    path: tuple[str, ...] = ()  # a registry line: where its cached value sits in the engine's result
    scenario: str | None = None  # the scenario its cached value is computed in (None: the workbook's)
    case: str = ""  # the CPO_CASE cell a block row reads: a workbook name, or LINE:<name> of a case row


@dataclass(frozen=True)
class Section:
    title: str


@dataclass(frozen=True)
class YearHeader(Section):
    """The header row again (line item, unit, key, the years) where a time-series sheet's lines continue on a
    new printed page: a page break goes before it. Pages repeat only the title and master check rows
    (PRINT_REPEAT_ROWS), so a page of a chart or of a table not by year shows no years above it."""

    title: str = "line item"


def year_header_rows(sheet: SeriesSheet) -> list[int]:
    """The 0-based rows of a sheet's repeated year headers (each starts a printed page)."""
    return [FIRST_LINE_ROW + i for i, item in enumerate(sheet.rows) if isinstance(item, YearHeader)]


@dataclass
class SeriesSheet:
    name: str
    title: str
    rows: list[Line | Section] = field(default_factory=list)
    note: str = ""  # one line under the master check (row 3, NOTE_ROW): why a line looks odd; true for any inputs


NOTE_ROW = CHECK_ROW + 1  # row 3 of a time-series sheet, between the master check and the line grid
# the notes say why a line looks odd in words that hold whatever the inputs (not numbers that would go stale)
PENETRATION_NOTE = ("Scale-up and NIC CPO ship only from their first years (Inputs, demand.*_year): before them "
                    "penetration is 0.")
EQUIPMENT_NOTE = ("Tools are sold into engine capacity added, not volume: the layer dips when starts rise less than "
                  "the year before.")
SCENARIOS_NOTE = ("Racks are NVL72-eq: where rack spend binds, a richer VR200/Kyber mix buys fewer, dearer racks, "
                  "so bull can ship fewer.")
# the Penetration sheet's curve parameter labels: at most this many characters print in column A before the
# unit beside them (LibreOffice's render: 'Scale-out: ramp length (linear only)' whole, 37 characters)
CURVE_LABEL_CHARS = 37
# a note prints on the first page across: at most this many characters per unit of the width of A to the last year
# column there (the 11 pt body type, italic, is about 1.05 characters per unit; kept under it)
NOTE_CHARS_PER_WIDTH = 0.95


def registry_line(item: LineItem) -> Line:
    """A registry line as a row: its UDF formula, and its cached value read from the engine by its path."""
    return Line(item.name, item.row_label, item.unit, "lines", key=item.name, fmt=item.fmt, path=item.path,
                case="case_key")


class Registry:
    """The registry's lines that show on sheets: rows by name, and the ones no sheet placed yet."""

    def __init__(self, items: list[LineItem]) -> None:
        self.items = {item.name: item for item in items if item.sheet}
        self.placed: set[str] = set()

    def row(self, name: str) -> Line:
        self.placed.add(name)
        return registry_line(self.items[name])

    def rest(self, sheet: str) -> list[Line]:
        """The sheet's registry lines not placed explicitly (a new line item lands here)."""
        return [self.row(n) for n, item in list(self.items.items()) if item.sheet == sheet and n not in self.placed]


PCT = "0.0%"
RATIO = "0.00"


def series_sheets(case: Case) -> list[SeriesSheet]:
    """Every time-series sheet, in workbook order (the company lines follow the case's assumption set)."""
    assumptions = case.assumptions()
    reg = Registry(line_items(case))
    demand = SeriesSheet("Demand", "Demand: racks to CPO ports and engines", [
        Line("racks", "NVIDIA rack-scale systems (NVL72-equivalents)", "NVL72-eq racks", "racks"),
        reg.row("ports"),
        reg.row("engines"),
        Line("ports_per_engine", "Ports per engine", "800G-eq/engine", "ratio", refs=("ports", "engines"),
             fmt=RATIO),
        *reg.rest("Demand"),
    ])
    penetration = SeriesSheet("Penetration", "Penetration: curves, supply cap, share", [
        Section("Demand curve: share of addressable ports before the supply cap (parameters on Inputs)"),
        *[reg.row(f"curve_{s}") for s in (*SEGMENTS, "all")],
        Section("Supply: PIC wafers x engines per wafer x yields"),
        *[reg.row(name) for name in ("wafers", "yield_3d", "yield_assembly", "capacity", "capacity_ports")],
        Line("ports_link", "CPO ports shipped", "800G-eq ports", "link", refs=("ports",)),
        Line("utilisation", "Capacity utilisation", "fraction", "ratio", refs=("ports_link", "capacity_ports"),
             fmt=PCT),
        Line("binding", "Binding constraint: 1 = supply, 0 = demand", "flag", "at_capacity", refs=("utilisation",),
             fmt="0"),
        Section("Effective penetration of addressable ports (after the supply cap)"),
        *[reg.row(f"pen_{s}") for s in (*SEGMENTS, "all")],
        *reg.rest("Penetration"),
    ], note=PENETRATION_NOTE)
    tam = SeriesSheet("TAM", "TAM by value-chain layer (US$ M)", [
        Line("tam_addin", "CPO TAM (=CPO_TAM, live from the add-in)", "US$ M", "addin_tam"),
        *[reg.row(f"tam_{layer}") for layer in LAYERS],
        Line("tam_sum", "CPO TAM (sum of layers)", "US$ M", "sum", refs=tuple(f"tam_{la}" for la in LAYERS)),
        reg.row("tam"),
        Line("optics", "Optics-only TAM (engines + lasers + fibre)", "US$ M", "sum",
             refs=tuple(f"tam_{la}" for la in LAYERS if la != "equipment")),
        *reg.rest("TAM"),
    ])
    sheets = [demand, penetration, tam]
    for layer in LAYERS:
        rows: list[Line | Section] = [Line(f"layer_{layer}", f"{LAYER_LABELS[layer]} TAM (=CPO_LAYER_TAM, the "
                                           "add-in)", "US$ M", "addin_layer", key=layer)]
        share_refs = []
        for ticker, company in assumptions.companies.items():
            if company.layer != layer:
                continue
            rows += [reg.row(name) for name in (f"rev_{ticker}", f"exp_{ticker}", f"net_{ticker}")
                     if name in reg.items]
        rows += reg.rest(LAYER_SHEETS[layer])
        rows.append(Section("Shares of the layer"))
        for ticker, company in assumptions.companies.items():
            if company.layer != layer:
                continue
            rows.append(Line(f"share_{ticker}", f"{ticker} ({company.name}) share of layer", "fraction", "ratio",
                             refs=(f"rev_{ticker}", f"layer_{layer}"), fmt=PCT))
            share_refs.append(f"share_{ticker}")
        rows.append(Section("Layer total"))
        rows.append(Line(f"shares_{layer}", "Listed shares of layer, total", "fraction", "sum",
                         refs=tuple(share_refs), fmt=PCT))
        sheets.append(SeriesSheet(LAYER_SHEETS[layer], f"{LAYER_LABELS[layer]}: TAM and companies", rows,
                                  note=EQUIPMENT_NOTE if layer == "equipment" else ""))
    sheets.append(scenarios_sheet(case))
    sheets.append(SeriesSheet("Risk", "Risk: Monte Carlo range (10,000 draws)", [
        *[Line(f"pctl_{q}", f"CPO TAM P{round(float(q) * 100)}", "US$ M", "pctl", key=q, case="case_forecast")
          for q in PERCENTILES],
        Line("tam_deterministic", "CPO TAM, deterministic (this scenario)", "US$ M", "link", refs=("tam",)),
    ]))
    checks = SeriesSheet("Checks", "Checks: each line is 0 when it holds", [
        Line("chk_tam", "TAM: sum of layers equals CPO_TAM", "flag", "diff_flag", refs=("tam_sum", "tam"),
             fmt="0"),
        Line("chk_addin_tam", "Add-in: =CPO_TAM on the TAM sheet equals the model block", "flag", "diff_flag",
             refs=("tam_addin", "tam"), fmt="0"),
        *[Line(f"chk_addin_{la}", f"Add-in: =CPO_LAYER_TAM on {LAYER_SHEETS[la]} equals the model block", "flag",
               "diff_flag", refs=(f"layer_{la}", f"tam_{la}"), fmt="0") for la in LAYERS],
        Line("chk_capacity", "Ports shipped within capacity", "flag", "excess_flag",
             refs=("ports_link", "capacity_ports"), fmt="0"),
        *[Line(f"chk_pen_{s}", f"{SEGMENT_LABELS[s]} penetration within 0-1", "flag", "share_flag",
               refs=(f"pen_{s}",), fmt="0") for s in (*SEGMENTS, "all")],
        *[Line(f"chk_shares_{la}", f"{LAYER_LABELS[la]}: company shares within 0-1", "flag", "share_flag",
               refs=(f"shares_{la}",), fmt="0") for la in LAYERS],
        Line("chk_order_low", "Scenarios: bear TAM at most base TAM", "flag", "excess_flag",
             refs=("sc_tam_bear", "sc_tam_base"), fmt="0"),
        Line("chk_order_high", "Scenarios: base TAM at most bull TAM", "flag", "excess_flag",
             refs=("sc_tam_base", "sc_tam_bull"), fmt="0"),
        Line("chk_pctl_low", "Risk: P10 at most P50", "flag", "excess_flag", refs=("pctl_0.1", "pctl_0.5"),
             fmt="0"),
        Line("chk_pctl_high", "Risk: P50 at most P90", "flag", "excess_flag", refs=("pctl_0.5", "pctl_0.9"),
             fmt="0"),
        *[Line(f"chk_env_{env}", f"NVIDIA racks within the {what} envelope", "flag", "excess_flag",
               refs=("racks", f"rack_cap_{env}"), fmt="0")
          for env, what in (("power", "data-centre power"), ("cowos", "CoWoS capacity"), ("spend", "spend"))],
        Line("chk_discount", "CPO/pluggable price ratio within 1 - discount +/- band", "flag", "positive_flag",
             refs=("discount_gap",), fmt="0"),
        Line("chk_total", "Checks failing", "count", "sum", refs=(), fmt="0"),
        YearHeader(),  # the lines continue on a second printed page: the checks fill the first
        Section("Not checks: what binds (informational, outside the master check)"),
        Line("info_rack_binding", "Rack forecast set by: 0 demand, 1 power, 2 CoWoS, 3 spend", "code", "link",
             refs=("rack_binding",), fmt="0"),
        Line("info_supply_binding", "Supply binds: 1 = supply, 0 = demand", "flag", "link", refs=("binding",),
             fmt="0"),
    ])
    sheets.append(checks)
    return [*sheets, engine_sheet(sheets)]


def engine_sheet(sheets: list[SeriesSheet]) -> SeriesSheet:
    """Move every block row (registry lines, percentiles) to the Engine sheet, grouped by the case it reads so
    that each group is one array formula, and leave a link of the same name on its sheet."""
    moved: dict[tuple[str, str], list[Line]] = {}
    for sheet in sheets:
        for i, item in enumerate(sheet.rows):
            if isinstance(item, Line) and item.kind in ("lines", "pctl"):
                engine = replace(item, name=f"e_{item.name}", label=f"{sheet.name}: {item.label}")
                moved.setdefault((item.kind, item.case), []).append(engine)
                sheet.rows[i] = Line(item.name, item.label, item.unit, "link", key=item.key, refs=(engine.name,),
                                     fmt=item.fmt)
    rows: list[Line | Section] = [Line("e_inputs_rack_forecast", "Inputs: scenario rack forecast", "NVL72-eq racks",
                                       "lines", key="rack_forecast", path=("rack_forecast",), case="case_forecast",
                                       scenario=None, fmt="#,##0")]
    for (kind, case), group in moved.items():
        rows.append(Section(f"{'Percentiles' if kind == 'pctl' else 'Lines'} of {case.removeprefix('LINE:')}"))
        rows += group
    return SeriesSheet(ENGINE, "Engine: every model block (one array formula each); the model sheets link here",
                       rows)


def scenarios_sheet(case: Case, top: int = 5) -> SeriesSheet:
    """Bear, base and bull side by side, each from its own Inputs column (picked by the scenario in column C):
    registry lines computed in each scenario."""
    leaders = list(ranking(case, 2030).head(top)["ticker"])
    items = {item.name: item for item in line_items(case)}
    rows: list[Line | Section] = []
    for s in ("bear", "base", "bull"):
        def row(name: str, item: str, label: str, fmt: str = "#,##0", scenario: str = s) -> Line:
            return Line(name, label, items[item].unit, "lines", key=item, fmt=fmt, path=items[item].path,
                        scenario=scenario, case=f"LINE:sc_case_{scenario}")
        rows += [
            *([YearHeader()] if rows else []),  # each scenario prints on a page of its own, under the years
            Section(f"{s.capitalize()} scenario (its Inputs column; racks: override, else its forecast)"),
            Line(f"sc_fc_case_{s}", f"Model case, forecast racks ({s})", "key", "case", key=s),
            Line(f"sc_fc_{s}", f"Racks forecast ({s})", "NVL72-eq racks", "lines", key="rack_forecast",
                 path=("rack_forecast",), scenario=s, case=f"LINE:sc_fc_case_{s}"),
            Line(f"sc_racks_{s}", f"Racks used ({s})", "NVL72-eq racks", "rack_used", key=s, refs=(f"sc_fc_{s}",)),
            Line(f"sc_case_{s}", f"Model case ({s})", "key", "case", key=s,
                 refs=(f"sc_racks_{s}", f"sc_fc_case_{s}")),
            *[row(f"sc_{s}_{layer}", f"tam_{layer}", f"{LAYER_LABELS[layer]} TAM ({s})") for layer in LAYERS],
            row(f"sc_tam_{s}", "tam", f"CPO TAM ({s})"),
            row(f"sc_pen_{s}", "pen_all", f"Effective penetration, all segments ({s})", PCT),
            *[row(f"sc_exp_{s}_{t}", f"exp_{t}", f"{t} gross CPO exposure ({s})", "0.00%") for t in leaders],
        ]
    return SeriesSheet("Scenarios", "Scenarios: bear, base and bull", rows, note=SCENARIOS_NOTE)


def year_col(year: int) -> int:
    return FIRST_YEAR_COL + YEARS.index(year)


# A time-series sheet's second page across repeats only A:C (the master check's value in C2): row 2 repeats the
# check in words and the scenario above its first year, as D2:F2 show them on the first page
SERIES_PAGE2_CHECK_COL = year_col(SERIES_SPLIT_YEAR)


LAST_YEAR_COL = FIRST_YEAR_COL + len(YEARS) - 1


@lru_cache(maxsize=1)
def layout_digest() -> str:
    """A digest [12 hex] of what this code lays out: the sheets, the Inputs columns, every row of the model
    sheets (name, label, unit, kind, references) for the shipped case and the spec's print settings. A file
    whose build record names another digest was built by other cpo-xl code, so its differences from a rebuild
    may be that code's, not edits."""
    # the print settings too: the build guard compares them with a rebuild, so code that prints the sheets
    # otherwise (titles, scale) must read as other code, not as a person's edits
    printing = (PRINT_SCALE, PRINT_SCALE_BY_SHEET, PRINT_REPEAT_DEFAULT, PRINT_REPEAT_ROWS, PRINT_REPEAT_COLS,
                PRINT_LAST_COL)
    text = repr((SHEETS, PM_ORDER, INPUT_COLUMNS, series_sheets(Case()), printing))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
