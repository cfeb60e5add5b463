"""Excel's side: argument shapes, the UDF core (plain Python CPO_* functions) and the catalogue."""
