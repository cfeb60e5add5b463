"""Replacing a workbook safely: atomic writes, edit detection, .bak copies, pull into TOML."""
