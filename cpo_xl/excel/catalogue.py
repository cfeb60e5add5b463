"""The UDF catalogue: what Excel shows of each CPO_* function (wizard text, argument docs, unit, example).

Each signature lives in one place, the plain function in :mod:`cpo_xl.excel.functions`: the catalogue reads
argument names and which are optional from it, and adds a doc for each (an argument without a doc, or a doc
without an argument, fails at import). The xlwings module ``udfs/cpo_udfs.py``, the xlwings Lite ``main.py``
that ``cpo-xl lite`` writes, the README's function table and the workbook's About sheet are all generated from
here, so none of them can drift.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from typing import Any

from cpo_xl.engine.curves import parameter_rule
from cpo_xl.engine.timeline import FIRST_YEAR, LAST_YEAR
from cpo_xl.excel import blocks, functions

COMMON_DOCS = {
    "year": "Calendar year, a whole number 2023-2035",
    "rack_units": "NVIDIA rack-scale systems in NVL72-equivalents (72 GPU packages): one number (racks in year) "
                  "or a 2-row/2-column range of years and racks",
    "assumptions": "Optional range: 2 columns (key, value) overriding the scenario, or 4 columns (key, bear, "
                   "base, bull) whose column the scenario picks, as the workbook's assumptions name; or a "
                   "CPO_CASE key (e.g. case_forecast), whose scenario then holds",
    "scenario": "Optional scenario: bear, base (default) or bull; also picks the column of a 4-column "
                "assumptions range",
}


@dataclass(frozen=True)
class Arg:
    name: str
    doc: str
    optional: bool = False


@dataclass(frozen=True)
class Udf:
    name: str
    doc: str  # Excel's function wizard shows at most 255 characters
    returns: str
    example: str
    docs: dict[str, str] = field(default_factory=dict)  # argument docs beyond (or instead of) COMMON_DOCS
    array: bool = False  # returns a 2-D range

    @property
    def args(self) -> tuple[Arg, ...]:
        """The function's own parameters, each with its doc; optional = has a default."""
        params = inspect.signature(implementation(self.name)).parameters.values()
        return tuple(Arg(p.name, self.docs.get(p.name) or COMMON_DOCS[p.name], p.default is not p.empty)
                     for p in params)


def allowed(field: str) -> str:
    """What a curve parameter accepts, in the words of its bound in the schema (as CPO_CURVE's message says)."""
    return parameter_rule(field).text()


TICKER = {"ticker": "Company ticker, e.g. AVGO, LITE, TSM"}
CASE = {"case_key": "A CPO_CASE cell (the workbook's case_key / case_forecast names)"}


def implementation(name: str) -> Any:
    """The plain Python function behind a UDF: the single-value functions, then the block functions."""
    return getattr(functions, name, None) or getattr(blocks, name)


def module_of(name: str) -> str:
    return "fn" if hasattr(functions, name) else "blocks"

