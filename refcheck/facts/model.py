"""The facts one referral states: the :class:`Facts` model and the vocabulary the rules read."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..nlp.mentions import Mention


@dataclass
class Facts:
    """Everything refcheck knows about one referral before the rules judge it."""

    language: str
    guideline: str
    age: int | None = None
    sex: str | None = None
    modality: str | None = None
    region: str | None = None
    laterality: str | None = None
    symptom_weeks: float | None = None
    improving: bool | None = None
    trauma: bool = False
    prior_treatment: bool = False
    history: bool = False
    clinical_findings: bool = False
    tentative_diagnosis: bool = False
    tentative_text: str | None = None
    tentative_span: tuple[int, int] | None = None
    clinical_question: bool = False
    question_text: str | None = None
    question_span: tuple[int, int] | None = None
    red_flags: list[Mention] = field(default_factory=list)  # affirmed, deduplicated by code
    minor_trauma: bool = False  # the trauma flag comes from a minor trauma with osteoporosis/steroids
    #: how to find the unresolved alarm words (facts/alarms.py), run only when a rule reads ``alarms``
    alarm_reader: object = field(default=None, repr=False, compare=False)
    #: how to find the sentences the learned red-flag model reads as a flag the rules missed
    learned_reader: object = field(default=None, repr=False, compare=False)
    #: token spans of red-flag words read and set aside for a stated reason (resolve their alarms)
    read_away: list[tuple[int, int]] = field(default_factory=list, repr=False, compare=False)
    age_onset: bool = False
    conditions: set[str] = field(default_factory=set)  # suspected or known, not negated
    condition_mentions: dict[str, Mention] = field(default_factory=dict)
    signs: set[str] = field(default_factory=set)  # affirmed findings and symptoms
    intents: set[str] = field(default_factory=set)
    risk_factors: set[str] = field(default_factory=set)
    wad_grade: int | None = None
    recent_injury: bool = False
    radicular: bool = False
    repeat_recent: bool = False
    replaced_characters: int = 0  # bytes of the file that could not be decoded (shown as U+FFFD)
    evidence: dict[str, tuple[int, int]] = field(default_factory=dict)  # fact → span

    @property
    def flag_codes(self) -> set[str]:
        """The codes of the red flags, with ``age_onset`` when it holds."""
        return {m.code for m in self.red_flags} | ({"age_onset"} if self.age_onset else set())

    @property
    def alarms(self) -> list:
        """Unresolved alarm words (the safety net), read on first use: only a decline needs them."""
        cached = self.__dict__.get("_alarms")
        if cached is None:
            cached = self.alarm_reader() if self.alarm_reader is not None else []
            self.__dict__["_alarms"] = cached
        return cached

    @property
    def learned_alarms(self) -> list:
        """Sentences the learned red-flag model reads as a flag the rules did not find (the
        safety net's second reader), read on first use: only a decline needs them."""
        cached = self.__dict__.get("_learned_alarms")
        if cached is None:
            cached = self.learned_reader() if self.learned_reader is not None else []
            self.__dict__["_learned_alarms"] = cached
        return cached

    @property
    def whiplash(self) -> bool:
        """A whiplash injury of the neck: in a referral of another region the same accident's
        trauma stays a red flag there ("nakkesleng og korsryggsmerter etter bilulykke")."""
        return "whiplash" in self.conditions and self.region in ("cervical_spine", None)

    @property
    def serious_flags(self) -> set[str]:
        """The red flags that call for imaging: not ``age_onset``, and not the trauma of a whiplash injury."""
        return self.flag_codes - {"age_onset"} - ({"trauma"} if self.whiplash else set())

    def __getitem__(self, name: str):
        """``facts[name]``: the rule engine reads facts by name (see refcheck/rules/engine.py)."""
        return getattr(self, name)


#: Every name a rule's ``when`` may read: the Facts fields and properties.
#: (The catalogue reads only the scalar and set facts; the mention lists, spans and
#: texts are here for the report.)
FACT_NAMES = frozenset([f.name for f in fields(Facts)] + [name for name, value in vars(Facts).items()
                                                         if isinstance(value, property)])
