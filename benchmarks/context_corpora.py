#!/usr/bin/env python3
"""refcheck's ConText layer (``refcheck.context.annotate``) against Norwegian corpora annotated by others.

Prints, per corpus, split and task: the number of targets, precision / recall / F1 of the
positive class (negated, or family) and the time spent inside ``annotate``. Nothing is
downloaded: every path points at a local copy. Corpus text is never printed, except with
``--show-errors N`` and then only for NoReC_neg (public review text); NorSynthClinical and
NorMed_neg / GastroSurgery are measure-only and the script refuses ``--show-errors`` for them.

usage:
    python benchmarks/context_corpora.py [--norec-neg DIR] [--norsynth DIR] [--normed-neg DIR]
        [--gastrosurgery PATH] [--split dev|train|test|all] [--limit N] [--baseline-negex]
        [--show-errors N] [--language nb] [--norsynth-unit line|document] [--json OUT]

Corpora, where they come from and how each becomes (text, targets, gold labels)
-------------------------------------------------------------------------------
``annotate(text, targets, language)`` wants character spans of ``text`` that name the thing
whose context is asked for (a "target" or "event": the finding, the condition), independent
of the cue. The corpora annotate different things, so each is converted:

NoReC_neg (github.com/ltgoslo/norec_neg; ``--norec-neg`` = repo root or its ``data/``)
    JSON, one object per sentence (``sent_id``, ``text`` pre-tokenised with spaces,
    ``negations``: each a ``Cue`` and a ``Scope`` as parallel lists of strings and "a:b"
    character offsets, plus ``Affixal``). Files ``negation_{train,dev,test}.json``.
    It is cue-scope style and has no event/target annotation, so the targets are *every
    content word* of *every* sentence (negation-free sentences included): whitespace tokens
    that contain a letter and are not in the function-word list below. Tokens that overlap
    any cue are not targets (a cue is not a negated concept; an affixal cue such as "u-" in
    "ufrivillig" makes the whole word ambiguous, so it is left out too). A target is gold
    *negated* if it overlaps any annotated scope of its sentence (the "skipped" column counts
    the content tokens left out for overlapping a cue). One ``annotate`` call per sentence.
    Task: ``negated``.

NorMed_neg (github.com/marieef/NorMed_neg; ``--normed-neg`` = repo root, ``dataset/`` or
``dataset/datasplit/``)
    The NoReC_neg JSON format and guidelines re-applied to the sentences of the Norwegian
    GastroSurgery Biomedical Negation Corpus (Tidsskriftet articles on gastro-surgery);
    splits ``dataset/datasplit/NorMed_neg_{train,dev,test}.json`` (``all`` =
    ``dataset/NorMed_neg.json``). Task ``negated``: content words as for NoReC_neg.
    Each sentence also has ``focus_relations`` (``Cue`` + ``Focus``): Focus is the term the
    original corpus marked as negated; task ``negated-focus`` uses the Focus spans as targets,
    all gold-positive, so only recall means something (P is shown as "-").

GastroSurgery (github.com/DebaratiSJ/NegEx-on-Norwegian-biomedical-text, file
``Gold standard biomedical corpus/Norwegian GastroSurgery Biomedical Negation Corpus.txt``;
``--gastrosurgery`` = that file or a directory holding it)
    Plain UTF-8 text, one paragraph per line, negated findings wrapped in
    ``<NEGATED>…</NEGATED>``; nothing else is marked, so the targets are the tagged spans
    (tags removed, offsets into the cleaned line), all gold-positive: recall only. One call
    per line. Task ``negated-focus``. (NorMed_neg is the better measure of the same text.)

NorSynthClinical (github.com/ltgoslo/NorSynthClinical; ``--norsynth`` = repo root holding
``synthetic_data.zip``, or an extracted ``pal_annotate/`` directory)
    Synthetic Norwegian family-history sentences in brat standoff (``*.txt`` one sentence per
    line + ``*.ann``), annotated by a clinician (``pal_annotate``). Entities include
    CONDITION, EVENT, FAMILY, SELF, NEG, TEMPORAL …; relations include
    ``Holder`` (CONDITION/EVENT ↔ FAMILY or SELF) and ``Modifier`` (NEG → CONDITION …).
    Targets are the CONDITION spans (``--norsynth-entities CONDITION,EVENT`` adds events).
    Task ``family``: gold *family* if the target's Holder is a FAMILY entity, not family if
    it is SELF (the patient); targets with no FAMILY/SELF holder, or with both, are skipped
    (counted in the "skipped" column). Task ``negated``: every target, gold *negated* if a
    NEG entity modifies it. ``pal_230318_split`` repeats sentences of ``pal_230318`` re-split,
    so it is left out. One ``annotate`` call per line (``--norsynth-unit document``: per file).
    There is no predefined split: its split column says "all".

Scoring: per target, the positive class is ``TargetContext.negated`` (tasks ``negated``,
``negated-focus``) or ``.family`` (task ``family``); TP/FP/FN give P = TP/(TP+FP),
R = TP/(TP+FN), F1. The time column is the wall time inside ``annotate`` only (one warm-up
call on a fixed non-corpus string happens first, so model loading is not counted).

``--baseline-negex`` adds rows for a trivial stand-in (see ``baseline_annotate``): negated if
a negation cue word (ikke, ingen, uten, aldri …) precedes the target in the same sentence
with no terminator ("men", "dog", ";" …) between; family if a family word (mor, bror,
søster …) occurs in the same sentence segment. It needs nothing from refcheck; if
``refcheck.context`` cannot be imported, only the baseline runs (and without the flag the
script stops with a message).
"""
from __future__ import annotations

