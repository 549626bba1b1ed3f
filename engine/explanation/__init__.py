"""Why and why not: rule tracking, derivation trees, and their rendering.

tracking  every rule of kb/ with its id and citation; the tracking rules that make
          clingo compute why (fired/3) and why not (failed/3)
tree      the why / why-not / assumed-absent explanation of a determination
render    explanations as indented text, JSON and a graph
"""
