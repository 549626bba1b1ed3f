"""Why and why not: rule tracking, derivation trees, and their rendering.

tracking  every rule of kb/ with its id and citation; fired/3 tracking rules
tree      the why / why-not / assumed-absent explanation of a determination
render    explanations as indented text, JSON and a graph
"""