import argparse
import glob
import io
import json
import re
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

# --------------------------------------------------------------------------------------
# Targets for cue-scope corpora: content words = tokens with a letter, not function words.
# A fixed list (Bokmål and common Nynorsk forms) so the target set does not move with
# library versions.
FUNCTION_WORDS = frozenset("""
og eller men for at som om så da når hvis dersom enn fordi siden mens før etter til fra
i på av med ved hos mot over under mellom gjennom uten utan innen innenfor utenfor rundt
langs blant bak foran etter om å ad per pr samt både verken hverken enten
jeg meg min mitt mine du deg din ditt dine han ham hans hun henne hennes den det dens
dets vi oss vår vårt våre dere deres de dem seg sin sitt sine selv sjøl man en ein eg ho
dei dykk dykkar me oss kven kva kvar korleis kvifor
en ei et eit ett denne dette disse hin slik sånn slike sånne hver hvert hverandre
all alt alle annen annet andre anna eneste samme egen eget egne noen noe nokon noko ingen
inga intet ingenting ikke ikkje inkje aldri ja nei jo vel nok bare berre også òg
er var vært vore vere være blir bli ble blei blitt vart vorte verte har ha hadde hatt
kan kunne skal skulle vil ville må måtte bør burde får fikk få gjør gjorde gjort gjøre
går gikk gått kom kommer
her der hit dit hvor hvem hva hvilken hvilket hvilke hvorfor hvordan nå no da så
meget mye mer mest mange flere flest lite litt mindre minst få færre ganske veldig svært
helt heilt heller enda ennå allerede nettopp altså derfor dessuten likevel kanskje
alltid ofte igjen ute inne oppe nede opp ned ut inn frem fram bort tilbake sammen alene
hele heile
""".split())

WORD_RE = re.compile(r"\S+")
HAS_LETTER = re.compile(r"[^\W\d_]")


def content_tokens(text: str) -> list[tuple[int, int]]:
    out = []
    for m in WORD_RE.finditer(text):
        tok = m.group()
        if HAS_LETTER.search(tok) and tok.lower().strip(".,;:!?()[]«»\"'") not in FUNCTION_WORDS:
            out.append((m.start(), m.end()))
    return out


def _spans(offsets: Iterable[str]) -> list[tuple[int, int]]:
    out = []
    for o in offsets:
        a, b = o.split(":")
        out.append((int(a), int(b)))
    return out


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)


# --------------------------------------------------------------------------------------
@dataclass
class Unit:
    """One annotate() call: a sentence / line / document, its targets and gold labels."""
    uid: str
    text: str
    targets: list[tuple[int, int]]
    gold: list[bool]


@dataclass
class Task:
    corpus: str
    split: str
    task: str          # negated | negated-focus | family
    attr: str          # TargetContext attribute scored
    units: list[Unit]
    protected: bool    # measure-only: no corpus text in any output
    skipped: int = 0   # targets left out by the conversion (see docstring)
    language: str | None = None  # overrides --language (files that say their language)


class CorpusError(Exception):
    """A corpus path is missing or not in the expected shape (message has no corpus text)."""


SPLITS = ("train", "dev", "test")


def _pick(dirs: list[Path], names: list[str]) -> Path | None:
    for d in dirs:
        for n in names:
            if (d / n).is_file():
                return d / n
    return None


