"""Regenerate the README's function table from the UDF catalogue (between the marker comments)."""

import re
from pathlib import Path

from cpo_xl.excel.catalogue import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- functions:start -->", "<!-- functions:end -->"

text = README.read_text(encoding="utf-8")
new = re.sub(f"{START}.*?{END}", f"{START}\n{markdown_table()}\n{END}", text, flags=re.S)
README.write_text(new, encoding="utf-8")
print("README function table updated" if new != text else "README function table already current")
