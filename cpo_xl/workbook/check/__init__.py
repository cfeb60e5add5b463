"""Checking a workbook: recalculation without Excel, content comparison, master check, diff."""
