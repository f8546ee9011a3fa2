"""Every spaCy ``._`` extension refcheck uses, declared in one place.

``Doc._.sections``  list of :class:`refcheck.nlp.sections.Section` (header-detected sections)
``Doc._.mentions``  list of :class:`refcheck.nlp.mentions.Mention` (lexicon matches + context)
``Doc._.cues``      list of :class:`refcheck.nlp.mentions.Mention` for question cues
``Doc._.triggers``  ConText trigger matches (start, end, ContextRule)
``Doc._.scopes``    ConText scopes (scope start, scope end, trigger start, trigger end, ContextRule)
``Doc._.context_engine``  the :class:`refcheck.nlp.context.ContextEngine` that read the Doc
``Doc._.tokens``    :class:`refcheck.nlp.sentences.TokenInfo` (words, offsets, sentences, sections)
"""
from __future__ import annotations

from spacy.tokens import Doc, Token

_DOC = {"sections": None, "mentions": None, "cues": None, "tokens": None, "triggers": None, "scopes": None,
        "context_engine": None}
_TOKEN: dict = {}


def register() -> None:
    """Declare the extensions (idempotent)."""
    for name, default in _DOC.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in _TOKEN.items():
        if not Token.has_extension(name):
            Token.set_extension(name, default=default)
