"""The CPO_* functions as plain Python: Excel shapes in, engine call, Excel values (floats, lists) out.

The xlwings module ``udfs/cpo_udfs.py`` and the headless recalculation both call these. No model arithmetic
here: each picks a line out of the cached engine result. Only :class:`CpoError` escapes.
"""

from __future__ import annotations

import collections
import functools
import inspect
import marshal
import math
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np

from cpo_xl import __version__
from cpo_xl.analysis import lines
from cpo_xl.analysis.lines import TABLE_NAMES
from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine.assumptions import CURVE_MODELS, LAYERS, SEGMENTS
from cpo_xl.engine.case import Case, clear_cache, run
from cpo_xl.engine.curves import CURVE_PARAMETERS, curve_value, fit_curve, parameter_rule
from cpo_xl.engine.demand import PORT_GBPS
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS, check_scenario
from cpo_xl.engine.keys import exact
from cpo_xl.engine.model import ModelResult
from cpo_xl.engine.supply import REFERENCE_ENGINE_GBPS
from cpo_xl.engine.timeline import LAST_YEAR, YEARS, year_index
from cpo_xl.excel import args as ea
from cpo_xl.excel import case_keys as ck

MEASURES = ("exposure", "net_exposure", "ebit")
F = TypeVar("F", bound=Callable[..., Any])
MARSHAL_VERSION = 4  # short ASCII strings copied as they are (2 re-encodes each as UTF-8: 1.6x slower)


def _content(args: tuple[Any, ...]) -> bytes | tuple[Any, ...]:
    """The argument values of one call as a cache key, by content alone.

    marshal's bytes: about 2x faster than hashing and comparing ~1,200 fresh cell objects as tuples (the
    assumptions range: 60 -> ~30 us a warm call). Exact for the types Excel hands over (None, bool, int, float,
    str in lists): equal bytes load back to equal values of equal types (0, 0.0 and False differ). Other
    objects marshal as something else (a numpy array or scalar as its raw bytes), so :class:`ContentCache`
    keeps a result only for a call of Excel's types; a hit is then such a call too (equal bytes load back
    alike). Two equal calls that marshal differently (objects shared otherwise) only miss. Cell types marshal
    cannot write (a date) fall back to :func:`exact` keys (a boolean still apart from a number); an unhashable
    value raises TypeError (the call then runs uncached)."""
    try:
        return marshal.dumps(args, MARSHAL_VERSION)
    except ValueError:
        key = exact(args)
        hash(key)
        return key


EXCEL_TYPES = (type(None), bool, int, float, str)


def excel_typed(value: Any) -> bool:
    """True for what Excel hands a UDF: None, bool, int, float or str, or lists / tuples of them (nested)."""
    if type(value) in EXCEL_TYPES:
        return True
    return type(value) in (list, tuple) and all(excel_typed(v) for v in value)


MISSING = object()


class ContentCache:
    """Results by :func:`_content` key, the most recent ``size`` of them (least recently used dropped)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.results: collections.OrderedDict[Any, Any] = collections.OrderedDict()

    def computed(self, args: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """The result kept for ``args``' content, else ``compute()``, kept when the call was of Excel's types
        (see :func:`_content`). An unhashable cell value is computed without the cache (the parser names it)."""
        try:
            key = _content(args)
        except TypeError:
            return compute()
        result = self.results.get(key, MISSING)
        if result is not MISSING:
            self.results.move_to_end(key)
            return result
        result = compute()
        if excel_typed(args):
            self.results[key] = result
            if len(self.results) > self.size:
                self.results.popitem(last=False)
        return result

    def cache_clear(self) -> None:
        self.results.clear()


CONTENT_CACHES: list[ContentCache] = []  # one per UDF: results by argument content
MAX_MESSAGE = 2_000  # characters of a UDF's error: past it the message is cut (the longest, CPO_SENSITIVITY's
#                      list of the keys with a bear/bull range, is ~850)


def _texts(value: Any) -> Iterator[str]:
    """Every text in an argument value, the cells of a range included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def shortened(message: str, args: tuple[Any, ...]) -> str:
    """A UDF's error message with every long text of the call's arguments quoted short (:func:`args.quoted`):
    a 100,000-character cell must not come back whole, whichever module quoted it and however (repr or plain,
    trimmed or not). The one place for all the UDFs; a message still over MAX_MESSAGE is cut."""
    texts = {text for value in args for text in _texts(value) if ea.quoted(text) != repr(text)}
    for text in sorted(texts, key=len, reverse=True):
        for form in dict.fromkeys((text, text.strip())):
            if ea.quoted(form) != repr(form):  # a long form: never a few characters that occur anywhere
                message = message.replace(repr(form), ea.quoted(form)).replace(form, ea.quoted(form))
    return message if len(message) <= MAX_MESSAGE else f"{message[:MAX_MESSAGE]}... ({len(message):,} characters)"


