"""Hand-placed tables as column specs: each column has a name, a header, a print width and, where its cells are
formulas over the same row, a formula template naming the columns it reads (``{published}`` is the published
column's cell in that row). Writers, formulas and charts refer to columns by name, so moving a column is one
edit here, and a formula cannot point at the wrong letter.

Columns are 0-based (XlsxWriter's convention); a template renders A1 references (Excel's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    width: float | None = None  # characters; None = the sheet's default
    formula: str | None = None  # "=..." over other columns of the row, by {name}


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]

    def col(self, name: str) -> int:
        """0-based column of a named column."""
        for i, c in enumerate(self.columns):
            if c.name == name:
                return i
        raise KeyError(f"no column {name!r} in this table ({', '.join(c.name for c in self.columns)})")

    def letter(self, name: str) -> str:
        """The column's letter (E)."""
        return xl_col_to_name(self.col(name))

    def cell(self, name: str, row: int, absolute: bool = False) -> str:
        """A1 reference of a named column in a 0-based row (E12 / $E$12)."""
        return xl_rowcol_to_cell(row, self.col(name), row_abs=absolute, col_abs=absolute)

    def width(self, name: str) -> float:
        """The column's print width in characters (0 when it takes the sheet's default)."""
        return self.columns[self.col(name)].width or 0

    def span(self, name: str, first: int, last: int) -> str:
        """Absolute range of a named column over 0-based rows first..last ($E$5:$E$20)."""
        return f"{self.cell(name, first, True)}:{self.cell(name, last, True)}"

    def formula(self, name: str, row: int, **extra: str) -> str:
        """The column's formula in a 0-based row: each {column} becomes that column's cell in the row; other
        {placeholders} come from ``extra`` (references outside the table, such as a band cell)."""
        template = self.columns[self.col(name)].formula
        if template is None:
            raise KeyError(f"column {name!r} holds no formula")

        def ref(m: re.Match[str]) -> str:
            if m[2] in extra:
                return extra[m[2]]
            return xl_rowcol_to_cell(row, self.col(m[2]), col_abs=bool(m[1]))  # {$name}: the column held absolute
        return re.sub(r"\{(\$?)(\w+)\}", ref, template)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def widths(self) -> tuple[float | None, ...]:
        return tuple(c.width for c in self.columns)


# TAM sheet, under the TAM chart: published CPO-scope figures against the model (the bar chart reads published,
# model and chart label by name)
CROSSCHECK = Table((
    Column("source", "source"),
    Column("metric", "metric"),
    Column("key", "key"),
    Column("year", "year"),
    Column("published", "published"),
    Column("ratio", "model/pub."),  # linked from the engine block (CPO_RATIOS); fits its year-wide column
    Column("model", "model", formula="={published}*{ratio}"),
    Column("chart_label", "chart label", formula='="{label} "&{year}'),  # follows the year cell
))

# Checks sheet: the reason column starts the second printed page of years (L.SERIES_SPLIT_YEAR) and spans to the
# sheet's edge, so a flagged row's reason prints whole (tests/test_tables.py holds the two together)
RECONCILIATION = Table((
    Column("source", "source [scope]"),
    Column("relation", "relation"),
    Column("key", "key"),
    Column("year", "year"),
    Column("published", "published"),
    Column("model", "model", formula="={published}*{ratio}"),
    Column("ratio", "model/pub."),  # linked from the engine block (CPO_RATIOS)
    Column("flag", "flag", formula='=IF({$relation}="ceiling",IF({ratio}>1,1,0),IF({$relation}="floor",'
                                   'IF({ratio}<1,1,0),IF(OR({ratio}<1/{band},{ratio}>{band}),1,0)))'),
    Column("unit", "unit"),
    Column("gap", ""),
    Column("reason", "why the model departs (where flagged)"),
))

ANCHORS = Table((
    Column("publisher", "publisher"),
    Column("kind", "kind"),
    Column("key", "key"),
    Column("year", "year"),
    Column("disclosed", "disclosed"),
    Column("model", "model"),  # a link to the model line's cell in the anchor's year
    Column("ratio", "model/discl.", formula="={model}/{disclosed}"),
    Column("flag", "flag", formula="=IF({test},1,0)"),
    Column("unit", "unit"),
    Column("gap", ""),
    Column("reason", "why the model departs (where flagged)"),
))

