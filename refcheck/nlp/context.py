"""ConText: negated, hypothetical, family, historical and rule-out context of a target.

After ConText (Harkema et al. 2009) and medspaCy's rule shape, with per-language rule
files (``lexicons/<lang>/context_rules.json``). Each rule has a stable ``id``, a
``literal`` (lexicon term syntax; matched on *folded* words, never stemmed, so "verken"
is not "verk" and "utelukket" is not "utelukke"), a ``category`` and a ``direction``.

A modifier's scope runs from its trigger in its direction, inside the sentence, and
ends at

- a TERMINATE trigger ("men", "dog", ";") or a PSEUDO trigger ("ingen bedring");
- a trigger of a category listed in the rule's ``terminated_by`` (default per category,
  ``TERMINATED_BY``): a negation stops at history and affirmation words ("Ingen traume,
  tidligere brystkreft"; "Ingen feber, har gått ned 6 kg");
- ``max_scope`` tokens;
- for a forward negation, the first comma after which the text is no longer a list of
  bare terms: "Ingen feber, vekttap eller nattesmerter" negates all three, "Ikkje feber,
  vekttap 7 kg" only the fever (a quantity, an affirmation word or more than
  ``LIST_WORDS`` words make a new clause);
- for a backward scope, the nearest comma before the trigger (unless the rule says
  ``across_commas``).

A rule may ``require`` another category in the same sentence: "ved"/"om" are
hypothetical only in a sentence that gives advice ("Ved feber eller vannlatingsproblemer:
øyeblikkelig hjelp"; ADVICE triggers mark it), and ``at_sentence_start`` only as the
first word ("Om smertene blir verre om natten, vurderes MR" but not "smerter om natten").

The component sets ``Mention.modifiers`` and records the triggers that decided on
``Mention.context`` as (trigger text, category). :func:`refcheck.context.annotate`
exposes the same engine for any character spans of any text.
"""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

from spacy.language import Language

from .context_rules import (
    COMMAS, COORDINATORS, ContextRule, DESCRIBERS, FAMILY_BACK, FAMILY_PREPOSITIONS, FAMILY_QUANTIFIERS,
    FAMILY_UNSURE, MODIFIERS, PREP_GOVERNORS, PROXY_PREPOSITIONS, RESULT_ADVERBS, RESULT_VERBS, TERMINATED_BY,
    TriggerMatcher, load_context_rules, load_pronouns,
)
from .context_lists import LIST_STOPS, list_end, list_start
from .negation_owners import NEGATORS, denied_heads, double_negations, minus_marks, own_negations  # noqa: F401
from .extensions import state


#: Subjects that leave the negated thing after the verb ("Det forelå ikke fjernmetastaser").
DUMMY_SUBJECTS = frozenset({"det", "der"})
#: "after": a negation's scope ends there ("Ingen smerter etter fallet": the fall happened).
AFTER = frozenset({"etter", "efter", "Etter", "Efter", "ETTER", "EFTER"})
#: Words that open a subordinate clause: a negated population inside one ends at its comma.
SUBORDINATORS = frozenset({"om", "hvis", "dersom", "når", "fordi", "mens", "at", "siden", "da", "sidan", "medan",
                           "selvom", "skønt", "idet"})
#: "to the end of the sentence" is at most this many tokens (linear time on any input).
MAX_SCOPE = 60


def _first_in(positions: list[int], after: int, hi: int) -> int:
    """The first of the sorted ``positions`` above ``after`` and below ``hi``, else ``hi``."""
    if positions:
        k = bisect_right(positions, after)
        if k < len(positions) and positions[k] < hi:
            return positions[k]
    return hi


def _stop_maps(triggers: list, words: list[str]) -> tuple[dict, dict, dict]:
    """By trigger start: the category that stops scopes there (TERMINATE for terminators
    and pseudo triggers; not a preposition after an evidence word: "ikke tegn til
    infeksjon"), the trigger's end (a backward scope stops after the whole trigger:
    "Pasienten har"), and the categories a terminator spares."""
    stops: dict[int, str] = {}
    stop_end: dict[int, int] = {}
    spared: dict[int, tuple[str, ...]] = {}
    for s, e, r in triggers:
        stop_end[s] = e
        if r.category in ("TERMINATE", "PSEUDO"):
            stops[s] = "TERMINATE"
            if r.spares:
                spared[s] = r.spares
        elif r.category not in stops.get(s, ""):
            if r.category != "PREP" or not s or words[s - 1].lower() not in PREP_GOVERNORS:
                stops[s] = r.category
    return stops, stop_end, spared


