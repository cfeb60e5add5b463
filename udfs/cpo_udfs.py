"""xlwings UDFs for cpo-xl: Excel's "UDF Modules" setting names this module (cpo_udfs).

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


@catalogued
def CPO_TAM(year, rack_units, assumptions=None, scenario=None):
    return fn.CPO_TAM(year, rack_units, assumptions, scenario)


@catalogued
def CPO_LAYER_TAM(layer, year, rack_units, assumptions=None, scenario=None):
    return fn.CPO_LAYER_TAM(layer, year, rack_units, assumptions, scenario)


@catalogued
def CPO_PORTS(year, rack_units, assumptions=None, scenario=None):
    return fn.CPO_PORTS(year, rack_units, assumptions, scenario)


@catalogued
def CPO_ENGINES(year, rack_units, assumptions=None, scenario=None):
    return fn.CPO_ENGINES(year, rack_units, assumptions, scenario)


@catalogued
def CPO_PENETRATION(year, segment=None, rack_units=None, assumptions=None, scenario=None, basis=None):
    return fn.CPO_PENETRATION(year, segment, rack_units, assumptions, scenario, basis)


@catalogued
def CPO_SUPPLY(year, assumptions=None, scenario=None, measure=None):
    return fn.CPO_SUPPLY(year, assumptions, scenario, measure)


@catalogued
def CPO_CURVE(model, year, a, b, c):
    return fn.CPO_CURVE(model, year, a, b, c)


@catalogued
def CPO_FIT(model, years, shares, ceiling=None):
    return fn.CPO_FIT(model, years, shares, ceiling)


@catalogued
def CPO_SUPPLIER_REVENUE(ticker, year, rack_units, assumptions=None, scenario=None):
    return fn.CPO_SUPPLIER_REVENUE(ticker, year, rack_units, assumptions, scenario)


@catalogued
def CPO_ELASTICITY(ticker, year, rack_units, assumptions=None, scenario=None, measure=None):
    return fn.CPO_ELASTICITY(ticker, year, rack_units, assumptions, scenario, measure)


@catalogued
def CPO_CROSSCHECK(source, year, rack_units, assumptions=None, scenario=None):
    return fn.CPO_CROSSCHECK(source, year, rack_units, assumptions, scenario)


@catalogued
def CPO_CAGR(start_value, end_value, start_year, end_year):
    return fn.CPO_CAGR(start_value, end_value, start_year, end_year)


@catalogued
def CPO_RACKS(year, assumptions=None, scenario=None):
    return fn.CPO_RACKS(year, assumptions, scenario)


@catalogued
def CPO_LINE(line, year, rack_units=None, assumptions=None, scenario=None):
    return fn.CPO_LINE(line, year, rack_units, assumptions, scenario)


@catalogued
def CPO_CASE(assumptions=None, scenario=None, rack_units=None, years=None):
    return blocks.CPO_CASE(assumptions, scenario, rack_units, years)


@catalogued
def CPO_LINES(case_key, line_names, years):
    return blocks.CPO_LINES(case_key, line_names, years)


@catalogued
def CPO_COMPANIES(case_key, tickers, year):
    return blocks.CPO_COMPANIES(case_key, tickers, year)


@catalogued
def CPO_TORNADO(case_key, input_keys, year):
    return blocks.CPO_TORNADO(case_key, input_keys, year)


@catalogued
def CPO_RATIOS(case_key, sources, years):
    return blocks.CPO_RATIOS(case_key, sources, years)


@catalogued
def CPO_PERCENTILES(case_key, percentiles, years):
    return blocks.CPO_PERCENTILES(case_key, percentiles, years)


@catalogued
def CPO_TABLE(name, rack_units=None, assumptions=None, scenario=None):
    return fn.CPO_TABLE(name, rack_units, assumptions, scenario)


@catalogued
def CPO_SENSITIVITY(input_key, year, rack_units, assumptions=None, scenario=None, side=None):
    return fn.CPO_SENSITIVITY(input_key, year, rack_units, assumptions, scenario, side)


@catalogued
def CPO_TAM_PCTL(year, percentile, rack_units=None, assumptions=None, scenario=None):
    return fn.CPO_TAM_PCTL(year, percentile, rack_units, assumptions, scenario)


@catalogued
def CPO_VERSION():
    return fn.CPO_VERSION()
