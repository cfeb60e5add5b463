"""cpo_xl.excel.officejs: Pyodide marked absent where it is not installed, left alone where it is."""

import importlib.util
import sys

import pytest

from cpo_xl.excel.officejs import mark_pyodide_absent


def test_where_pyodide_is_missing_it_is_marked_and_its_import_fails_at_once(monkeypatch):
    monkeypatch.delitem(sys.modules, "pyodide", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert mark_pyodide_absent() is True and sys.modules["pyodide"] is None
    with pytest.raises(ModuleNotFoundError, match="pyodide"):
        from pyodide.ffi import JsNull  # noqa: F401 - the import xlwings runs per argument cell
    assert mark_pyodide_absent() is False  # already marked: nothing to do


def test_where_pyodide_is_installed_nothing_changes(monkeypatch):
    monkeypatch.delitem(sys.modules, "pyodide", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())  # as in xlwings Lite
    assert mark_pyodide_absent() is False and "pyodide" not in sys.modules
