"""The rule engine: evaluates the catalogue's ``when`` conditions against a referral's facts.

Operators of ``when`` (a mapping; all entries must hold):

- ``fact: value`` — equality; ``fact: {in: [...]}`` / ``{not_in: [...]}`` — membership;
- ``{lt|lte|gt|gte: n}``, ``{ne: v}``, ``{is_null: true}`` — comparisons (a null fact fails
  every comparison but ``is_null`` and ``ne``);
- for set-valued facts: ``{any: [...]}``, ``{none: [...]}``, ``{only: [...]}``,
  ``{empty: true}``, ``{nonempty: true}``;
- ``any_of: [when, when, …]`` — at least one holds; ``not: when`` — it does not hold.

Facts are read by name (``facts[name]``): the fields and properties of
:class:`refcheck.facts.Facts` (``FACT_NAMES``); finding rules may also read the verdict
(``VERDICT_FACTS``). The catalogue is validated when it loads: every ``when`` is compiled
and every fact name and operator checked, so a typo fails at start-up with its rule code.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import yaml

from ..contract import APPROPRIATENESS, SEVERITIES
from ..errors import data_error
from ..facts.model import FACT_NAMES
from ..paths import rules_file

RULE_KEYS = {"code", "name", "kind", "appropriateness", "recommend", "severity", "when", "evidence", "citation",
             "citations", "message", "doc"}
#: What a ``citations`` key may name: "region:<region>" or "guideline:<no|dk>".
_CITATION_KEYS = ("region", "guideline")
DOC_HEADINGS = ("checks", "why", "example", "guideline")
_SET_OPS = {"any", "none", "only", "empty", "nonempty"}
_CMP_OPS = {"lt", "lte", "gt", "gte", "ne", "is_null", "in", "not_in"}
OPERATORS = frozenset(_SET_OPS | _CMP_OPS)
#: What finding rules may read besides the facts: the verdict (see rules/judge.py).
VERDICT_FACTS = frozenset({"appropriateness", "recommended", "modality_mismatch"})
#: What ``evidence`` may name: the facts whose words a finding quotes (see rules/judge.py).
EVIDENCE_KINDS = frozenset({"flags", "conditions", "weeks", "age", "modality", "region", "signs", "alarms", "learned_alarms"})


@dataclass(frozen=True)
class Rule:
    """One guideline recommendation as data."""

    code: str
    name: str
    kind: str
    severity: str
    when: dict
    citation: str
    message: dict
    doc: dict
    appropriateness: str | None = None
    recommend: object = None
    evidence: tuple[str, ...] = ()
    #: the citation for a region or a guideline where the rule's general one is not the
    #: source ("region:cervical_spine" → IS-1899 Nakke); the first that applies wins
    citations: tuple[tuple[str, str, str], ...] = ()
    test: Callable = field(default=lambda facts: True, compare=False, repr=False)  # ``when`` compiled

    def holds(self, facts) -> bool:
        """Whether the rule's ``when`` holds for ``facts`` (anything read by name)."""
        return self.test(facts)

    @property
    def family(self) -> str:
        return self.code.rsplit("-", 1)[0]

    def citation_for(self, facts) -> str:
        """The source this rule cites for these facts (region or guideline specific, else general)."""
        for key, value, citation in self.citations:
            if facts[key] == value:
                return citation
        return self.citation

    def message_for(self, lang: str, **values) -> str:
        """The message in ``lang`` (nynorsk falls back to bokmål), with placeholders filled."""
        text = self.message.get(lang) or self.message.get("nb" if lang == "nn" else "en") or self.message["en"]
        return text.format(**values) if values else text

    def recommended(self, requested: str | None) -> str | None:
        if self.recommend is None:
            return None
        if isinstance(self.recommend, str):
            return self.recommend
        prefer = list(self.recommend["prefer"])
        return requested if requested in prefer else prefer[0]