def excel_safe(func: F) -> F:
    """The UDF contract around a plain function.

    - Pure: the result is cached by the argument values alone (content, never a name of earlier state), so a
      warm call with the same cells is a lookup, in any calculation order and in any process.
    - Errors in, errors out: an Excel error value in any argument (any cell of a range) is a CpoError naming
      the argument, never a number computed from defaults.
    - Only CpoError escapes: any other failure becomes a CpoError naming the function.
    """
    params = tuple(inspect.signature(func).parameters)

    def checked(args: tuple[Any, ...]) -> Any:
        for name, value in zip(params, args, strict=False):
            ea.reject_errors(value, name)
        return func(*args)

    cache = ContentCache(512)
    CONTENT_CACHES.append(cache)

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        try:
            return _copy(cache.computed(args, lambda: checked(args)))
        except CpoError as exc:
            message = shortened(str(exc), args)
            if message == str(exc):
                raise
            raise CpoError(message, key=exc.key) from None
        except Exception as exc:  # noqa: BLE001 - the UDF contract: no other exception may escape
            raise CpoError(shortened(f"{func.__name__}: could not compute ({type(exc).__name__}: {exc})", args)) \
                from None
    return wrapper  # type: ignore[return-value]


def _copy(result: Any) -> Any:
    """A cached 2-D result as fresh rows (a caller may change what it is handed)."""
    return [list(row) if isinstance(row, list) else row for row in result] if isinstance(result, list) else result


def _scenario(value: Any) -> str:
    if not ea.is_blank(value) and not isinstance(value, str):
        raise CpoError(f"scenario {ea.quoted(value)} is unknown; allowed: {', '.join(SCENARIOS)}")
    return check_scenario(value)


def _racks(rack_units: Any, year: int | None) -> ea.RackKey:
    """Racks by year from the argument; () (the built-in forecast) when it is empty."""
    return () if ea.is_blank(rack_units) else ea.racks(rack_units, year)


def _case(rack_units: Any, assumptions: Any, scenario: Any, year: int | None) -> Case:
    """The Case of a call: the scenario also picks the column of a 4-column assumptions range. Parsed once per
    distinct content (by :func:`_content`, so a TRUE cell never meets a 1), shared by every UDF."""
    args = (rack_units, assumptions, scenario, year)
    return CASES.computed(args, lambda: _parse_case(*args))


CASES = ContentCache(256)  # parsed cases by argument content, shared by the UDFs


def _parse_case(rack_units: Any, assumptions: Any, scenario: Any, year: int | None) -> Case:
    if ck.is_key(assumptions):  # a CPO_CASE cell: the case it names, with these racks when they are given
        case = ck.recall(assumptions)
        if not ea.is_blank(scenario) and _scenario(scenario) != case.scenario:
            raise CpoError(f"scenario {ea.quoted(scenario)} differs from the {case.scenario} case that assumptions (a "
                           "CPO_CASE key) names; leave scenario empty")
        racks = _racks(rack_units, year)
        return case.with_(racks=racks) if racks else case
    name = _scenario(scenario)
    overrides, bounds = ea.case_inputs(assumptions, name)
    return Case(name, overrides, racks=_racks(rack_units, year), bounds=bounds)


def _result(rack_units: Any, assumptions: Any, scenario: Any, year: int | None) -> ModelResult:
    return run(_case(rack_units, assumptions, scenario, year))


def _in_year(year: Any, rack_units: Any, assumptions: Any, scenario: Any) -> tuple[ModelResult, int]:
    """(model result, timeline index) for the UDFs whose rack_units argument is required."""
    y = ea.year(year)
    return _result(_required(rack_units, "rack_units"), assumptions, scenario, y), year_index(y)


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise CpoError(f"{what} is not defined")
    return float(value)


def _required(value: Any, argument: str) -> Any:
    if ea.is_blank(value):
        raise CpoError(f"{argument} is empty; it is required")
    return value


@excel_safe
def CPO_TAM(year: Any, rack_units: Any, assumptions: Any = None, scenario: Any = None) -> float:
    result, i = _in_year(year, rack_units, assumptions, scenario)
    return float(result.tam[i])


@excel_safe
def CPO_LAYER_TAM(layer: Any, year: Any, rack_units: Any, assumptions: Any = None, scenario: Any = None) -> float:
    name = ea.choice(layer, "layer", LAYERS)
    result, i = _in_year(year, rack_units, assumptions, scenario)
    return float(result.layers[name][i])


@excel_safe
def CPO_PORTS(year: Any, rack_units: Any, assumptions: Any = None, scenario: Any = None) -> float:
    result, i = _in_year(year, rack_units, assumptions, scenario)
    return float(result.ports[i])


