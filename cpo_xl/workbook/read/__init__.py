"""Reading a workbook back: its parts, cells, inputs, build record and rows by key (no writing)."""
