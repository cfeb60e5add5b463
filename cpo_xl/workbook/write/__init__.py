"""Writing the workbook: the builder, one writer per sheet, the grid of line rows, styles."""