@excel_safe
def CPO_ENGINES(year: Any, rack_units: Any, assumptions: Any = None, scenario: Any = None) -> float:
    result, i = _in_year(year, rack_units, assumptions, scenario)
    return float(result.engines[i])


@excel_safe
def CPO_PENETRATION(year: Any, segment: Any = None, rack_units: Any = None, assumptions: Any = None,
                    scenario: Any = None, basis: Any = None) -> float:
    y = ea.year(year)
    name = ea.choice(segment, "segment", (*SEGMENTS, "all"), default="all")
    kind = ea.choice(basis, "basis", ("effective", "demand"), default="effective")
    return float(_result(rack_units, assumptions, scenario, y).penetration(name, kind)[year_index(y)])


SUPPLY_MEASURES = ("engines", "ports", "wafers", "yield_3d", "yield_assembly")


@excel_safe
def CPO_SUPPLY(year: Any, assumptions: Any = None, scenario: Any = None, measure: Any = None) -> float:
    y = ea.year(year)
    kind = ea.choice(measure, "measure", SUPPLY_MEASURES, default="engines")
    r, i = _result(None, assumptions, scenario, y), year_index(y)
    per_engine_ports = REFERENCE_ENGINE_GBPS / PORT_GBPS
    return float({"engines": r.capacity[i], "ports": r.capacity[i] * per_engine_ports, "wafers": r.wafers[i],
                  "yield_3d": r.yield_3d[i], "yield_assembly": r.yield_assembly[i]}[kind])


@excel_safe
def CPO_CURVE(model: Any, year: Any, a: Any, b: Any, c: Any) -> float:
    name = ea.choice(model, "model", CURVE_MODELS)
    t = ea.bounded(year, "year", parameter_rule("midpoint"))  # the years a curve's midpoint may take
    # each parameter within the bounds of the segment curve input it is (a ceiling 0-1, a rate > 0, ...): so a
    # share stays 0-1, and =CPO_CURVE accepts exactly what the Inputs sheet does
    params = [ea.bounded(value, f"{arg} ({label})", parameter_rule(field))
              for arg, value, (field, label) in zip("abc", (a, b, c), CURVE_PARAMETERS[name], strict=True)]
    value = float(curve_value(name, t, *params))
    return _finite(value, f"{name} curve at {t:g}")


@excel_safe
def CPO_FIT(model: Any, years: Any, shares: Any, ceiling: Any = None) -> list[list[float]]:
    name = ea.choice(model, "model", ("logistic", "gompertz", "bass"))
    share = parameter_rule("ceiling")  # a share, as a ceiling, is 0-1 (the fit also needs a ceiling above 0)
    level = None if ea.is_blank(ceiling) else ea.bounded(ceiling, "ceiling", share)
    anchors = [ea.bounded(y, "years", parameter_rule("midpoint")) for y in ea.numbers(years, "years")]
    fitted = fit_curve(name, anchors, [ea.bounded(s, "shares", share) for s in ea.numbers(shares, "shares")], level)
    return [[_finite(v, f"{name} fit") for v in fitted]]


def _company(ticker: Any, result: ModelResult) -> str:
    return ea.choice(ticker, "ticker", tuple(result.companies))


@excel_safe
def CPO_SUPPLIER_REVENUE(ticker: Any, year: Any, rack_units: Any, assumptions: Any = None,
                         scenario: Any = None) -> float:
    result, i = _in_year(year, rack_units, assumptions, scenario)
    return float(result.companies[_company(ticker, result)].cpo_revenue[i])


@excel_safe
def CPO_ELASTICITY(ticker: Any, year: Any, rack_units: Any, assumptions: Any = None, scenario: Any = None,
                   measure: Any = None) -> float:
    kind = ea.choice(measure, "measure", MEASURES, default="exposure")
    result, i = _in_year(year, rack_units, assumptions, scenario)
    name = _company(ticker, result)
    lines = result.companies[name]
    value = {"exposure": lines.exposure, "net_exposure": lines.net_exposure, "ebit": lines.ebit_elasticity}[kind][i]
    if not math.isfinite(value):
        raise CpoError(f"ticker {name}: {kind} is not defined (private, no revenue baseline or no EBIT margin)")
    return float(value)


@excel_safe
def CPO_CROSSCHECK(source: Any, year: Any, rack_units: Any, assumptions: Any = None, scenario: Any = None) -> float:
    y = ea.year(year)
    if not isinstance(source, str):
        raise CpoError(f"source {ea.quoted(source)} is not a source name such as 'yole'")
    point = xc.find(source, y)
    result, i = _in_year(year, rack_units, assumptions, scenario)
    return xc.ratio(float(xc.model_line(result, point.metric)[i]), point)


