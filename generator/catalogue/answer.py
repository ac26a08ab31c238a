"""The answer as data: ``answer:`` in ``indicators.yml``.

The home page, each new report and each feed item open with the site's question answered in
plain sentences. The rules that choose those sentences are the kind of thing a fork disagrees
with ("is 10 bn a period 'a little'?"), so they live in the file a fork edits, in the two
languages it already knows: ``when:`` conditions and ``say:`` sentences. ``reads:`` names the
values a rule may use (``indicator.quantity``, checked by ``check`` with the line, as claims'
reads are); each part's first rule whose ``when:`` holds gives one sentence.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from generator.catalogue.grammar import QUANTITY_NAME, Strict


class AnswerRule(Strict):
    when: str = Field(description="A condition over the names in `reads:`, e.g. 'rmp_3p >= 30'")
    say: str = Field(
        description="The sentence when the rule holds; {{ name }} inserts a value read, "
        "{{ name_date }} its date (filters num, signed, abs as in status rules)"
    )


class AnswerPart(Strict):
    id: str = Field(description="A short name for the part, e.g. fed or ladder")
    rules: list[AnswerRule] = Field(
        min_length=1, description="Tried in order; the first that holds gives the sentence"
    )


class AnswerConfig(Strict):
    """The plain answer to the site's question (``site.tagline``) that opens the home page,
    each new report and each feed item."""

    reads: dict[str, str] = Field(
        min_length=1,
        description="Names for the values the rules use, each an indicator.quantity "
        "(its latest value), e.g. rmp: fed-bills.rmp",
    )
    parts: list[AnswerPart] = Field(
        min_length=1,
        max_length=3,
        description="One sentence each, in order (at most three: the answer fits a phone "
        "screen); a part with no rule that holds is left out",
    )

    @field_validator("reads")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not QUANTITY_NAME.fullmatch(name):
                raise ValueError(f"name {name!r} must start with a letter and use a-z, 0-9 and _")
        return value