# --- NoReC_neg / NorMed_neg ------------------------------------------------------------
def _cue_scope_tasks(corpus: str, sentences: list[dict], split: str, protected: bool,
                     with_focus: bool) -> list[Task]:
    tok_units, foc_units = [], []
    skipped = 0
    for s in sentences:
        text = s["text"]
        cues, scopes = [], []
        for neg in s.get("negations", []):
            cues += _spans(neg["Cue"][1])
            scopes += _spans(neg["Scope"][1])
        targets, gold = [], []
        for span in content_tokens(text):
            if _overlaps(span, cues):
                skipped += 1
                continue
            targets.append(span)
            gold.append(_overlaps(span, scopes))
        tok_units.append(Unit(str(s["sent_id"]), text, targets, gold))
        if with_focus:
            foci = [sp for fr in s.get("focus_relations", []) for sp in _spans(fr["Focus"][1])]
            if foci:
                foc_units.append(Unit(str(s["sent_id"]), text, foci, [True] * len(foci)))
    tasks = [Task(corpus, split, "negated", "negated", tok_units, protected, skipped)]
    if with_focus:
        tasks.append(Task(corpus, split, "negated-focus", "negated", foc_units, protected))
    return tasks


def load_norec_neg(path: str, split: str, limit: int | None) -> list[Task]:
    root = Path(path)
    if not root.is_dir():
        raise CorpusError(f"--norec-neg: {path} is not a directory (expected the norec_neg repo root or its data/)")
    dirs = [root / "data", root]
    sentences = []
    for sp in (SPLITS if split == "all" else (split,)):
        f = _pick(dirs, [f"negation_{sp}.json", f"{sp}.json"])
        if f is None:
            raise CorpusError(f"--norec-neg: no negation_{sp}.json in {path} or {path}/data")
        sentences += json.loads(f.read_text(encoding="utf-8"))
    return _cue_scope_tasks("NoReC_neg", sentences[:limit], split, protected=False, with_focus=False)


def load_normed_neg(path: str, split: str, limit: int | None) -> list[Task]:
    root = Path(path)
    if not root.is_dir():
        raise CorpusError(f"--normed-neg: {path} is not a directory (expected the NorMed_neg repo root)")
    dirs = [root / "dataset" / "datasplit", root / "datasplit", root]
    if split == "all":
        f = _pick([root / "dataset", root.parent if root.name == "datasplit" else root, root], ["NorMed_neg.json"])
        files = [f] if f else [_pick(dirs, [f"NorMed_neg_{sp}.json"]) for sp in SPLITS]
    else:
        files = [_pick(dirs, [f"NorMed_neg_{split}.json"])]
    if any(f is None for f in files):
        raise CorpusError(f"--normed-neg: no NorMed_neg_{split}.json under {path} (looked in dataset/datasplit/)")
    sentences = []
    for f in files:
        sentences += json.loads(f.read_text(encoding="utf-8"))
    return _cue_scope_tasks("NorMed_neg", sentences[:limit], split, protected=True, with_focus=True)


# --- GastroSurgery (original <NEGATED> markup) -------------------------------------------
NEG_TAG = re.compile(r"<NEGATED>(.*?)</NEGATED>", re.S)


def load_gastrosurgery(path: str, split: str, limit: int | None) -> list[Task]:
    p = Path(path)
    if p.is_dir():
        cands = sorted(glob.glob(str(p / "**" / "*GastroSurgery*Corpus*.txt"), recursive=True)) + \
                sorted(glob.glob(str(p / "**" / "gastrosurgery*.txt"), recursive=True))
        if not cands:
            raise CorpusError(f"--gastrosurgery: no '*GastroSurgery*Corpus*.txt' under {path}")
        p = Path(cands[0])
    elif not p.is_file():
        raise CorpusError(f"--gastrosurgery: {path} does not exist")
    units = []
    lines = p.read_text(encoding="utf-8-sig").splitlines()
    for i, raw in enumerate(lines[:limit], 1):
        clean, targets, pos = [], [], 0
        n = 0
        for m in NEG_TAG.finditer(raw):
            clean.append(raw[pos:m.start()])
            n += len(raw[pos:m.start()])
            targets.append((n, n + len(m.group(1))))
            clean.append(m.group(1))
            n += len(m.group(1))
            pos = m.end()
        if targets:
            clean.append(raw[pos:])
            units.append(Unit(f"line {i}", "".join(clean), targets, [True] * len(targets)))
    tasks = [Task("GastroSurgery", "all", "negated-focus", "negated", units, protected=True)]
    terms = _negex_terms(p)
    if terms is not None:
        tasks.append(Task("GastroSurgery", "all", "negated", "negated",
                          _dictionary_units(lines[:limit], terms), protected=True))
    return tasks


