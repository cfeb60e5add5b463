"""Regenerate udfs/cpo_udfs.py (the xlwings UDF module) from the catalogue."""

from pathlib import Path

from cpo_xl.excel.catalogue import module_source

TARGET = Path(__file__).resolve().parents[1] / "udfs" / "cpo_udfs.py"

if __name__ == "__main__":
    TARGET.write_text(module_source(), encoding="utf-8")
    print(f"wrote {TARGET}")
