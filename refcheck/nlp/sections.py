"""Sections of a referral, found from the headers clinicians use (``refcheck_sections``)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from ..errors import data_error
from ..text import fastre
from .resources import read_json
from .extensions import state

SECTION_CATEGORIES = ("history", "clinical_findings", "tentative_diagnosis", "clinical_question", "exam_request", "other")
_BREAK = re.compile(r"[.!?\n]")


@dataclass(frozen=True)
class Section:
    """A header-opened part of the text: ``[start, end)`` includes the header itself.

    Attributes:
        category: history, clinical_findings, tentative_diagnosis, clinical_question,
            exam_request or other.
        start: where the header starts (normalised-text offset).
        body_start: where the content after the header (and its colon) starts.
        end: where the next section starts, or the end of the text.
    """

    category: str
    start: int
    body_start: int
    end: int

    def body(self, text: str) -> str:
        return text[self.body_start:self.end].strip(" \t\n:-")


class SectionDetector:
    """Find section headers (medspaCy Sectionizer shape) and label every token's section."""

    def __init__(self, nlp: Language, name: str, lang: str):
        rules = read_json(lang, "section_rules.json", "section_rules")
        by_literal: dict[str, str] = {}
        for rule in rules:
            if rule.get("category") not in SECTION_CATEGORIES:
                raise data_error("RC508", rule=rule, categories=SECTION_CATEGORIES)
            lit = rule["literal"].lower()
            by_literal[lit] = rule["category"]
            # Texts typed without æøå write "Spoersmaal:", "Undersoekelse:".
            ascii_lit = lit.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
            by_literal.setdefault(ascii_lit, rule["category"])
        self.by_literal = by_literal
        alts = fastre.trie_alternation(by_literal)
        # A header starts a line or follows a sentence end ('.', '!', '?', optionally one
        # whitespace), may be indented, and is followed by ':' / '-', or ends with '.'
        # itself (an abbreviation such as "Spm." or "Obj."), or ends the line. Only those
        # start positions are tried (found by a character scan), not every position.
        self.pattern = re.compile(
            rf"[ \t]*(?P<h>{alts})(?:[ \t]*[:\-](?!\d)|(?<=\.)(?=\s)|[ \t]*(?=\n|$))",
            re.IGNORECASE | re.MULTILINE)

    def starts(self, text: str) -> list[int]:
        """Positions where a header may begin: line starts and sentence ends."""
        out = [0]
        n = len(text)
        for m in _BREAK.finditer(text):
            i = m.start()
            out.append(i + 1)
            if text[i] != "\n" and i + 2 <= n and text[i + 1:i + 2].isspace():
                out.append(i + 2)
        return sorted(set(out))

    def headers(self, text: str) -> list[tuple[int, int, str]]:
        """(header start, body start, category) of every header, left to right."""
        heads = []
        last_end = 0
        match = self.pattern.match
        for pos in self.starts(text):
            if pos < last_end or pos > len(text):
                continue
            m = match(text, pos)
            if m is None:
                continue
            heads.append((m.start("h"), m.end(), self.by_literal[m.group("h").lower()]))
            last_end = m.end() if m.end() > pos else pos + 1
        return heads

    def __call__(self, doc: Doc) -> Doc:
        text = state(doc).tokens.text
        heads = self.headers(text)
        sections: list[Section] = []
        for i, (start, body_start, category) in enumerate(heads):
            end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
            if category == "clinical_question":
                # "Spm: noe alvorlig?" on a line of its own, the referral after it: the
                # question ends with its line (a header alone on its line keeps its list)
                nl = text.find("\n", body_start, end)
                if nl > 0 and text[body_start:nl].strip().endswith("?"):
                    end = nl
            sections.append(Section(category, start, body_start, end))
        state(doc).sections = sections
        if sections:
            info = state(doc).tokens
            k = 0
            for i, start in enumerate(info.starts):
                while k < len(sections) and start >= sections[k].end:
                    k += 1
                if k < len(sections) and start >= sections[k].start:
                    info.section_of[i] = sections[k].category
        return doc


@Language.factory("refcheck_sections", default_config={"lang": "nb"})
def make_sections(nlp: Language, name: str, lang: str) -> SectionDetector:
    return SectionDetector(nlp, name, lang)