# The Norwegian NegEx study's own target set: every NorMedTerm condition (plus the study's
# extra symptom list) found in a sentence, longest match first, as its runNegExOnFiles.py
# does. A target is gold-negated when it overlaps a <NEGATED> span of the gold corpus. This
# is the unit set on which that NegEx reports its precision and recall, so the figures of
# any system here are comparable to it.
def _negex_terms(corpus_file: Path) -> tuple[set[str], int] | None:
    root = next((a for a in corpus_file.parents if (a / "Associated files").is_dir()), None)
    if root is None:
        return None
    assoc = root / "Associated files"
    triggers = {ln.split("\t")[0].strip() for ln in (assoc / "negationtriggers_norska.txt")
                .read_text(encoding="utf-8").splitlines() if ln.strip()}
    terms: set[str] = set()
    for name in ("NorMedTermCondition.txt", "myWords.txt"):
        f = assoc / name
        if not f.is_file():
            continue
        for ln in f.read_text(encoding="utf-8").splitlines():
            t = ln.strip().lower()
            if not t or any(w in triggers for w in t.split(" ")):
                continue
            for v in {t, t.replace(",", "")}:
                terms.add(" ".join(TERM_TOKEN.findall(v)))
    terms.discard("")
    return terms, max(len(t.split(" ")) for t in terms)


TERM_TOKEN = re.compile(r"[^\s,.:?]+|[,.:?]")
NEGEX_SENTENCE = re.compile(r"\.\W")


def _dictionary_units(lines: list[str], terms: tuple[set[str], int]) -> list["Unit"]:
    vocab, longest = terms
    units = []
    for i, raw in enumerate(lines, 1):
        clean, neg, pos, n = [], [], 0, 0
        for m in NEG_TAG.finditer(raw):
            clean.append(raw[pos:m.start()])
            n += m.start() - pos
            neg.append((n, n + len(m.group(1))))
            clean.append(m.group(1))
            n += len(m.group(1))
            pos = m.end()
        clean.append(raw[pos:])
        text = "".join(clean)
        # sentences as NegEx splits them; one unit per sentence that holds a term
        starts = [0] + [m.end() for m in NEGEX_SENTENCE.finditer(text)]
        ends = [m.start() + 1 for m in NEGEX_SENTENCE.finditer(text)] + [len(text)]
        for k, (a, b) in enumerate(zip(starts, ends)):
            sent = text[a:b]
            toks = [(m.start(), m.end(), m.group().lower()) for m in TERM_TOKEN.finditer(sent)]
            targets, j = [], 0
            while j < len(toks):
                for e in range(min(len(toks), j + longest), j, -1):
                    if " ".join(t[2] for t in toks[j:e]) in vocab:
                        targets.append((toks[j][0], toks[e - 1][1]))
                        j = e - 1
                        break
                j += 1
            if targets:
                gold = [_overlaps((a + s, a + e), neg) for s, e in targets]
                units.append(Unit(f"line {i}.{k + 1}", sent, targets, gold))
    return units


def negex_system(corpus_path: str) -> Callable | None:
    """The study's own negex.py (from the local copy of its repository) as a system: its
    negTagger over each sentence with the sentence's targets as phrases; a target is negated
    when the tagger wraps it in [NEGATED]. Its runNegExOnFiles.py also rewrites a few
    conjunction patterns before tagging; that pre-pass is not reproduced here."""
    p = Path(corpus_path)
    root = next((a for a in [p, *p.parents] if (a / "Code files" / "negex.py").is_file()), None)
    if root is None:
        return None
    import importlib.util
    spec = importlib.util.spec_from_file_location("gastro_negex", root / "Code files" / "negex.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rules = mod.sortRules((root / "Associated files" / "negationtriggers_norska.txt")
                          .read_text(encoding="utf-8").splitlines(keepends=True))

    def annotate(text: str, targets: list[tuple[int, int]], language: str = "nb") -> list[BaselineContext]:
        phrases = sorted({text[a:b].lower() for a, b in targets}, key=len, reverse=True)
        tagged = mod.negTagger(text.lower(), phrases, rules=rules, negP=False).getNegTaggedSentence().lower()
        out = []
        for a, b in targets:
            term = text[a:b].lower()
            neg = any(f"{tag}{t}" in tagged for tag in ("<negated>", "[negated]")
                      for t in (term, re.sub(r"\s+", "_", term)))
            out.append(BaselineContext(a, b, neg, triggers=(("negex", "NEGATED_EXISTENCE"),) if neg else ()))
        return out
    return annotate


