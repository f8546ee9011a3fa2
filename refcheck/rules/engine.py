"""The rule engine: evaluates the catalogue's ``when`` conditions against a referral's facts.

Operators of ``when`` (a mapping; all entries must hold):

- ``fact: value`` — equality; ``fact: {in: [...]}`` / ``{not_in: [...]}`` — membership;
- ``{lt|lte|gt|gte: n}``, ``{ne: v}``, ``{is_null: true}`` — comparisons (a null fact fails
  every comparison but ``is_null`` and ``ne``);
- for set-valued facts: ``{any: [...]}``, ``{none: [...]}``, ``{only: [...]}``,
  ``{empty: true}``, ``{nonempty: true}``;
- ``any_of: [when, when, …]`` — at least one holds; ``not: when`` — it does not hold.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import yaml

from ..errors import DataError
from ..paths import rules_file

APPROPRIATENESS = ("urgent", "indicated", "low_value", "specialist", "uncertain", "out_of_scope")
SEVERITIES = ("error", "warning", "info")
RULE_KEYS = {"code", "name", "kind", "appropriateness", "recommend", "severity", "when", "evidence", "citation",
             "message", "doc"}
DOC_HEADINGS = ("checks", "why", "example", "guideline")
_SET_OPS = {"any", "none", "only", "empty", "nonempty"}
_CMP_OPS = {"lt", "lte", "gt", "gte", "ne", "is_null", "in", "not_in"}


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

    @property
    def family(self) -> str:
        return self.code.rsplit("-", 1)[0]

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
        return [r for r in self.rules if r.kind == "verdict"]

    @property
    def finding_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.kind == "finding"]

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
        raise DataError(f"[RC601] {where}: unknown keys {sorted(unknown)}; allowed: {sorted(RULE_KEYS)}")
    for key in ("code", "name", "kind", "severity", "when", "citation", "message", "doc"):
        if key not in raw:
            raise DataError(f"[RC602] {where}: missing '{key}'")
    if raw["kind"] not in ("verdict", "finding"):
        raise DataError(f"[RC603] {where}: kind must be 'verdict' or 'finding'")
    if raw["severity"] not in SEVERITIES:
        raise DataError(f"[RC604] {where}: severity must be one of {SEVERITIES}")
    if raw["kind"] == "verdict" and raw.get("appropriateness") not in APPROPRIATENESS:
        raise DataError(f"[RC605] {where}: a verdict rule needs appropriateness in {APPROPRIATENESS}")
    if not {"nb", "nn", "da", "en"} <= set(raw["message"]):
        raise DataError(f"[RC606] {where}: message needs nb, nn, da and en")
    if set(DOC_HEADINGS) - set(raw["doc"]):
        raise DataError(f"[RC607] {where}: doc needs {DOC_HEADINGS}")
    return Rule(code=raw["code"], name=raw["name"], kind=raw["kind"], severity=raw["severity"],
                when=raw["when"] or {}, citation=raw["citation"], message=raw["message"], doc=raw["doc"],
                appropriateness=raw.get("appropriateness"), recommend=raw.get("recommend"),
                evidence=tuple(raw.get("evidence") or ()))


@cache
def load_catalogue(path: str | None = None) -> Catalogue:
    """Load and validate the rule catalogue (once per process)."""
    p = path or str(rules_file())
    try:
        data = yaml.safe_load(open(p, encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"[RC600] cannot read the rule catalogue {p}: {exc}") from exc
    rules = [_validate(r, f"{p} rule {r.get('code', i)}") for i, r in enumerate(data["rules"])]
    codes = [r.code for r in rules]
    dupes = {c for c in codes if codes.count(c) > 1}
    if dupes:
        raise DataError(f"[RC608] duplicate rule codes: {sorted(dupes)}")
    return Catalogue(data.get("families", {}), rules)


def _region_may_match(when: dict, region: str | None) -> bool:
    """False only when the rule's own ``region`` condition excludes ``region``."""
    if "region" not in when:
        return True
    return _test(region, when["region"])


def holds(when: dict, facts: dict) -> bool:
    """Whether every condition of ``when`` holds for ``facts``."""
    for key, test in when.items():
        if key == "any_of":
            if not any(holds(w, facts) for w in test):
                return False
            continue
        if key == "not":
            if holds(test, facts):
                return False
            continue
        if key not in facts:
            raise DataError(f"[RC609] rule condition on unknown fact '{key}'")
        if not _test(facts[key], test):
            return False
    return True


def _test(value, test) -> bool:
    if not isinstance(test, dict):
        return value == test
    for op, arg in test.items():
        if op in _SET_OPS:
            items = set(value or ())
            ok = {"any": lambda: bool(items & set(arg)), "none": lambda: not (items & set(arg)),
                  "only": lambda: items <= set(arg), "empty": lambda: (not items) == bool(arg),
                  "nonempty": lambda: bool(items) == bool(arg)}[op]()
        elif op == "is_null":
            ok = (value is None) == bool(arg)
        elif op == "ne":
            ok = value != arg
        elif op == "in":
            ok = value in arg
        elif op == "not_in":
            ok = value not in arg
        elif op in _CMP_OPS:
            if value is None:
                return False
            ok = {"lt": value < arg, "lte": value <= arg, "gt": value > arg, "gte": value >= arg}[op]
        else:
            raise DataError(f"[RC610] unknown operator '{op}'")
        if not ok:
            return False
    return True
