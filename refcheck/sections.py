"""Sections of a referral, found from the headers clinicians use."""
from __future__ import annotations

from dataclasses import dataclass


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