# --- refcheck's own target files (eval/family_dev.jsonl, eval/negation_dev.jsonl) ----------
def load_jsonl_targets(path: str, limit: int | None) -> list[Task]:
    """One unit per record: {"id", "language", "text", "targets": [{"start", "end", "family"?,
    "negated"?}]}; a task per label present. Our own files: errors may be shown."""
    p = Path(path)
    if not p.is_file():
        raise CorpusError(f"--jsonl: {path} does not exist")
    by_task: dict[tuple[str, str], list[Unit]] = {}
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines()[:limit], 1):
        if not line.strip():
            continue
        rec = json.loads(line)
        for attr in ("family", "negated"):
            tg = [t for t in rec["targets"] if attr in t]
            if tg:
                by_task.setdefault((rec.get("language", "nb"), attr), []).append(
                    Unit(rec.get("id", f"line {n}"), rec["text"], [(t["start"], t["end"]) for t in tg],
                         [bool(t[attr]) for t in tg]))
    return [Task(f"{p.stem}:{lang}", "all", attr, attr, units, protected=False, language=lang)
            for (lang, attr), units in sorted(by_task.items())]


# --- NorSynthClinical (brat standoff) ----------------------------------------------------
def _norsynth_files(path: str) -> list[tuple[str, str, str]]:
    """(name, txt, ann) for each annotated file of the clinician's set."""
    root = Path(path)
    if root.is_file() and root.suffix == ".zip":
        zips = [root]
    elif root.is_dir():
        for d in (root / "synthetic_data" / "pal_annotate", root / "pal_annotate", root):
            if list(d.glob("*.ann")):
                out = []
                for ann in sorted(d.glob("*.ann")):
                    txt = ann.with_suffix(".txt")
                    if txt.is_file():
                        out.append((ann.stem, txt.read_text(encoding="utf-8"), ann.read_text(encoding="utf-8")))
                return out
        zips = [root / "synthetic_data.zip"] if (root / "synthetic_data.zip").is_file() else []
    else:
        zips = []
    if not zips:
        raise CorpusError(f"--norsynth: neither synthetic_data.zip nor pal_annotate/*.ann found at {path}")
    out = []
    with zipfile.ZipFile(zips[0]) as z:
        names = set(z.namelist())
        for n in sorted(names):
            if n.startswith("pal_annotate/") and n.endswith(".ann") and n[:-4] + ".txt" in names:
                out.append((Path(n).stem, z.read(n[:-4] + ".txt").decode("utf-8"), z.read(n).decode("utf-8")))
    if not out:
        raise CorpusError(f"--norsynth: no pal_annotate/*.ann in {zips[0]}")
    return out


def load_norsynth(path: str, split: str, limit: int | None, unit: str = "line",
                  entity_types: tuple[str, ...] = ("CONDITION",)) -> list[Task]:
    fam_units, neg_units = [], []
    skipped = 0
    n_units = 0
    for name, txt, ann in _norsynth_files(path):
        if name.endswith("_split"):
            continue  # re-split duplicate of another file's sentences
        ents: dict[str, tuple[str, int, int]] = {}
        rels: list[tuple[str, str, str]] = []
        for line in ann.splitlines():
            parts = line.split("\t")
            if parts[0].startswith("T") and len(parts) >= 2:
                typ, rest = parts[1].split(" ", 1)
                offs = [tuple(map(int, frag.split())) for frag in rest.split(";")]
                ents[parts[0]] = (typ, offs[0][0], offs[-1][1])
            elif parts[0].startswith("R") and len(parts) >= 2:
                rel, a1, a2 = parts[1].split()
                rels.append((rel, a1.split(":", 1)[1], a2.split(":", 1)[1]))
        holders: dict[str, set[str]] = {}
        negated: set[str] = set()
        for rel, a, b in rels:
            for x, y in ((a, b), (b, a)):
                if x in ents and y in ents and ents[x][0] in entity_types:
                    if rel == "Holder" and ents[y][0] in ("FAMILY", "SELF"):
                        holders.setdefault(x, set()).add(ents[y][0])
                    if rel == "Modifier" and ents[y][0] == "NEG":
                        negated.add(x)
        # units: lines (brat's sentence splitter here is newline) or the whole file
        if unit == "document":
            bounds = [(0, len(txt))]
        else:
            bounds, pos = [], 0
            for ln in txt.split("\n"):
                bounds.append((pos, pos + len(ln)))
                pos += len(ln) + 1
        per_unit: dict[int, list[tuple[str, int, int]]] = {}
        for tid, (typ, s, e) in ents.items():
            if typ not in entity_types:
                continue
            k = next(i for i, (a, b) in enumerate(bounds) if a <= s and e <= b)
            per_unit.setdefault(k, []).append((tid, s, e))
        for k in sorted(per_unit):
            if limit is not None and n_units >= limit:
                break
            n_units += 1
            a, b = bounds[k]
            text = txt[a:b]
            items = sorted(per_unit[k], key=lambda t: t[1])
            uid = f"{name}:{k + 1}"
            neg_units.append(Unit(uid, text, [(s - a, e - a) for _, s, e in items],
                                  [tid in negated for tid, _, _ in items]))
            ft, fg = [], []
            for tid, s, e in items:
                h = holders.get(tid, set())
                if len(h) != 1:
                    skipped += 1
                    continue
                ft.append((s - a, e - a))
                fg.append("FAMILY" in h)
            fam_units.append(Unit(uid, text, ft, fg))
    return [Task("NorSynthClinical", "all", "family", "family", fam_units, True, skipped),
            Task("NorSynthClinical", "all", "negated", "negated", neg_units, True)]


