"""Analyses over the engine: model tables, scenarios and sensitivities, Monte Carlo."""