@dataclass
class Catalogue:
    families: dict[str, str]
    rules: list[Rule] = field(default_factory=list)

    @property
    def verdict_rules(self) -> list[Rule]:
        return self._of_kind("verdict")

    @property
    def finding_rules(self) -> list[Rule]:
        return self._of_kind("finding")

    def _of_kind(self, kind: str) -> list[Rule]:
        cache = self.__dict__.setdefault("_by_kind", {})
        if kind not in cache:
            cache[kind] = [r for r in self.rules if r.kind == kind]
        return cache[kind]

    def verdict_rules_for(self, region: str | None) -> list[Rule]:
        """The verdict rules that can hold for ``region``, in catalogue order (cached)."""
        cache = self.__dict__.setdefault("_by_region", {})
        if region not in cache:
            cache[region] = [r for r in self.verdict_rules if _region_may_match(r.when, region)]
        return cache[region]

    def get(self, code: str) -> Rule | None:
        code = code.upper()
        return next((r for r in self.rules if r.code == code), None)


def _validate(raw: dict, where: str) -> Rule:
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise data_error("RC601", where=where, unknown=sorted(unknown), allowed=sorted(RULE_KEYS))
    for key in ("code", "name", "kind", "severity", "when", "citation", "message", "doc"):
        if key not in raw:
            raise data_error("RC602", where=where, key=key)
    if raw["kind"] not in ("verdict", "finding"):
        raise data_error("RC603", where=where)
    if raw["severity"] not in SEVERITIES:
        raise data_error("RC604", where=where, severities=SEVERITIES)
    if raw["kind"] == "verdict" and raw.get("appropriateness") not in APPROPRIATENESS:
        raise data_error("RC605", where=where, values=APPROPRIATENESS)
    if not {"nb", "nn", "da", "en"} <= set(raw["message"]):
        raise data_error("RC606", where=where)
    if set(DOC_HEADINGS) - set(raw["doc"]):
        raise data_error("RC607", where=where, headings=DOC_HEADINGS)
    unknown = set(raw.get("evidence") or ()) - EVIDENCE_KINDS
    if unknown:
        raise data_error("RC611", where=where, unknown=sorted(unknown), allowed=sorted(EVIDENCE_KINDS))
    when = raw["when"] or {}
    _check_names(when, FACT_NAMES | (VERDICT_FACTS if raw["kind"] == "finding" else frozenset()), where)
    test = compile_when(when)
    citations = []
    for name, citation in (raw.get("citations") or {}).items():
        key, _, value = str(name).partition(":")
        if key not in _CITATION_KEYS or not value or not isinstance(citation, str):
            raise data_error("RC613", where=where, name=name, keys=_CITATION_KEYS)
        citations.append((key, value, citation))
    return Rule(code=raw["code"], name=raw["name"], kind=raw["kind"], severity=raw["severity"],
                when=when, citation=raw["citation"], message=raw["message"], doc=raw["doc"],
                appropriateness=raw.get("appropriateness"), recommend=raw.get("recommend"),
                evidence=tuple(raw.get("evidence") or ()), citations=tuple(citations), test=test)


def _check_names(when: object, allowed: frozenset, where: str) -> None:
    """Every fact a ``when`` reads must be in ``allowed``, and every operator the engine's."""
    if not isinstance(when, dict):
        raise data_error("RC612", where=where, problem=f"a condition must be a mapping, not {when!r}")
    for key, test in when.items():
        if key == "any_of":
            if not isinstance(test, list):
                raise data_error("RC612", where=where, problem="any_of needs a list of conditions")
            for sub in test:
                _check_names(sub, allowed, where)
        elif key == "not":
            _check_names(test, allowed, where)
        elif key not in allowed:
            raise data_error("RC609", where=where, fact=key, facts=", ".join(sorted(allowed)))
        elif isinstance(test, dict):
            for op in set(test) - OPERATORS:
                raise data_error("RC610", where=where, op=op, operators=", ".join(sorted(OPERATORS)))