# --------------------------------------------------------------------------------------
# Baseline stand-in for annotate(): a deliberately simple NegEx-like rule.
@dataclass(frozen=True)
class BaselineContext:
    start: int
    end: int
    negated: bool
    hypothetical: bool = False
    family: bool = False
    historical: bool = False
    rule_out: bool = False
    triggers: tuple = field(default_factory=tuple)


NEG_CUES = frozenset("ikke ikkje ingen inga intet inkje ingenting uten utan aldri verken hverken nei".split())
TERMINATORS = frozenset("men dog unntatt bortsett derimot".split())
FAMILY_RE = re.compile(
    r"^(?:(?:mor|far)(?:en|a|s|ens)?|fedre(?:ne)?|mødre(?:ne)?|(?:mor|far)(?:mor|far|bror|søster)(?:en|a|s|ens)?"
    r"|(?:halv|tvilling)?(?:bror|broren|brødre|brødrene|søster|søsteren|søstre|søstrene)s?"
    r"|søsken(?:et|a|e|barn)?|foreldre(?:ne)?|besteforeldre(?:ne)?|(?:olde|beste)(?:mor|far)(?:en|a|s)?"
    r"|sønn(?:en|er|ene|s)?|datter(?:en|s)?|døtre(?:ne)?|tante(?:n|r|ne)?|onkel(?:en|s)?|onkler"
    r"|fetter(?:en)?|fettere|kusine(?:n|r)?|nevø(?:en|er)?|niese(?:n|r)?|tvilling(?:en|er)?"
    r"|famili(?:e|en|ens|er)|slekt(?:a|en|ning|ningen|ninger|ningene)?)$")
TOKEN_RE = re.compile(r"\w+|[^\w\s]")
SENT_BREAK = re.compile(r"\n|(?<=[.!?])\s+")


def baseline_annotate(text: str, targets: list[tuple[int, int]], language: str = "nb") -> list[BaselineContext]:
    """negated: a cue word precedes the target in its sentence, no terminator between;
    family: a family word anywhere in the target's sentence segment (between terminators)."""
    cut = [0] + [m.end() for m in SENT_BREAK.finditer(text)] + [len(text) + 1]
    toks = [(m.start(), m.end(), m.group().lower()) for m in TOKEN_RE.finditer(text)]
    out = []
    for ts, te in targets:
        sent_a = max(c for c in cut if c <= ts)
        sent_b = min(c for c in cut if c > ts)
        before = [t for t in toks if sent_a <= t[0] and t[1] <= ts]
        after = [t for t in toks if t[0] >= te and t[1] <= sent_b]
        seg_before = []
        for t in reversed(before):
            if t[2] in TERMINATORS or t[2] == ";":
                break
            seg_before.append(t)
        seg_after = []
        for t in after:
            if t[2] in TERMINATORS or t[2] == ";":
                break
            seg_after.append(t)
        trig = []
        neg_cues = [t for t in seg_before if t[2] in NEG_CUES]
        if neg_cues:
            trig.append((text[neg_cues[0][0]:neg_cues[0][1]], "NEGATED_EXISTENCE"))
        fam = [t for t in seg_before + seg_after if FAMILY_RE.match(t[2])]
        if fam:
            trig.append((text[fam[0][0]:fam[0][1]], "FAMILY"))
        out.append(BaselineContext(ts, te, bool(neg_cues), family=bool(fam), triggers=tuple(trig)))
    return out