#: A sentence that is only this word answers the question before it ("Vekttap? Nei.").
NO_ANSWERS = frozenset({"nei", "nej", "neg", "neg.", "nei.", "nej."})
ANSWER_NO = ContextRule("engine.answer_no", "nei", "NEGATED_EXISTENCE", "BACKWARD", None, ())


def _answered_no(words: list[str], sent_bounds: dict) -> list:
    """Scopes over a question answered "Nei" first in the next sentence ("Feber? Nei.")."""
    out: list = []
    if "?" not in words or not any(w.lower() in NO_ANSWERS for w in words):
        return out
    for k in range(1, len(sent_bounds)):
        a, b = sent_bounds[k]
        said = [t for t in range(a, b) if any(ch.isalnum() for ch in words[t])]
        if said and words[said[0]].lower() in NO_ANSWERS and (  # "Nei." / "Nei, men kjenner det …"
                len(said) == 1 or said[0] + 1 < b and words[said[0] + 1] in (",", ";", "–", "-")):
            qa, qb = sent_bounds[k - 1]
            if any(words[t] == "?" for t in range(qa, qb)):
                out.append((qa, qb, said[0], said[0] + 1, ANSWER_NO))
    return out


class ContextEngine:
    """Find triggers in a token sequence and the context of any token span."""

    def __init__(self, lang: str, tokenize):
        self.lang = lang
        self.rules = load_context_rules(lang)
        self.matcher = TriggerMatcher(tokenize)
        from ..text.fold import fold

        self._fold = fold
        for rule in self.rules:
            self.matcher.add(rule.literal, rule)
        #: the one-word negators among the triggers ("ingen", "ikke", "manglende", "uden"),
        #: folded; not the evaluative ones ("normal", "negativ", "intakt"), which a term may
        #: hold as what is examined ("normal kraft")
        self.negation_words = frozenset(fold(r.literal) for r in self.rules
                                        if r.category == "NEGATED_EXISTENCE" and fold(r.literal) in NEGATORS)

    def triggers(self, words: list[str]) -> list[tuple[int, int, ContextRule]]:
        """Non-overlapping triggers, longest first where they overlap; a plain negator right
        before another negation cancels both (:func:`double_negations`)."""
        found = self.matcher.match(words)
        found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
        out = []
        last_end = -1
        for start, end, rule in found:
            if start < last_end:
                continue
            out.append((start, end, rule))
            last_end = end
        return double_negations(out, words, self._fold) if len(out) > 1 else out

    def scopes(self, words: list[str], sent_of: list[int], sent_bounds: dict, triggers: list,
               covered: list[bool] | None = None) -> list[tuple[int, int, int, int, ContextRule]]:
        """(scope start, scope end, trigger start, trigger end, rule) of every modifier.

        ``covered[i]`` tells whether token ``i`` is part of a lexicon mention (a bare list
        item); without it every word counts as bare.
        """
        stops, stop_end, spared = _stop_maps(triggers, words)
        present: dict[int, set[str]] = {}
        for s, e, r in triggers:
            cats = present.setdefault(sent_of[s], set())
            cats.add(r.category)
            if r.category == "HYPOTHETICAL" and r.direction == "BIDIRECTIONAL":
                cats.add("ADVICE")  # "ta kontakt", "bedes henvende sig": advice verbs
        proxied = self._proxied(triggers, sent_of)

        def ends(t: int, rule: ContextRule) -> bool:
            cat = stops.get(t)
            if cat is None:
                return False
            if cat == "TERMINATE":
                return rule.category not in spared.get(t, ())
            return cat in rule.terminated_by

        out = []
        blocked = None  # tokens of the triggers that end a list (list_start), made when needed
        after = [t for t, w in enumerate(words) if w in AFTER]
        for start, end, rule in triggers:
            if rule.category not in MODIFIERS or start in proxied:
                continue
            s_lo, s_hi = sent_bounds[sent_of[start]]
            if rule.requires and rule.requires not in present[sent_of[start]]:
                continue
            if rule.at_sentence_start and any(any(ch.isalnum() for ch in w) for w in words[s_lo:start]):
                continue
            # "Det forelå ikke X", "Der påvistes ikke X": after a dummy subject the negated
            # thing follows a backward trigger
            dummy = (rule.direction == "BACKWARD" and rule.category == "NEGATED_EXISTENCE" and start > s_lo
                     and words[start - 1].lower() in DUMMY_SUBJECTS)
            if rule.direction in ("FORWARD", "BIDIRECTIONAL") or dummy:
                hi = min(s_hi, end + (MAX_SCOPE if rule.max_scope is None else rule.max_scope))
                for t in range(end, hi):
                    if ends(t, rule) and (t > end or stops.get(t) == "TERMINATE"):
                        hi = t
                        break
                if rule.category == "NEGATED_EXISTENCE" and not rule.across_commas:
                    # "Ingen smerter etter fallet": what came before is a time anchor, not denied
                    hi = _first_in(after, end, hi)
                    hi = list_end(words, end, hi, s_hi, stops, covered, ends, rule)
                    out.append((end, hi, start, end, rule))
                elif rule.category == "NEGATED_EXISTENCE":
                    if any(w.lower() in SUBORDINATORS for w in words[max(s_lo, start - 2):start]):
                        # "Selv om ingen av pasientene hadde X, ble Y funnet": the clause ends at its comma
                        hi = next((t for t in range(end, hi) if words[t] in COMMAS), hi)
                    out += self._population(words, start, end, hi, stops, rule)
                else:
                    out.append((end, hi, start, end, rule))
            back = rule.direction in ("BACKWARD", "BIDIRECTIONAL")
            if rule.category == "RULE_OUT" and rule.direction == "BACKWARD" and self._done(words, s_lo, start, end):
                rule = self._negated_twin(rule)  # "Infeksjon kunne utelukkes": ruled out, so absent
            max_back = rule.max_scope
            if not back and rule.category == "FAMILY" and self._after_preposition(words, s_lo, start):
                back, max_back = True, FAMILY_BACK  # "psoriasis hos to søsken"
            if back:
                lo = max(s_lo, start - (MAX_SCOPE if max_back is None else max_back))
                for t in range(start - 1, lo - 1, -1):
                    if words[t] in COMMAS and not rule.across_commas:
                        lo = t + 1
                        break
                    if ends(t, rule):
                        lo = stop_end[t]
                        break
                if rule.category == "NEGATED_EXISTENCE" and not rule.across_commas:
                    if blocked is None:
                        blocked = {t for s, e, r in triggers if r.category in LIST_STOPS for t in range(s, e)}
                    lo = list_start(words, lo, start, s_lo, stops, covered, blocked)
                out.append((lo, start, start, end, rule))
        out += self._carried(words, sent_of, sent_bounds, triggers, out, stops, spared)
        out += _answered_no(words, sent_bounds) + minus_marks(words, sent_bounds)
        return out

    @staticmethod
    def _proxied(triggers: list, sent_of: list[int]) -> set[int]:
        """Family words that name a relative who speaks for or accompanies the patient.

        - the subject of a PROXY verb ("*Mor* forteller at …", "*Datter* ringer"), and then
          every family word after the verb in its sentence: the child or parent spoken
          of is the patient ("Far ringer og forteller at *sønnen* har høy feber");
        - the object of a PROXY preposition ("sammen med *mor*", "ifølge *foreldrene*").

        "Pasienten forteller at *mor* hadde brystkreft" keeps its family history.
        """
        out: set[int] = set()
        proxies = [(s, e, sent_of[s], r) for s, e, r in triggers if r.category == "PROXY"]
        if not proxies:
            return out
        family = [(s, e) for s, e, r in triggers if r.category == "FAMILY"]
        for ps, pe, sent, rule in proxies:
            if rule.literal.split()[-1].lower() in PROXY_PREPOSITIONS:
                out.update(s for s, e in family if s == pe)
                continue
            subject = [s for s, e in family if sent_of[s] == sent and e in (ps, ps - 1)]
            if subject:
                out.update(subject)
                out.update(s for s, e in family if sent_of[s] == sent and s >= pe)
        return out

    @staticmethod
    def _after_preposition(words: list[str], s_lo: int, start: int) -> bool:
        t = start - 1
        while t >= s_lo and words[t].lower() in FAMILY_QUANTIFIERS:
            t -= 1
        return t >= s_lo and words[t].lower() in FAMILY_PREPOSITIONS

    def _carried(self, words, sent_of, sent_bounds, triggers, scopes, stops, spared) -> list:
        """Family scopes carried by a pronoun: a sentence that begins with "Hun"/"Han"
        right after a sentence whose subject is a relative ("Far er død. Han hadde
        prostatakreft"). Unsure (see FAMILY_UNSURE); ends at a TERMINATE trigger after
        the pronoun ("Hun har selv …")."""
        pronouns = load_pronouns(self.lang)
        if not pronouns:
            return []
        subject_sents = set()
        for lo, hi, s, e, rule in scopes:
            if rule.category == "FAMILY" and rule.direction != "BACKWARD" and not rule.unsure:
                s_lo, _ = sent_bounds[sent_of[s]]
                first = [t for t in range(s_lo, s) if any(ch.isalnum() for ch in words[t])]
                if len(first) <= 1 and hi > e:  # "Mor …", "Pasientens mor …"
                    subject_sents.add(sent_of[s])
        if not subject_sents:
            return []
        out = []
        n_sent = max(sent_of) + 1 if sent_of else 0
        carried = set()
        for k in range(1, n_sent):
            if k - 1 not in subject_sents and k - 1 not in carried:
                continue
            if k not in sent_bounds:
                continue
            lo, hi = sent_bounds[k]
            first = next((t for t in range(lo, hi) if any(ch.isalnum() for ch in words[t])), None)
            if first is None or self._fold(words[first]) not in pronouns or k in subject_sents:
                continue
            end = hi
            for t in range(first + 1, hi):
                # a terminator that begins at the pronoun ("Hun har …") does not count
                if stops.get(t) == "TERMINATE" and "FAMILY" not in spared.get(t, ()):
                    end = t
                    break
            carried.add(k)
            rule = ContextRule(f"{self.lang}.context.family.pronoun", words[first], "FAMILY", "FORWARD", None, (),
                               unsure=True)
            out.append((first + 1, end, first, first + 1, rule))
        return out

    @staticmethod
    def _population(words, start: int, end: int, hi: int, stops: dict, rule) -> list:
        """A negated population ("Ingen av pasientene med hepatitt C som fikk …, utviklet
        HCC"): the scope runs over commas to the sentence's next clause (", og" + clause),
        and leaves out what describes the population ("med X", "som …") before its verb."""
        for t in range(end, hi - 1):
            if words[t] in COMMAS and words[t + 1].lower() in COORDINATORS:
                hi = t
                break
        verbs = ("VERB", "AFFIRMED", "HISTORICAL")
        verb = next((t for t in range(end, hi) if stops.get(t) in verbs), None)
        hole = next((t for t in range(end, verb + 1 if verb is not None else end) if words[t].lower() in DESCRIBERS),
                    None)
        if hole is not None and verb is not None and verb <= hole + 1:  # "med kjent malignitet": the description's own
            verb = next((t for t in range(hole + 2, hi) if stops.get(t) in verbs), None)
        if hole is None or verb is None:
            return [(end, hi, start, end, rule)]
        return [(end, hole, start, end, rule), (verb, hi, start, end, rule)]

    @staticmethod
    def _done(words, s_lo: int, start: int, end: int) -> bool:
        """A rule-out word after a past or modal "could" ("kunne utelukkes", "ble avkreftet",
        "kunne dermed udelukkes") reports a result, not a request; a negated one ("er ikke
        utelukket") leaves the finding open."""
        if any(w.lower() in NEGATORS for w in words[start:end]):
            return False
        t = start - 1
        while t >= s_lo and words[t].lower() in RESULT_ADVERBS:
            t -= 1
        return t >= s_lo and words[t].lower() in RESULT_VERBS

    @staticmethod
    @lru_cache(maxsize=None)
    def _negated_twin(rule: ContextRule) -> ContextRule:
        from dataclasses import replace

        return replace(rule, category="NEGATED_EXISTENCE", terminated_by=TERMINATED_BY["NEGATED_EXISTENCE"])


