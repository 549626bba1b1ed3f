"""The committee report: a static site of the policies beside their rules.

interpretations  the `% Interpretation:` notes of the knowledge base, as data
cases            the boundary cases that test each criterion (source tree only)
diagrams         the criteria diagrams as inline SVG, boxes linked to criteria
site             the pages' data, rendered with jinja2 and written atomically
"""
