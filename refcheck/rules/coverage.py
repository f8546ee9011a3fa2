"""The coverage matrix: every guideline recommendation, its sentence, and the rules that
implement it (``recommendations.yaml``, kept beside the catalogue).

:func:`load` reads and checks it against the catalogue: every recommendation has rules or
a reason, every rule code exists, and every catalogue rule implements a recommendation or
is listed as operational (it implements the contract). :func:`markdown` renders
``docs/coverage.md``; :func:`rows` feeds ``refcheck rules --coverage``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import data_error
from .citations import NAMES
from .engine import Catalogue, load_catalogue

PATH = Path(__file__).resolve().parent / "recommendations.yaml"
STATUSES = ("implemented", "partial", "contract", "none")


@dataclass(frozen=True)
class Recommendation:
    id: str
    label: str
    source: str
    section: str
    sentence: str
    rules: tuple[str, ...]
    reason: str | None = None
    partial: str | None = None
    contract: str | None = None

    @property
    def status(self) -> str:
        if not self.rules:
            return "none"
        return "contract" if self.contract else "partial" if self.partial else "implemented"

    @property
    def document(self) -> str:
        return NAMES.get(self.source, self.source)


@dataclass(frozen=True)
class Coverage:
    recommendations: tuple[Recommendation, ...]
    operational: dict[str, str]  # rule code → why it implements the contract, not a recommendation

    def for_rule(self, code: str) -> list[Recommendation]:
        return [r for r in self.recommendations if code in r.rules]

    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.recommendations) for s in STATUSES}


def load(path: str | Path | None = None, catalogue: Catalogue | None = None) -> Coverage:
    """Read the matrix and check it against the catalogue (DataError RC620 naming the entry)."""
    path = Path(path or PATH)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    catalogue = catalogue or load_catalogue()
    codes = {r.code for r in catalogue.rules}
    recs, seen = [], set()
    for i, e in enumerate(raw.get("recommendations") or [], start=1):
        where = f"{path.name} entry {i}"
        if not isinstance(e, dict) or not e.get("id") or not e.get("sentence"):
            raise data_error("RC620", where=where, problem="needs an id and the guideline sentence")
        if e["id"] in seen:
            raise data_error("RC620", where=where, problem=f"duplicate id {e['id']!r}")
        seen.add(e["id"])
        rules = tuple(e.get("rules") or ())
        unknown = [c for c in rules if c not in codes]
        if unknown:
            raise data_error("RC620", where=where, problem=f"{e['id']}: no such rule {unknown}")
        if not rules and not e.get("reason"):
            raise data_error("RC620", where=where, problem=f"{e['id']}: no rule and no reason")
        recs.append(Recommendation(str(e["id"]), str(e.get("label") or e["id"]), str(e.get("source") or ""),
                                   str(e.get("section") or ""), str(e["sentence"]), rules, e.get("reason"),
                                   e.get("partial"), e.get("contract")))
    operational = {str(o["rule"]): str(o["reason"]) for o in raw.get("operational") or []}
    unknown = sorted(set(operational) - codes)
    if unknown:
        raise data_error("RC620", where=path.name, problem=f"operational rules not in the catalogue: {unknown}")
    covered = {c for r in recs for c in r.rules} | set(operational)
    orphans = sorted(codes - covered)
    if orphans:
        raise data_error("RC620", where=path.name, problem=f"rules that implement no recommendation: {orphans}")
    return Coverage(tuple(recs), operational)


def rows(coverage: Coverage) -> list[dict]:
    return [{"id": r.id, "document": r.document, "section": r.section, "status": r.status, "rules": list(r.rules),
             "sentence": r.sentence, "note": r.contract or r.partial or r.reason} for r in coverage.recommendations]


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def markdown(coverage: Coverage) -> str:
    """docs/coverage.md: the matrix by document, with counts, as a reviewer reads it."""
    n = coverage.counts()
    total = len(coverage.recommendations)
    out = ["# Guideline coverage", "",
           "Generated from `refcheck/rules/recommendations.yaml` by `refcheck rules --coverage --format md`; "
           "do not edit by hand (a test keeps the two in step).", "",
           f"{total} recommendations: {n['implemented']} implemented, {n['partial']} partly implemented, "
           f"{n['contract']} decided by the output contract's interpretation where it differs from the "
           f"guideline's wording, {n['none']} without a rule.", ""]
    by_doc: dict[str, list[Recommendation]] = {}
    for r in coverage.recommendations:
        by_doc.setdefault(r.document, []).append(r)
    for doc, recs in by_doc.items():
        out += [f"## {doc}", "", "| id | status | rules | guideline sentence | note |", "|---|---|---|---|---|"]
        for r in recs:
            out.append(f"| {_cell(r.id)} | {r.status} | {', '.join(r.rules) or '–'} | {_cell(r.sentence)} | "
                       f"{_cell(r.contract or r.partial or r.reason)} |")
        out.append("")
    out += ["## Rules that implement the contract", "", "| rule | why |", "|---|---|"]
    out += [f"| {code} | {_cell(why)} |" for code, why in coverage.operational.items()]
    return "\n".join(out) + "\n"
