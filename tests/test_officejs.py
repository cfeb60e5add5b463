"""cpo_xl.excel.officejs: xlwings' per-cell JsNull probe skipped where Pyodide is not installed, left alone where
it is (a stand-in module here; tests/test_addin_client.py counts the path searches through xlwings itself)."""

import importlib.util
import sys
from types import SimpleNamespace

from cpo_xl.excel.officejs import never_jsnull, skip_jsnull_probe


def probe(value: object) -> bool:
    """xlwings' own is_jsnull, as 0.37.8 writes it."""
    try:
        from pyodide.ffi import JsNull  # noqa: F401 - the import xlwings runs per argument cell
    except ImportError:
        return False
    return True


def test_where_pyodide_is_missing_the_probe_is_replaced_by_the_same_answer(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    utils = SimpleNamespace(is_jsnull=probe)
    assert skip_jsnull_probe(utils) is True and utils.is_jsnull is never_jsnull
    for value in (None, 0, "", [[None]], {"type": "Error"}):
        assert utils.is_jsnull(value) is probe(value) is False
    assert "pyodide" not in sys.modules  # nothing else in the process changes


def test_where_pyodide_is_installed_or_xlwings_has_no_probe_nothing_changes(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())  # as in xlwings Lite
    utils = SimpleNamespace(is_jsnull=probe)
    assert skip_jsnull_probe(utils) is False and utils.is_jsnull is probe
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    other = SimpleNamespace()  # a later xlwings that moved the function: left as it is
    assert skip_jsnull_probe(other) is False and not hasattr(other, "is_jsnull")