CATALOGUE: tuple[Udf, ...] = (
    Udf("CPO_TAM", "CPO TAM of the year in US$ M, all five value-chain layers, supply-constrained.",
        "US$ M", "=CPO_TAM(2028, rack_units)"),
    Udf("CPO_LAYER_TAM", "TAM of one value-chain layer in US$ M (definers, foundry_packaging, lasers, "
        "fiber_connectivity, equipment).", "US$ M", '=CPO_LAYER_TAM("lasers", 2028, rack_units)',
        {"layer": "definers, foundry_packaging, lasers, fiber_connectivity or equipment"}),
    Udf("CPO_PORTS", "CPO ports shipped in the year, 800G-equivalent.", "800G-eq ports",
        "=CPO_PORTS(2028, rack_units)"),
    Udf("CPO_ENGINES", "Optical engines shipped in the year (units).", "engines", "=CPO_ENGINES(2028, rack_units)"),
    Udf("CPO_PENETRATION", "Effective (supply-constrained) CPO share 0-1 of a segment's addressable ports; "
        "all = bandwidth-weighted.", "share 0-1", '=CPO_PENETRATION(2030, "scale_up", rack_units)',
        {"segment": "Optional: scale_out, scale_up, nic or all (default)",
         "rack_units": "Optional racks (number or years/racks range); default: built-in forecast",
         "basis": "Optional: effective (default, after the supply cap) or demand (the curve alone)"}),
    Udf("CPO_SUPPLY", "Engines the supply chain can deliver in the year (3.2T-equivalent): PIC wafers x "
        "engines/wafer x yields; or that capacity in 800G-eq ports, the wafers, or a yield.",
        "3.2T-eq engines", "=CPO_SUPPLY(2028)",
        {"measure": "Optional: engines (3.2T-eq, default), ports (800G-eq), wafers, yield_3d or yield_assembly"}),
    Udf("CPO_CURVE", "Raw adoption curve value: logistic (L,k,t0), gompertz (L,b,t0), bass (p,q,launch_year), "
        "linear (L,start,ramp_years).", "share 0-1", '=CPO_CURVE("logistic", 2030, 0.6, 0.926, 2029.6)',
        {"model": "logistic, gompertz, bass or linear",
         "year": f"Year to evaluate ({allowed('midpoint')}, may be fractional)",
         "a": f"First parameter: L ({allowed('ceiling')}) for logistic, gompertz, linear; p ({allowed('innovation')}) "
              "for bass",
         "b": f"Second parameter: k, b or q ({allowed('rate')}); the start year ({allowed('midpoint')}) for linear",
         "c": f"Third parameter: t0 or launch year ({allowed('midpoint')}); ramp years ({allowed('ramp_years')}) for "
              "linear"}),
    Udf("CPO_FIT", "Fitted curve parameters (a, b, c) as a 1x3 row: closed form for 2 or 3 logistic anchors, "
        "least squares otherwise.", "(a, b, c)", '=CPO_FIT("logistic", {2026,2030}, {0.02,0.35}, 0.6)',
        {"model": "logistic, gompertz or bass", "years": f"Anchor years ({allowed('midpoint')}): a row or column",
         "shares": f"Anchor shares ({allowed('ceiling')}), same length as years",
         "ceiling": "Optional ceiling L above 0, at most 1 (required for a 2-anchor logistic)"}, array=True),
    Udf("CPO_SUPPLIER_REVENUE", "The company's CPO revenue in US$ M: its layer's TAM x its share of the layer.",
        "US$ M", '=CPO_SUPPLIER_REVENUE("AVGO", 2030, rack_units)', TICKER),
    Udf("CPO_ELASTICITY", "exposure (CPO revenue / total revenue, default), net_exposure (less displaced "
        "legacy revenue) or ebit (EBIT elasticity).", "fraction or x", '=CPO_ELASTICITY("MRVL", 2030, rack_units)',
        {**TICKER, "measure": "Optional: exposure (default), net_exposure or ebit"}),
    Udf("CPO_CROSSCHECK", "Model / published figure for a top-down anchor (yole, lightcounting, trendforce, "
        "tsmc, ...) in that year.", "x", '=CPO_CROSSCHECK("yole", 2030, rack_units)',
        {"source": "Published source id, e.g. yole, lightcounting, trendforce, tsmc"}),
    Udf("CPO_CAGR", "Compound annual growth rate between two values.", "1/yr", "=CPO_CAGR(67, 8000, 2024, 2030)",
        {"start_value": "Value in the start year, greater than 0", "end_value": "Value in the end year, at least 0",
         "start_year": f"Start year, a whole number {FIRST_YEAR}-{LAST_YEAR}",
         "end_year": f"End year, a whole number after start_year, up to {LAST_YEAR}"}),
    Udf("CPO_RACKS", "The scenario's NVIDIA rack forecast in racks/yr, from its racks.* inputs (the engine's one "
        "forecast; the Inputs sheet shows it).", "racks", "=CPO_RACKS(2028)"),
    Udf("CPO_LINE", "Any line of the model registry in a year, in its unit (the key column of a model sheet "
        "names it: tam, ports, pen_all, rev_AVGO, ...).", "line's unit", '=CPO_LINE("capacity", 2028)',
        {"line": "Line name from the registry, e.g. tam, ports, capacity, pen_all, exp_AVGO",
         "rack_units": "Optional racks (number or years/racks range); default: built-in forecast"}),
    Udf("CPO_CASE", "A key that is the case itself (scenario, the inputs that differ from the shipped set, "
        "bear/bull bounds, typed racks), which the block functions take instead of the ranges: any process "
        "decodes it, in any calculation order.", "text",
        "=CPO_CASE(assumptions, scenario, rack_units)",
        {"rack_units": "Optional racks: a 2-row/2-column years/racks range, or a racks row with years",
         "years": "Optional years row that pairs with a racks row"}),
    Udf("CPO_LINES", "Registry lines (names, e.g. a key column) by year (a years row) for a CPO_CASE key, as one "
        "array: rows = lines, columns = years.", "lines' units", "{=CPO_LINES(case_key, C5:C9, D4:P4)}",
        {**CASE, "line_names": "Column or row of registry line names", "years": "Row of years"}),
    Udf("CPO_COMPANIES", "Per ticker: CPO revenue (US$ M), exposure, net exposure, EBIT elasticity in a year, as "
        "one array (n/a where undefined).", "mixed", "{=CPO_COMPANIES(case_key, A7:A28, C4)}",
        {**CASE, "tickers": "Column of tickers", "year": "Calendar year"}),
    Udf("CPO_TORNADO", "Per input key: TAM change (US$ M) with the input at its bear and at its bull value, as "
        "one n x 2 array.", "US$ M", "{=CPO_TORNADO(case_forecast, A7:A30, C4)}",
        {**CASE, "input_keys": "Column of dotted assumption keys with a bear/bull range", "year": "Calendar year"}),
    Udf("CPO_RATIOS", "Per published figure (source id and year, row by row): model / published, as one n x 1 "
        "array.", "x", "{=CPO_RATIOS(case_key, C7:C21, D7:D21)}",
        {**CASE, "sources": "Column of source ids", "years": "Column of years, one per source"}),
    Udf("CPO_PERCENTILES", "Monte Carlo percentiles of the CPO TAM (US$ M): rows = percentiles, columns = years "
        "(10,000 seeded draws).", "US$ M", "{=CPO_PERCENTILES(case_forecast, C5:C7, D4:P4)}",
        {**CASE, "percentiles": "Column of fractions 0-1, e.g. 0.1, 0.5, 0.9", "years": "Row of years"}),
    Udf("CPO_TABLE", "A whole model table: first row = label then years, first column = line items. Names: "
        "demand, penetration, tam, companies, crosscheck.", "2-D table", '=CPO_TABLE("tam", rack_units)',
        {"name": "demand, penetration, tam, companies or crosscheck",
         "rack_units": "Years/racks range, or empty for the built-in forecast"}, array=True),
    Udf("CPO_SENSITIVITY", "TAM swing in US$ M when one input moves from its bear to its bull value, others "
        "held (side low/high: change vs the scenario at each end).", "US$ M",
        '=CPO_SENSITIVITY("envelopes.dc_additions_growth", 2030, "")',
        {"input_key": "Dotted assumption key with a bear/bull range, e.g. pricing.erosion_2027",
         "side": "Optional: swing (default, bull less bear), low or high"}),
    Udf("CPO_TAM_PCTL", "Percentile of the year's CPO TAM in US$ M over 10,000 Monte Carlo draws (fixed seed: "
        "the same call gives the same number); 0.1 = P10, 0.5 = median.", "US$ M", '=CPO_TAM_PCTL(2030, 0.9, "")',
        {"percentile": "Fraction 0-1, e.g. 0.1 for P10",
         "rack_units": "Optional racks; empty: racks are drawn with the other inputs"}),
    Udf("CPO_VERSION", "Package version and the fingerprint of the default assumptions (as cpo-xl summary "
        "prints it).", "text", "=CPO_VERSION()"),
)

