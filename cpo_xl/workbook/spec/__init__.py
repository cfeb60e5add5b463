"""The layout spec: every sheet, row, column and name the writers place, and the builder's notes."""