# Elasticity sheet: one row per company, ranked; widths print one page wide at L.PRINT_SCALE
ELASTICITY = Table((
    Column("ticker", "ticker", 11),
    Column("company", "company", 24),
    Column("layer", "layer", 20),
    Column("cpo_revenue", "CPO revenue [US$ M]", 13),  # the four company fields are one CPO_COMPANIES block
    Column("exposure", "exposure [fraction]", 12),
    Column("net_exposure", "net exposure [fraction]", 12),
    Column("ebit_elasticity", "EBIT elasticity [x]", 12),
    # wide enough for "no revenue on file" (right-aligned text spills left, under the n/a beside it)
    Column("rank", "rank by exposure", 19, formula="=RANK({exposure},{all_exposures})"),
))

# Sensitivity sheet: the tornado table (key and label wrap; one page wide at L.PRINT_SCALE)
TORNADO = Table((
    Column("key", "input key", 24),
    Column("label", "input", 36),
    Column("bear_value", "bear value", 9),
    Column("bull_value", "bull value", 9),
    Column("at_bear", "TAM change at bear [US$ M]", 11),  # at_bear and at_bull: one CPO_TORNADO block
    Column("at_bull", "TAM change at bull [US$ M]", 11),
    Column("swing", "swing [US$ M]", 10, formula="=ABS({at_bull}-{at_bear})"),
    Column("unit", "unit (of the input)", 12),
))

# Summary: the dollar winners, ranked live by LARGE over the Elasticity table (names follow ELASTICITY's)
WINNERS = Table((
    Column("company", "company"),
    Column("ticker", "ticker"),
    Column("cpo_revenue", "CPO rev."),
    Column("exposure", "gross exp."),
    Column("net_exposure", "net exp."),
    Column("rank", "rank"),
))

# Summary: the inputs that move the TAM most, read live from the tornado by the same column names
SUMMARY_INPUTS = Table((
    Column("label", "input"),
    Column("unit", "unit"),
    Column("bear_value", "bear value"),
    Column("bull_value", "bull value"),
    Column("at_bear", "at bear"),
    Column("at_bull", "at bull"),
    Column("swing", "swing"),
))

# Sensitivity sheet, below the two-way table: one company's exposure tornado (values from the build)
EXPOSURE_TORNADO = Table((
    Column("key", "input key"),
    Column("label", "input"),
    Column("at_bear", "exposure at bear"),
    Column("at_bull", "exposure at bull"),
    Column("swing", "swing"),
))

# Sensitivity sheet, beside the Monte Carlo: each listed company's exposure percentiles (values from the build)
EXPOSURE_RANGES = Table((
    Column("ticker", "ticker"),
    Column("unit", "unit"),
    Column("key", "key"),
    Column("p10", "P10"),
    Column("p50", "P50"),
    Column("p90", "P90"),
))

# Penetration sheet, below its chart: the curve parameters in force, linked from the Inputs live column
CURVE_PARAMETERS = Table((
    Column("label", "parameter"),
    Column("unit", "unit"),
    Column("value", "value"),
))

# Sources sheet: every default number (one page wide at L.PRINT_SCALE)
SOURCES = Table((
    Column("key", "key", 28),
    Column("label", "label", 28),
    Column("base", "base value", 10),
    Column("unit", "unit", 11),
    Column("source", "source", 36),
    Column("date", "date", 8),
    Column("grade", "grade", 5),
))

# Sources sheet, above the defaults (in their columns): the published forecasts the reconciliation uses, each
# value with separators and its unit
PUBLISHED = Table((
    Column("id", "id"),
    Column("source", "source"),
    Column("year", "year"),
    Column("value", "value"),
    Column("scope", "unit; metric: scope"),
    Column("date", "date"),
    Column("grade", "grade"),
))

TABLES = {"crosscheck": CROSSCHECK, "reconciliation": RECONCILIATION, "anchors": ANCHORS,
          "elasticity": ELASTICITY, "tornado": TORNADO, "winners": WINNERS,
          "summary_inputs": SUMMARY_INPUTS, "exposure_tornado": EXPOSURE_TORNADO, "exposure_ranges": EXPOSURE_RANGES,
          "curve_parameters": CURVE_PARAMETERS, "sources": SOURCES, "published": PUBLISHED}
