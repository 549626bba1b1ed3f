"""Consistency checks: conflicts, gaps, dead rules, and disagreements between payers.

programs  the parts of kb/checks.lp, instantiated for a search
search    minimal witness cases over kb/case_space.lp
findings  the checks themselves
report    the report as text and JSON
"""