def apply(scopes, words: list[str], tok_start: int, tok_end: int, own: frozenset = frozenset()
          ) -> tuple[set[str], list[tuple[str, str]]]:
    """The modifiers of the token span [tok_start, tok_end) and the triggers that decided.

    ``own``: the span is a composed concept and these are its own words, which may include
    a negation ("klarer ikke holde på avføringen", "har ingen kontroll over blæren"): a
    trigger that begins on one of them does not modify it; one between them does ("vaknar
    ikkje av smertene").
    """
    mods: set[str] = set()
    why: list[tuple[str, str]] = []
    for lo, hi, t_start, t_end, rule in scopes:
        if t_start in own:
            continue
        # a negator between a composed concept's own words ("vaknar [ikkje] av smertene")
        between = own and tok_start < t_start < tok_end and rule.direction != "BACKWARD"
        inside = lo <= tok_start < hi or between
        # A target that begins inside a forward trigger ("ingen [tegn til infeksjon]").
        overlap = rule.direction != "BACKWARD" and t_start <= tok_start < t_end < tok_end
        if inside or overlap:
            mods.add(FAMILY_UNSURE if rule.unsure else rule.category)
            why.append((" ".join(words[t_start:t_end]), rule.category))
    return mods, why



def scopes_at(scopes, n: int) -> list[list]:
    """token → the scopes that may modify a span starting there (in scope order): those
    covering it and the forward triggers it lies in. :func:`apply` over ``at[tok_start]``
    gives what :func:`apply` over every scope gives."""
    at: list[list] = [[] for _ in range(n)]
    for sc in scopes:
        lo, hi, t_start, t_end, rule = sc
        toks = set(range(max(0, lo), min(hi, n)))
        if rule.direction != "BACKWARD":
            toks.update(range(t_start, min(t_end, n)))
        for t in toks:
            at[t].append(sc)
    return at


