"""Batch adjudication (`kb batch`): many cases, one record each, in input order.

inputs.py reads the cases, outputs.py writes the records (.jsonl, .csv,
.parquet) and finds those already written (--resume), grounded.py holds the
knowledge base grounded once per worker (levels.py: over which levels a
closed-world case is solved), work.py turns a chunk of cases into
records inside a worker, run.py sends chunks to local processes or to a Dask
cluster and writes the records as they come back.
"""
