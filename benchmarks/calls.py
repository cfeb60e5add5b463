"""The UDF calls one recalculation of workbook/CPO_Model.xlsx makes, each with the arguments Excel hands over
(floats, text, None for an empty cell, lists of rows for a range) and its Python time. Shared by
excel_recalc.py and udfs.py; it measures, it asserts nothing.

The garbage collector is off during a recalculation, as timeit turns it off: the headless evaluation of ~5,600
formula cells allocates far more than the add-in's process does in Excel, and its full collections (0.1-0.25 s
here, about two a recalculation) otherwise land inside whichever UDF call happens to be running."""

import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpo_xl.excel.case_keys import KEY_PREFIX
from cpo_xl.workbook.check import evaluate
from cpo_xl.workbook.check.recalc import Counter, _plain, registered
from cpo_xl.workbook.read import contents

WORKBOOK = Path(__file__).resolve().parents[1] / "workbook" / "CPO_Model.xlsx"


@dataclass
class Call:
    name: str
    args: list[Any]
    cells: int  # argument cells marshalled
    seconds: float  # Python time of the call (recalc.Counter's measure: the function alone)
    takes_inputs: bool  # an argument is the assumptions range or a CPO_CASE key: recalculated when that range changes


def recalculation(book: contents.Book) -> list[Call]:
    """Recalculate every formula of the book once (the process's caches as they are); each UDF call in order."""
    import formulas
    counter, log = Counter(), []
    area = book.names["ASSUMPTIONS"]
    table = [[book.constants.get((area.sheet, r, c)) for c in range(area.left, area.right + 1)]
             for r in range(area.top, area.bottom + 1)]

    def recording(name: str, func: Any) -> Any:
        def call(*args: Any) -> Any:
            cells, seconds = counter.cells, counter.seconds
            result = func(*args)
            plain = [_plain(a) for a in args]
            inputs = any(a == table or (isinstance(a, str) and a.startswith(KEY_PREFIX)) for a in plain)
            log.append(Call(name, plain, counter.cells - cells, counter.seconds - seconds, inputs))
            return result
        return call

    formulas.get_functions().update({n: recording(n, f) for n, f in registered(counter).items()})
    gc.collect()
    gc.disable()
    try:
        evaluate.results(book)
    finally:
        gc.enable()
    return log


def read() -> contents.Book:
    return contents.read(WORKBOOK)
