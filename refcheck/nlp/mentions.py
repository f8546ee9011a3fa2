"""The unit the pipeline produces: a lexicon concept found in the text, with its context."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Mention:
    """One lexicon match with the ConText modifiers that apply to it.

    Offsets (``start``/``end``) are character offsets into the *normalised* text; the
    report maps them back to the original text.
    """

    category: str
    code: str
    entry_id: str
    start: int
    end: int
    tok_start: int
    tok_end: int
    sent: int
    section: str | None = None
    modifiers: set[str] = field(default_factory=set)
    #: the ConText triggers that decided, as (trigger text, category)
    context: list = field(default_factory=list)
    #: a composed concept's own words (anchor and required groups): a negator among them is
    #: the concept's ("klarer ikke holde på avføringen"); one between them negates it
    #: ("vaknar ikkje av smertene"). Empty for lexicon terms.
    parts: frozenset = frozenset()

    @property
    def negated(self) -> bool:
        return "NEGATED_EXISTENCE" in self.modifiers

    @property
    def hypothetical(self) -> bool:
        return "HYPOTHETICAL" in self.modifiers

    @property
    def family(self) -> bool:
        return "FAMILY" in self.modifiers

    @property
    def historical(self) -> bool:
        return "HISTORICAL" in self.modifiers

    @property
    def rule_out(self) -> bool:
        return "RULE_OUT" in self.modifiers

    @property
    def affirmed(self) -> bool:
        """Present in this patient: not negated, hypothetical, about someone else or to be ruled out."""
        return not (self.modifiers & {"NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY", "RULE_OUT"})
