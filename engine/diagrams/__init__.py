"""Criteria diagrams for policy committees, drawn from the rules themselves.

graph     the criteria graph of a policy and procedure (networkx), from engine.rules
wording   how facts, thresholds and criteria read in a diagram
draw      rendering with graphviz; the committed diagrams/
overlay   the same graph with one case drawn on it
compare   the side-by-side figure of the policies per procedure
"""