@excel_safe
def CPO_CAGR(start_value: Any, end_value: Any, start_year: Any, end_year: Any) -> float:
    start, end = ea.year(start_year, "start_year"), ea.year(end_year, "end_year")
    if end <= start:
        raise CpoError(f"end_year {end} is not after start_year {start}; allowed: a year after start_year, up to "
                       f"{LAST_YEAR}")
    # a growth rate from a start value of 0 or less (or to a negative end value) means nothing
    return xc.cagr(ea.number(start_value, "start_value", 0.0, math.inf, low_open=True),
                   ea.number(end_value, "end_value", 0.0), start, end)


@excel_safe
def CPO_RACKS(year: Any, assumptions: Any = None, scenario: Any = None) -> float:
    y = ea.year(year)
    return float(_case(None, assumptions, scenario, y).forecast()[year_index(y)])


@excel_safe
def CPO_LINE(line: Any, year: Any, rack_units: Any = None, assumptions: Any = None, scenario: Any = None) -> float:
    y = ea.year(year)
    if not isinstance(line, str) or ea.is_blank(line):
        raise CpoError(f"line {ea.quoted(line)} is not a line name such as 'tam' (see the key column of a model sheet)")
    case = _case(rack_units, assumptions, scenario, y)
    item = lines.find(case, line.strip())
    return _finite(float(lines.value(run(case), item.path)[year_index(y)]), f"line {item.name} in {y}")


@excel_safe
def CPO_TABLE(name: Any, rack_units: Any = None, assumptions: Any = None, scenario: Any = None) -> list[list[Any]]:
    from cpo_xl.analysis.tables import tables  # pandas: loaded on the first table, not at import
    table = ea.choice(name, "name", TABLE_NAMES)
    frame = tables(_case(rack_units, assumptions, scenario, None))[table]
    body = [[label, *("" if not np.isfinite(v) else float(v) for v in row)]
            for label, row in zip(frame.index, frame.to_numpy(), strict=True)]
    return [[f"{table} [unit]", *(float(y) for y in YEARS)], *body]


@excel_safe
def CPO_SENSITIVITY(input_key: Any, year: Any, rack_units: Any, assumptions: Any = None, scenario: Any = None,
                    side: Any = None) -> float:
    y = ea.year(year)
    if not isinstance(input_key, str) or ea.is_blank(input_key):
        raise CpoError(f"input_key {ea.quoted(input_key)} is not a dotted assumption key such as "
                       "'pricing.erosion_2027'")
    kind = ea.choice(side, "side", ("swing", "low", "high"), default="swing")
    return _sensitivity(_case(rack_units, assumptions, scenario, y), input_key.strip(), y, kind)


@lru_cache(maxsize=1024)
def _sensitivity(case: Case, key: str, year: int, side: str) -> float:
    from cpo_xl.analysis import scenarios  # pandas: loaded on the first sensitivity, not at import
    return scenarios.swing(case, key, year, side)


@excel_safe
def CPO_TAM_PCTL(year: Any, percentile: Any, rack_units: Any = None, assumptions: Any = None,
                 scenario: Any = None) -> float:
    y = ea.year(year)
    q = ea.number(percentile, "percentile", 0.0, 1.0)
    draws = _simulation(_case(rack_units, assumptions, scenario, y))
    return float(np.percentile(draws[:, year_index(y)], 100 * q))


@lru_cache(maxsize=32)
def _simulation(case: Case) -> np.ndarray:
    """TAM draws (DEFAULT_DRAWS x years) from the fixed default seed: the same call, the same number."""
    from cpo_xl.analysis import montecarlo  # scipy.stats: loaded on the first percentile, not at import
    return montecarlo.simulate(case, montecarlo.DEFAULT_DRAWS, montecarlo.DEFAULT_SEED).tam


@lru_cache(maxsize=1)
def version_text() -> str:
    """'cpo-xl 0.1.0 (assumptions 2ca246b6620e)': the one version string (workbook, CLI, UDF)."""
    return f"cpo-xl {__version__} (assumptions {Case().assumptions().fingerprint})"


@excel_safe
def CPO_VERSION() -> str:
    return version_text()


def clear_caches() -> None:
    """Forget every cached assumption set, model run and table (benchmarks use it for cold timings)."""
    from cpo_xl.analysis.ranges import scenario_ends
    from cpo_xl.analysis.tables import tables
    clear_cache()
    caches: tuple[Any, ...] = (tables, scenario_ends, ck.recall_cache, ck.shipped_cache, _sensitivity, _simulation,
                               version_text, lines.line_items, CASES, *CONTENT_CACHES)
    for cache in caches:
        cache.cache_clear()
