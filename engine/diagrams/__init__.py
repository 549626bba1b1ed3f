"""Criteria diagrams for policy committees, drawn from the rules themselves.

From the knowledge base to a typed diagram:
knowledge   what diagrams read of the knowledge base (rules, tables, dependencies)
analysis    which rules encode a criterion for a procedure, and what their bodies require
bodies      those bodies as items: facts, references to conditions, helper groups
facts       what a fact finds in the knowledge base's tables (values, topics)
factoring   what every alternative of a criterion requires, drawn once
wording     how facts, thresholds, criteria and dates read in a diagram
asp         the ASP text of rule bodies: variables, comparisons
model       the typed diagram (nodes, edges, a case overlay) between analysis and rendering
build       from rules to a diagram

From a diagram to a drawing:
overlay     one case on a diagram: each node's state per level
styles      fonts and colours
layout      which nodes are boxes, which are lines in a box
marks       how a case shows on the boxes
cards       the HTML labels of boxes, statuses, legend and header
draw        the graphviz drawing of one diagram
topics      an indication read per cause, lesion or purpose, for the comparison
compare     the side-by-side figure of the policies per procedure
output      which drawings a request asks for, written as files
"""
