"""One writer module per sheet (or block of sheets); positions come from the layout spec, recipes from
:mod:`cpo_xl.workbook.write.grid`."""
