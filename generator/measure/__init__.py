"""Stage 3, measure: numbers only. Formulas evaluated over the snapshot (pure pandas), status
rules judged, the regime score and the risk-ladder statistics. No wording, no files."""
