"""The UDF catalogue as data: one record per Excel function. The UDF module, the README's function table,
the workbook's About sheet and the headless recalculation all read it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arg:
    name: str
    doc: str
    optional: bool = False


@dataclass(frozen=True)
class Udf:
    name: str
    doc: str  # Excel's function wizard shows at most 255 characters
    args: tuple[Arg, ...]
    returns: str
    example: str
    array: bool = False  # returns a 2-D range


YEAR = Arg("year", "Calendar year, a whole number 2023-2035")
RACKS = Arg("rack_units", "NVIDIA AI racks: one number (racks in year) or a 2-row/2-column range of years and racks")
ASSUMPTIONS = Arg("assumptions", "Optional 2-column range of (dotted key, value) overrides; blank rows ignored", True)
SCENARIO = Arg("scenario", "Optional scenario: bear, base (default) or bull", True)
TAIL = (ASSUMPTIONS, SCENARIO)

CATALOGUE: tuple[Udf, ...] = (
    Udf("CPO_TAM", "CPO TAM of the year in US$ M, all five value-chain layers, supply-constrained.",
        (YEAR, RACKS, *TAIL), "US$ M", "=CPO_TAM(2028, rack_units)"),
    Udf("CPO_LAYER_TAM", "TAM of one value-chain layer in US$ M (definers, foundry_packaging, lasers, "
        "fiber_connectivity, equipment).",
        (Arg("layer", "definers, foundry_packaging, lasers, fiber_connectivity or equipment"), YEAR, RACKS, *TAIL),
        "US$ M", '=CPO_LAYER_TAM("lasers", 2028, rack_units)'),
    Udf("CPO_PORTS", "CPO ports shipped in the year, 800G-equivalent.", (YEAR, RACKS, *TAIL), "800G-eq ports",
        "=CPO_PORTS(2028, rack_units)"),
    Udf("CPO_ENGINES", "Optical engines shipped in the year (units).", (YEAR, RACKS, *TAIL), "engines",
        "=CPO_ENGINES(2028, rack_units)"),
    Udf("CPO_PENETRATION", "Effective (supply-constrained) CPO share 0-1 of a segment's addressable ports; "
        "all = bandwidth-weighted.",
        (YEAR, Arg("segment", "Optional: scale_out, scale_up, nic or all (default)", True),
         Arg("rack_units", "Optional racks (number or years/racks range); default: built-in forecast", True),
         *TAIL, Arg("basis", "Optional: effective (default, after the supply cap) or demand (the curve alone)",
                    True)), "share 0-1", '=CPO_PENETRATION(2030, "scale_up", rack_units)'),
    Udf("CPO_SUPPLY", "Engines the supply chain can deliver in the year (3.2T-equivalent): PIC wafers x "
        "engines/wafer x yields; or that capacity in 800G-eq ports, the wafers, or a yield.",
        (YEAR, *TAIL, Arg("measure", "Optional: engines (3.2T-eq, default), ports (800G-eq), wafers, yield_3d or "
                                     "yield_assembly", True)),
        "3.2T-eq engines", "=CPO_SUPPLY(2028)"),
    Udf("CPO_CURVE", "Raw adoption curve value: logistic (L,k,t0), gompertz (L,b,t0), bass (p,q,launch_year), "
        "linear (L,start,ramp_years).",
        (Arg("model", "logistic, gompertz, bass or linear"), Arg("year", "Year to evaluate (may be fractional)"),
         Arg("a", "First parameter: L (logistic, gompertz, linear) or p (bass)"),
         Arg("b", "Second parameter: k, b, q or start year"),
         Arg("c", "Third parameter: t0, launch year or ramp years")),
        "share 0-1", '=CPO_CURVE("logistic", 2030, 0.6, 0.926, 2029.6)'),
    Udf("CPO_FIT", "Fitted curve parameters (a, b, c) as a 1x3 row: closed form for 2 or 3 logistic anchors, "
        "least squares otherwise.",
        (Arg("model", "logistic, gompertz or bass"), Arg("years", "Anchor years: a row or column"),
         Arg("shares", "Anchor shares 0-1, same length as years"),
         Arg("ceiling", "Optional ceiling L 0-1 (required for a 2-anchor logistic)", True)),
        "(a, b, c)", '=CPO_FIT("logistic", {2026,2030}, {0.02,0.35}, 0.6)', array=True),
    Udf("CPO_SUPPLIER_REVENUE", "The company's CPO revenue in US$ M: its layer's TAM x its share of the layer.",
        (Arg("ticker", "Company ticker, e.g. AVGO, LITE, TSM"), YEAR, RACKS, *TAIL), "US$ M",
        '=CPO_SUPPLIER_REVENUE("AVGO", 2030, rack_units)'),
    Udf("CPO_ELASTICITY", "exposure (CPO revenue / total revenue, default), net_exposure (less displaced "
        "legacy revenue) or ebit (EBIT elasticity).",
        (Arg("ticker", "Company ticker, e.g. AVGO, LITE, TSM"), YEAR, RACKS, *TAIL,
         Arg("measure", "Optional: exposure (default), net_exposure or ebit", True)),
        "fraction or x", '=CPO_ELASTICITY("MRVL", 2030, rack_units)'),
    Udf("CPO_CROSSCHECK", "Model / published figure for a top-down anchor (yole, lightcounting, trendforce, "
        "tsmc, ...) in that year.",
        (Arg("source", "Published source id, e.g. yole, lightcounting, trendforce, tsmc"), YEAR, RACKS, *TAIL),
        "x", '=CPO_CROSSCHECK("yole", 2030, rack_units)'),
    Udf("CPO_CAGR", "Compound annual growth rate between two values.",
        (Arg("start_value", "Value in the start year (> 0)"), Arg("end_value", "Value in the end year"),
         Arg("start_year", "Start year"), Arg("end_year", "End year")), "1/yr", "=CPO_CAGR(67, 8000, 2024, 2030)"),
    Udf("CPO_TABLE", "A whole model table: first row = label then years, first column = line items. Names: "
        "demand, penetration, tam, companies, crosscheck.",
        (Arg("name", "demand, penetration, tam, companies or crosscheck"),
         Arg("rack_units", "Years/racks range, or empty for the built-in forecast", True), *TAIL),
        "2-D table", '=CPO_TABLE("tam", rack_units)', array=True),
    Udf("CPO_SENSITIVITY", "TAM swing in US$ M when one input moves from its bear to its bull value, others "
        "held (side low/high: change vs the scenario at each end).",
        (Arg("input_key", "Dotted assumption key with a bear/bull range, e.g. pricing.erosion"), YEAR, RACKS, *TAIL,
         Arg("side", "Optional: swing (default, bull less bear), low or high", True)),
        "US$ M", '=CPO_SENSITIVITY("supply.wafer_growth_after_2027", 2030, rack_units)'),
    Udf("CPO_TAM_PCTL", "Percentile of the year's CPO TAM in US$ M over 10,000 Monte Carlo draws (fixed seed: "
        "the same call gives the same number); 0.1 = P10, 0.5 = median.",
        (YEAR, Arg("percentile", "Fraction 0-1, e.g. 0.1 for P10"),
         Arg("rack_units", "Optional racks; empty: racks are drawn with the other inputs", True), *TAIL),
        "US$ M", '=CPO_TAM_PCTL(2030, 0.9, "")'),
    Udf("CPO_VERSION", "Package version and a short hash of the default assumptions.", (), "text", "=CPO_VERSION()"),
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