def doc_scopes(doc) -> list:
    """The ConText scopes of a processed Doc: the component's, or computed now when it
    skipped them (a text with triggers but no mentions)."""
    scopes = state(doc).scopes
    if scopes is None:
        info = state(doc).tokens
        triggers = state(doc).triggers
        if not info.words or not (triggers or "-" in info.words or "?" in info.words):  # minus marks, answers
            scopes = []
        else:
            scopes = state(doc).context_engine.scopes(info.words, info.sent_of, info.sent_bounds, triggers,
                                                 covered_tokens(doc, len(info.words)))
        state(doc).scopes = scopes
    return scopes


def covered_tokens(doc, n: int) -> list[bool]:
    covered = [False] * n
    for m in (state(doc).mentions or []):
        for t in range(m.tok_start, min(m.tok_end, n)):
            covered[t] = True
    return covered


class ContextComponent:
    """The pipeline component: context of every mention and question cue."""

    def __init__(self, nlp, name: str, lang: str):
        self.engine = ContextEngine(lang, lambda s: [t.text for t in nlp.tokenizer(s)])

    def __call__(self, doc):
        state(doc).context_engine = self.engine
        info = state(doc).tokens
        triggers = self.engine.triggers(info.words)
        state(doc).triggers = triggers
        mentions = (state(doc).mentions or []) + (state(doc).cues or [])
        if not mentions or not (triggers or "-" in info.words or "?" in info.words):  # minus marks, answers
            state(doc).scopes = None if triggers else []  # None: not computed (doc_scopes computes them on demand)
            return doc
        covered = covered_tokens(doc, len(info.words))
        scopes = self.engine.scopes(info.words, info.sent_of, info.sent_bounds, triggers, covered)
        state(doc).scopes = scopes
        at = scopes_at(scopes, len(info.words))
        owned = own_negations(triggers, state(doc).mentions or [], info.words, self.engine.negation_words,
                              self.engine._fold)
        denied = denied_heads(triggers, info.words, self.engine.negation_words, self.engine._fold)
        for m in mentions:
            if denied and m.category == "red_flag":
                head = next((d for d in denied if d[0] < m.tok_start < d[1]), None)
                if head is not None:  # "Ingen [forverring av pareser]": the pseudo trigger's negator denies the flag
                    m.modifiers.add("NEGATED_EXISTENCE")
                    m.context = [(" ".join(info.words[head[0]:head[1]]), "NEGATED_EXISTENCE")]
                    continue
            near = at[m.tok_start] if m.tok_start < len(at) else ()
            if m.parts:  # triggers between a composed concept's own words
                gap = [sc for sc in scopes if m.tok_start < sc[2] < m.tok_end and sc[2] not in m.parts]
                if gap:
                    near = list(near) + [sc for sc in gap if sc not in near]
            if owned and near:  # a term's own negation modifies only the words inside the term
                near = [sc for sc in near if sc[2] not in owned
                        or (owned[sc[2]][0] <= m.tok_start and m.tok_end <= owned[sc[2]][1]
                            and (m.tok_start, m.tok_end) != owned[sc[2]])]
            if not near:
                continue
            mods, why = apply(near, info.words, m.tok_start, m.tok_end, m.parts)
            if mods:
                m.modifiers |= mods
                m.context = why
        return doc


@Language.factory("refcheck_context", default_config={"lang": "nb"})
def make_context(nlp: Language, name: str, lang: str) -> ContextComponent:
    return ContextComponent(nlp, name, lang)
