"""Sharing: the PM copy (values, scenario switch, print pack)."""
