"""The model: assumptions (schema and shipped data), demand, curves, supply, TAM, companies, cross-checks,
and the one entry run(case). Only this package knows pydantic."""
