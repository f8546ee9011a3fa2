"""Sentences and plain-Python token views: :class:`TokenInfo` and ``refcheck_sentences``."""
from __future__ import annotations

from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc
from .extensions import state

_SENT_END = {".", "?", "!"}


class TokenInfo:
    """Plain-Python views of a Doc's tokens, computed once per Doc.

    Components read these lists instead of iterating spaCy Token objects again and again
    (Token creation dominates the cost of Python loops over a Doc).
    """

    __slots__ = ("text", "words", "starts", "ends", "sent_of", "sent_bounds", "section_of")

    def __init__(self, doc: Doc):
        arr = doc.to_array([IDX, LENGTH])
        # Doc.text re-joins every token on each access: use the text the Doc was made
        # from when run() left it in user_data, else join once.
        text = self.text = doc.user_data.get("refcheck.text") or doc.text
        pairs = arr.tolist()
        self.starts = [a for a, _ in pairs]
        self.ends = [a + n for a, n in pairs]
        self.words = [text[a:b] for a, b in zip(self.starts, self.ends)]
        # spaCy makes every line break part of a whitespace token, so a sentence ends
        # after . ? ! or a token holding a line break.
        sent_of: list[int] = []
        bounds: dict[int, tuple[int, int]] = {}
        k = 0
        first = 0
        for i, w in enumerate(self.words):
            sent_of.append(k)
            if w in _SENT_END or "\n" in w:
                bounds[k] = (first, i + 1)
                k += 1
                first = i + 1
        if first < len(self.words):
            bounds[k] = (first, len(self.words))
        self.sent_of = sent_of
        self.sent_bounds = bounds
        self.section_of: list[str | None] = [None] * len(self.words)

    def sentences(self) -> list[tuple[int, int]]:
        """Character spans of the sentences."""
        return [(self.starts[a], self.ends[b - 1]) for a, b in self.sent_bounds.values()]


@Language.component("refcheck_sentences")
def sentences(doc: Doc) -> Doc:
    """Sentence starts after a line break and after . ? ! (in ``Doc._.tokens``).

    The sentences are kept in :class:`TokenInfo` rather than in ``Token.is_sent_start``:
    spaCy checks the whole Doc for parse annotation on every ``is_sent_start`` write,
    which made sentence marking the most expensive step of the pipeline.
    """
    info = TokenInfo(doc)
    state(doc).tokens = info
    return doc
