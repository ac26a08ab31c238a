"""Stage 4, publish: numbers turned into words, charts and pages. Formatting (``format.py``),
sentences, chart specs and images, page contexts, Markdown through Jinja, nightly reports."""