BY_NAME = {udf.name: udf for udf in CATALOGUE}


def signature(udf: Udf) -> str:
    """'CPO_TAM(year, rack_units, [assumptions], [scenario])'."""
    parts = [f"[{a.name}]" if a.optional else a.name for a in udf.args]
    return f"{udf.name}({', '.join(parts)})"


def markdown_table() -> str:
    """The README's function reference, generated from the catalogue."""
    lines = ["| formula | returns | what | example |", "|---|---|---|---|"]
    for udf in CATALOGUE:
        lines.append(f"| `{signature(udf)}` | {udf.returns} | {udf.doc} | `{udf.example}` |")
    return "\n".join(lines)


def _check_docs() -> None:
    """Every parameter has a doc and every doc a parameter (run at import: drift fails loudly)."""
    for udf in CATALOGUE:
        params = set(inspect.signature(implementation(udf.name)).parameters)
        missing = [p for p in params if p not in udf.docs and p not in COMMON_DOCS]
        extra = [d for d in udf.docs if d not in params]
        if missing or extra or len(udf.doc) > 255:
            raise ValueError(f"catalogue {udf.name}: undocumented {missing}, unknown docs {extra}, or doc > 255")


_check_docs()

MODULE_HEADER = '''"""xlwings UDFs for cpo-xl: Excel's "UDF Modules" setting names this module (cpo_udfs).

GENERATED from cpo_xl/excel/catalogue.py by `python scripts/update_udfs.py`; do not edit (a test fails when
it is stale). Each function forwards to cpo_xl.excel.functions; its docstring, argument docs, category and
return shape come from the catalogue, so the wizard text cannot drift from the docs.
"""

from collections.abc import Callable
from typing import Any

import xlwings as xw

from cpo_xl.excel import blocks
from cpo_xl.excel import functions as fn
from cpo_xl.excel.catalogue import BY_NAME
from cpo_xl.excel.officejs import skip_jsnull_probe

skip_jsnull_probe(xw.utils)  # else xlwings' Office.js path searches sys.path for Pyodide once per argument cell

CATEGORY = "CPO"


def catalogued(func: Callable[..., Any]) -> Callable[..., Any]:
    """Apply the xlwings decorators described by the function's catalogue record. err_to_str: an error cell
    arrives as its text ('#N/A'), which the function refuses naming the argument; xlwings' default hands it
    over as None, an empty cell, and the model would silently use a default."""
    udf = BY_NAME[func.__name__]
    func.__doc__ = udf.doc
    for arg in reversed(udf.args):
        func = xw.arg(arg.name, doc=arg.doc, err_to_str=True)(func)
    if udf.array:
        func = xw.ret(expand="table")(func)
    return xw.func(category=CATEGORY)(func)
'''


