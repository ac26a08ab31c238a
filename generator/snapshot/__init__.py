"""Stage 2, the snapshot: the committed series under ``data/`` and their manifest.

Reads, validates, merges and atomically writes ``data/series/<source>/<ID>.csv`` and
``data/manifest.json``; knows which series are stale or overdue. Imports only the catalogue.
"""