@cache
def load_catalogue(path: str | None = None) -> Catalogue:
    """Load and validate the rule catalogue (once per process)."""
    p = path or str(rules_file())
    try:
        data = yaml.safe_load(open(p, encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise data_error("RC600", path=p, problem=exc) from exc
    rules = [_validate(r, f"{p} rule {r.get('code', i)}") for i, r in enumerate(data["rules"])]
    codes = [r.code for r in rules]
    dupes = {c for c in codes if codes.count(c) > 1}
    if dupes:
        raise data_error("RC608", codes=sorted(dupes))
    return Catalogue(data.get("families", {}), rules)


def _region_may_match(when: dict, region: str | None) -> bool:
    """False only when the rule's own ``region`` condition excludes ``region``."""
    if "region" not in when:
        return True
    return _test(region, when["region"])


def holds(when: dict, facts: dict) -> bool:
    """Whether every condition of ``when`` holds for ``facts``.

    ``when`` is compiled to a Python predicate on first use (kept for the process). The
    catalogue's rules are compiled when it loads: judge with :meth:`Rule.holds`.
    """
    entry = _COMPILED.get(id(when))
    if entry is None or entry[0] is not when:
        entry = _COMPILED[id(when)] = (when, compile_when(when))
    try:
        return entry[1](facts)
    except (KeyError, AttributeError) as exc:
        raise data_error("RC609", where="a rule condition", fact=exc.args[0],
                         facts=", ".join(sorted(facts)) if isinstance(facts, dict) else "the Facts fields") from None


_COMPILED: dict[int, tuple[dict, object]] = {}


def compile_when(when: dict):
    """A predicate ``facts -> bool`` equivalent to interpreting ``when`` (see module doc)."""
    checks = []
    for key, test in when.items():
        if key == "any_of":
            subs = [compile_when(w) for w in test]
            checks.append(lambda f, subs=subs: any(sub(f) for sub in subs))
        elif key == "not":
            sub = compile_when(test)
            checks.append(lambda f, sub=sub: not sub(f))
        else:
            value_test = _compile_test(test)
            checks.append(lambda f, key=key, value_test=value_test: value_test(f[key]))
    if not checks:
        return lambda f: True
    if len(checks) == 1:
        return checks[0]
    return lambda f: all(check(f) for check in checks)


def _compile_test(test):
    """A predicate on one fact's value."""
    if not isinstance(test, dict):
        return lambda v: v == test
    ops = []
    for op, arg in test.items():
        if op in _SET_OPS:
            ref = frozenset(arg) if isinstance(arg, (list, tuple, set, frozenset)) else arg
            fn = {"any": lambda v, ref=ref: not ref.isdisjoint(v or ()),
                  "none": lambda v, ref=ref: ref.isdisjoint(v or ()),
                  "only": lambda v, ref=ref: set(v or ()) <= ref,
                  "empty": lambda v, ref=bool(arg): (not v) == ref,
                  "nonempty": lambda v, ref=bool(arg): bool(v) == ref}[op]
        elif op == "is_null":
            fn = lambda v, ref=bool(arg): (v is None) == ref  # noqa: E731
        elif op == "ne":
            fn = lambda v, ref=arg: v != ref  # noqa: E731
        elif op == "in":
            fn = lambda v, ref=arg: v in ref  # noqa: E731
        elif op == "not_in":
            fn = lambda v, ref=arg: v not in ref  # noqa: E731
        elif op in ("lt", "lte", "gt", "gte"):
            cmp = {"lt": lambda v, r: v < r, "lte": lambda v, r: v <= r,
                   "gt": lambda v, r: v > r, "gte": lambda v, r: v >= r}[op]
            fn = lambda v, ref=arg, cmp=cmp: v is not None and cmp(v, ref)  # noqa: E731
        else:
            raise data_error("RC610", where="a rule condition", op=op, operators=", ".join(sorted(OPERATORS)))
        ops.append(fn)
    if len(ops) == 1:
        return ops[0]
    return lambda v: all(fn(v) for fn in ops)


def _test(value, test) -> bool:
    """Whether one fact's value passes ``test`` (used to pre-select rules by region)."""
    return _compile_test(test)(value)
