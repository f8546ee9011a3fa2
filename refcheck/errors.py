"""Error codes of the contract and refcheck's own exceptions.

Record-level problems (one referral cannot be read) become an error record in that
referral's report and never stop a batch. Run-level problems (the input cannot be opened
at all) raise :class:`InputError`, which the CLI turns into a message and exit code 2.
Messages carry a code in brackets ("[RC101]") so that a user can search for them, and
never contain referral text.
"""
from __future__ import annotations

from dataclasses import dataclass

# Contract error codes (refcheck.report/1, "Errors").
EMPTY_TEXT = "empty_text"
DECODE_ERROR = "decode_error"
TOO_LONG = "too_long"
BAD_RECORD = "bad_record"
UNSUPPORTED_LANGUAGE = "unsupported_language"

ERROR_CODES = (EMPTY_TEXT, DECODE_ERROR, TOO_LONG, BAD_RECORD, UNSUPPORTED_LANGUAGE)

#: Longest referral text accepted, in characters. Real referrals are a few thousand.
MAX_CHARS = 100_000


@dataclass(frozen=True)
class RecordError:
    """Why one input record could not be checked."""

    code: str
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


class RefcheckError(Exception):
    """Base class of refcheck's exceptions."""


class InputError(RefcheckError):
    """The input as a whole cannot be read (missing file, unreadable CSV header …)."""


class DataError(RefcheckError):
    """A lexicon, rule or model file shipped with refcheck is missing or malformed."""
