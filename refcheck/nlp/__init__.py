"""The spaCy pipeline: blank ``nb``/``da`` language classes plus refcheck's components.

    tokenizer (+ clinicians' abbreviations as special cases)
    → refcheck_sentences   sentence starts at line breaks and sentence punctuation
    → refcheck_sections    header-detected sections (Anamnese:, Klinisk us.:, Spm: …)
    → refcheck_lexicon     lexicon matches → Doc._.mentions / Doc._.cues
    → refcheck_context     ConText: negated / hypothetical / family / historical / rule-out

Nynorsk uses the ``nb`` language class with the nynorsk lexicons layered over the
bokmål ones (see resources.py). The components live in their own modules, which register
their factories when imported here; nothing is loaded at import time.
"""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import message
from . import context, extensions, lexicon, sections, sentences, tokenizer  # noqa: F401 - register the factories
from .extensions import state

extensions.register()

SPACY_LANG = {"nb": "nb", "nn": "nb", "da": "da"}


def run(nlp: Language, text: str) -> Doc:
    """Process ``text`` like ``nlp(text)``, keeping the text for the components."""
    doc = nlp.make_doc(text)
    doc.user_data["refcheck.text"] = text
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


@lru_cache(maxsize=None)
def build(lang: str) -> Language:
    """The pipeline for ``lang`` (nb, nn or da), built once per process."""
    if lang not in SPACY_LANG:
        raise ValueError(message("RC001", lang=lang))
    nlp = spacy.blank(SPACY_LANG[lang],
                      config={"nlp": {"tokenizer": {"@tokenizers": "refcheck.tokenizer.v1", "lang": lang}}})
    nlp.add_pipe("refcheck_sentences")
    nlp.add_pipe("refcheck_sections", config={"lang": lang})
    nlp.add_pipe("refcheck_lexicon", config={"lang": lang})
    nlp.add_pipe("refcheck_context", config={"lang": lang})
    return nlp
