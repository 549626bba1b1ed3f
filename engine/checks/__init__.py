"""Consistency checks: conflicts, gaps, dead rules, and disagreements between payers.

search    minimal witness cases over kb/case_space.lp
findings  the checks themselves
report    the report as text and JSON
"""