# --------------------------------------------------------------------------------------
@dataclass
class Row:
    system: str
    corpus: str
    split: str
    task: str
    units: int
    targets: int
    positives: int
    skipped: int
    tp: int
    fp: int
    fn: int
    seconds: float
    positives_only: bool

    @property
    def p(self) -> float | None:
        if self.positives_only or self.tp + self.fp == 0:
            return None
        return self.tp / (self.tp + self.fp)

    @property
    def r(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.p, self.r
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


def run_task(system: str, fn: Callable, task: Task, language: str,
             show_errors: int = 0) -> Row:
    tp = fp = fn_ = 0
    secs = 0.0
    errors: list[str] = []
    shown = {"FP": 0, "FN": 0}
    seen: set[tuple[str, str]] = set()
    for u in task.units:
        if not u.targets:
            continue
        t0 = time.perf_counter()
        try:
            res = fn(u.text, list(u.targets), language)
        except Exception as e:  # noqa: BLE001
            if task.protected:  # the message may quote the text: withhold it
                raise SystemExit(f"{system}: annotate failed on {task.corpus} {u.uid}: {type(e).__name__} "
                                 f"(message withheld: measure-only corpus)") from None
            raise RuntimeError(f"{system}: annotate failed on {task.corpus} {u.uid}") from e
        secs += time.perf_counter() - t0
        if len(res) != len(u.targets):
            raise SystemExit(f"{system}: annotate returned {len(res)} results for {len(u.targets)} targets "
                             f"({task.corpus} {u.uid})")
        for span, g, r in zip(u.targets, u.gold, res):
            pred = bool(getattr(r, task.attr))
            if pred and g:
                tp += 1
            elif pred:
                fp += 1
            elif g:
                fn_ += 1
            else:
                continue
            kind = "FP" if pred else "FN"
            # up to N of each kind, at most one of each kind per unit
            if show_errors and not task.protected and pred != g and shown[kind] < show_errors \
                    and (kind, u.uid) not in seen:
                seen.add((kind, u.uid))
                shown[kind] += 1
                a, b = span
                marked = u.text[:a] + "«" + u.text[a:b] + "»" + u.text[b:]
                trig = ", ".join(f"{t}/{c}" for t, c in getattr(r, "triggers", ())) or "-"
                errors.append(f"  {kind} {u.uid}: {marked}\n      triggers: {trig}")
    if errors:
        print(f"\n{system} · {task.corpus} {task.split} {task.task}: {shown['FP']} false positives, "
              f"{shown['FN']} false negatives (target in «»)")
        print("\n".join(sorted(errors, key=lambda e: e.split()[0], reverse=True)))
    n_t = sum(len(u.targets) for u in task.units)
    n_p = sum(sum(u.gold) for u in task.units)
    return Row(system, task.corpus, task.split, task.task, sum(1 for u in task.units if u.targets), n_t, n_p,
               task.skipped, tp, fp, fn_, secs, positives_only=(n_p == n_t))


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_table(rows: list[Row]) -> None:
    head = ["system", "corpus", "split", "task", "units", "targets", "pos", "skipped", "P", "R", "F1",
            "time_s", "ms/unit"]
    body = [[r.system, r.corpus, r.split, r.task, str(r.units), str(r.targets), str(r.positives), str(r.skipped),
             fmt(r.p), fmt(r.r), fmt(r.f1), f"{r.seconds:.2f}",
             f"{1e3 * r.seconds / r.units:.2f}" if r.units else "-"] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    left = {0, 1, 2, 3}
    line = lambda cells: "  ".join(c.ljust(w) if i in left else c.rjust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    print()
    print(line(head))
    print(line(["-" * w for w in widths]))
    for b in body:
        print(line(b))
    if any(r.positives_only for r in rows):
        print("\nP is '-' where every target is gold-positive (negated-focus): recall is the measure there.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--norec-neg", metavar="DIR", help="local copy of ltgoslo/norec_neg (repo root or data/)")
    ap.add_argument("--norsynth", metavar="DIR", help="local copy of ltgoslo/NorSynthClinical (repo root with "
                    "synthetic_data.zip, or an extracted pal_annotate/)")
    ap.add_argument("--normed-neg", metavar="DIR", help="local copy of marieef/NorMed_neg (repo root)")
    ap.add_argument("--gastrosurgery", metavar="PATH", help="the original 'Norwegian GastroSurgery Biomedical "
                    "Negation Corpus.txt' (or a directory holding it)")
    ap.add_argument("--jsonl", action="append", default=[], metavar="PATH",
                    help="a target file of our own (eval/family_dev.jsonl, eval/negation_dev.jsonl); repeatable")
    ap.add_argument("--split", default="dev", choices=[*SPLITS, "all"],
                    help="split of NoReC_neg and NorMed_neg (default dev); the others have none")
    ap.add_argument("--limit", type=int, metavar="N", help="first N units (sentences/lines) of each corpus")
    ap.add_argument("--language", default="nb", help="language passed to annotate (default nb)")
    ap.add_argument("--norsynth-unit", choices=["line", "document"], default="line",
                    help="NorSynthClinical: one annotate call per line (default) or per file")
    ap.add_argument("--norsynth-entities", default="CONDITION",
                    help="NorSynthClinical entity types used as targets, comma-separated (default CONDITION)")
    ap.add_argument("--baseline-negex", action="store_true",
                    help="add rows for the trivial cue-word baseline (runs alone if refcheck.context is absent)")
    ap.add_argument("--gastro-negex", action="store_true",
                    help="add rows for the Norwegian NegEx study's own negex.py, loaded from the --gastrosurgery copy")
    ap.add_argument("--show-errors", type=int, default=0, metavar="N",
                    help="print up to N false positives and N false negatives per NoReC_neg row, with their sentence")
    ap.add_argument("--json", metavar="OUT", help="also write the rows as JSON to OUT")
    args = ap.parse_args(argv)

    if not (args.norec_neg or args.norsynth or args.normed_neg or args.gastrosurgery or args.jsonl):
        ap.error("give at least one of --norec-neg, --norsynth, --normed-neg, --gastrosurgery, --jsonl")
    if args.show_errors and (args.norsynth or args.normed_neg or args.gastrosurgery):
        ap.error("--show-errors prints corpus text and is refused for NorSynthClinical, NorMed_neg and "
                 "GastroSurgery (measure-only corpora); use it with --norec-neg alone")
    if args.limit is not None and args.limit < 1:
        ap.error("--limit must be at least 1")

    tasks: list[Task] = []
    try:
        if args.norec_neg:
            tasks += load_norec_neg(args.norec_neg, args.split, args.limit)
        if args.normed_neg:
            tasks += load_normed_neg(args.normed_neg, args.split, args.limit)
        if args.gastrosurgery:
            tasks += load_gastrosurgery(args.gastrosurgery, args.split, args.limit)
        for path in args.jsonl:
            tasks += load_jsonl_targets(path, args.limit)
        if args.norsynth:
            ents = tuple(e.strip().upper() for e in args.norsynth_entities.split(",") if e.strip())
            tasks += load_norsynth(args.norsynth, args.split, args.limit, args.norsynth_unit, ents)
    except CorpusError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    systems: list[tuple[str, Callable]] = []
    try:
        from refcheck.context import annotate
        systems.append(("refcheck", annotate))
    except ImportError as e:
        if not args.baseline_negex:
            print(f"error: refcheck.context is not importable ({e}); install refcheck or run with "
                  f"--baseline-negex for the baseline alone", file=sys.stderr)
            return 2
        print(f"note: refcheck.context is not importable ({e}); running the baseline only", file=sys.stderr)
    if args.baseline_negex:
        systems.append(("baseline-negex", baseline_annotate))
    if args.gastro_negex:
        fn = negex_system(args.gastrosurgery) if args.gastrosurgery else None
        if fn is None:
            ap.error("--gastro-negex needs --gastrosurgery pointing into a copy of the NegEx repository")
        systems.append(("negex-no (study)", fn))

    rows = []
    for name, fn in systems:
        fn("Ingen feber, men mor har diabetes.", [(6, 11), (25, 33)], args.language)  # warm-up, not timed
        for t in tasks:
            rows.append(run_task(name, fn, t, t.language or args.language, args.show_errors))
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(
            [{**{k: getattr(r, k) for k in ("system", "corpus", "split", "task", "units", "targets", "positives",
                                            "skipped", "tp", "fp", "fn", "seconds")},
              "precision": r.p, "recall": r.r, "f1": r.f1} for r in rows], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
