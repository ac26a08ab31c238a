"""Stage 1, the catalogue: what ``indicators.yml`` and ``events.yml`` say, validated.

Everything a fork edits is read here and nowhere else. The later stages receive typed models
(``models.Config``) and never see YAML; every user mistake is turned into a message with the
file, the line, the indicator and the field before any number is computed.
"""