def module_source() -> str:
    """The text of ``udfs/cpo_udfs.py``: one forwarding function per catalogue record."""
    parts = [MODULE_HEADER]
    for udf in CATALOGUE:
        params = ", ".join(f"{a.name}=None" if a.optional else a.name for a in udf.args)
        call = ", ".join(a.name for a in udf.args)
        module = module_of(udf.name)
        parts.append(f"\n\n@catalogued\ndef {udf.name}({params}):\n    return {module}.{udf.name}({call})\n")
    return "".join(parts)


LITE_HEADER = '''"""cpo-xl's functions for xlwings Lite (Excel on the Mac, on the web and on Windows): the main.py tab.

GENERATED from cpo_xl/excel/catalogue.py by `cpo-xl lite` (cpo-xl {version}); rerun it rather than editing.
Self-contained: each function forwards to the engine in the cpo-xl wheel that requirements.txt installs, and
its description and argument docs are the catalogue's, as in the Windows module udfs/cpo_udfs.py. err_to_str:
an error cell arrives as its text ('#N/A'), which the function refuses naming the argument; without it the
error would arrive as None, an empty cell, and the model would silently use a default. Array results
(CPO_FIT, CPO_TABLE, the block functions) spill on their own.
"""

from xlwings import arg, func

from cpo_xl.excel import blocks
from cpo_xl.excel import functions as fn
'''


def _literal(text: str) -> str:
    """A double-quoted Python string literal (JSON's escapes are Python's)."""
    return json.dumps(text, ensure_ascii=False)


def _docstring(text: str) -> str:
    """A docstring: triple-quoted when that is safe, else a plain literal (still the docstring)."""
    return _literal(text) if '"' in text or "\\" in text else f'"""{text}"""'


def lite_source(version: str) -> str:
    """The text of an xlwings Lite ``main.py``: every catalogue function with xlwings' ``@func``/``@arg``
    decorators written out (Lite registers what it finds in main.py). Unlike :func:`module_source`, no
    ``category`` and no ``expand="table"``: both are options of classic xlwings only, and Lite spills arrays."""
    parts = [LITE_HEADER.format(version=version)]
    for udf in CATALOGUE:
        params = ", ".join(f"{a.name}=None" if a.optional else a.name for a in udf.args)
        call = ", ".join(a.name for a in udf.args)
        decorators = "".join(f"@arg({_literal(a.name)}, doc={_literal(a.doc)}, err_to_str=True)\n"
                             for a in udf.args)
        parts.append(f"\n\n@func\n{decorators}def {udf.name}({params}):\n    {_docstring(udf.doc)}\n"
                     f"    return {module_of(udf.name)}.{udf.name}({call})\n")
    return "".join(parts)
