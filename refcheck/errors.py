"""Every error refcheck reports, in one table (spaCy-style), and refcheck's exceptions.

Record-level problems (one referral cannot be read) become an error record in that
referral's report and never stop a batch; their kind is the contract's error code
(``bad_record`` …). Run-level problems raise :class:`InputError` (the input as a whole
cannot be read: the CLI exits with code 2) or :class:`DataError` (a lexicon, rule or
model file shipped with refcheck is broken); usage errors are printed by the CLI.
Messages carry their code in brackets ("[RC101] …") so that a user can search for them,
and never contain referral text. ``refcheck errors`` prints this table.

Only this module writes a bracketed code: everything else calls :func:`message`,
:func:`record_error`, :func:`input_error` or :func:`data_error` with the code and the
template's values.
"""
from __future__ import annotations

from dataclasses import dataclass

# Contract error codes (refcheck.report/1, "Errors").
EMPTY_TEXT = "empty_text"
DECODE_ERROR = "decode_error"
TOO_LONG = "too_long"
BAD_RECORD = "bad_record"
UNSUPPORTED_LANGUAGE = "unsupported_language"
# Kinds of the errors that are not record-level.
INPUT = "input"
DATA = "data"
USAGE = "usage"
RECORD_KINDS = (EMPTY_TEXT, DECODE_ERROR, TOO_LONG, BAD_RECORD, UNSUPPORTED_LANGUAGE)

#: Longest referral text accepted, in characters. Real referrals are a few thousand.
MAX_CHARS = 100_000

_TRAIN = "run `refcheck train`"

#: code → (kind: a contract error code or input/data/usage, message template).
ERRORS: dict[str, tuple[str, str]] = {
    # usage
    "RC001": (USAGE, "unsupported language {lang!r}; expected nb, nn or da"),
    "RC020": (USAGE, "no rule {code!r}{suggest}; see `refcheck rules` for the catalogue"),
    "RC021": (USAGE, "the gold file is not in the examples format ({problem})"),
    "RC023": (USAGE, "{option}: unknown value(s) {values}; choose from {choices}"),
    "RC024": (USAGE, "--select {select!r} matches no rule code; see `refcheck rules`"),
    # decoding and checking one referral
    "RC101": (DECODE_ERROR, "the file is binary, not text"),
    "RC102": (DECODE_ERROR, "the bytes are not text in any supported encoding"),
    "RC103": (DECODE_ERROR, "line {n} is not UTF-8"),
    "RC110": (EMPTY_TEXT, "the referral has no text"),
    "RC112": (UNSUPPORTED_LANGUAGE, "the referral is in {language}, not in Norwegian (bokmål, nynorsk) or Danish"),
    # records
    "RC201": (BAD_RECORD, "a record must be a JSON object"),
    "RC202": (BAD_RECORD, "the record has no 'text' field"),
    "RC203": (BAD_RECORD, "'text' must be a string"),
    "RC204": (TOO_LONG, "the text has {chars} characters; the limit is {limit}"),
    "RC205": (BAD_RECORD, "line {n} is not valid JSON ({problem})"),
    "RC206": (BAD_RECORD, "CSV row {n} has the wrong number of columns"),
    "RC207": (BAD_RECORD, "{name} is not valid JSON ({problem})"),
    "RC208": (BAD_RECORD, "the referral could not be screened ({kind}); it was not judged: handle it by hand"),
    "RC209": (BAD_RECORD, "CSV row {n} cannot be read ({problem})"),
    # the input as a whole
    "RC301": (INPUT, "cannot read CSV {name}: {problem}"),
    "RC302": (INPUT, "CSV {name} has no 'text' column (columns: id, text, and optionally {fields})"),
    "RC303": (INPUT, "unsupported input type '{suffix}'; expected one of {suffixes}, a directory, or '-' for stdin"),
    "RC304": (INPUT, "no such file or directory: {path}"),
    "RC305": (INPUT, "directory {path} has no referral files ({suffixes})"),
    "RC306": (INPUT, "cannot write to {path} ({problem})"),
    "RC309": (INPUT, "cannot read the Parquet input {name} ({problem})"),
    "RC308": (INPUT, "cannot listen on {host}:{port} ({problem})"),
    "RC307": (INPUT, "cannot open the database {url} ({problem}): is the server running and the URL right?"),
    # FHIR
    "RC401": (BAD_RECORD, "the FHIR resource is not a ServiceRequest"),
    "RC402": (BAD_RECORD, "Bundle entry {i} has no resource"),
    "RC403": (BAD_RECORD, "the Bundle holds no ServiceRequest"),
    "RC404": (BAD_RECORD, "{problem}"),
    "RC405": (BAD_RECORD, "ServiceRequest lacks required element(s): {missing}"),
    # electronic referral messages (KITH, MedCom): element names and rules, never values
    "RC410": (BAD_RECORD, "the message is not well-formed XML (line {line})"),
    "RC411": (BAD_RECORD, "not a referral message refcheck reads: root element {root} in namespace {namespace} "
                          "(KITH Rekvisisjon 1.5/1.6, Henvisning 1.0/1.1/2.0 in MsgHead, MedCom XREF01/XREF02)"),
    "RC412": (BAD_RECORD, "{standard}: the required element {element} is missing"),
    "RC413": (BAD_RECORD, "the message is not valid against its schema: {problem}"),
    # lexicons and per-language rule files
    "RC501": (DATA, "{path}:{n}: not valid JSON ({problem})"),
    "RC502": (DATA, "no lexicon directory for language '{lang}' under {root}"),
    "RC503": (DATA, "{path}: entry {id!r} has unknown keys {unknown}; allowed: {allowed}"),
    "RC504": (DATA, "{path}: entry {id!r} has code {code!r}; allowed: {allowed}"),
    "RC505": (DATA, "{path}: missing or duplicate id {id!r}"),
    "RC506": (DATA, "{path}: entry {id!r} needs a list of string terms"),
    "RC507": (DATA, "{path}: expected a JSON object with a '{key}' list ({problem})"),
    "RC508": (DATA, "section rule {rule!r}: category must be one of {categories}"),
    "RC509": (DATA, "context rule {literal!r}: unknown keys {unknown}; allowed: {allowed}"),
    "RC510": (DATA, "context rule {literal!r}: category must be one of {categories} and direction one of {directions}"),
    "RC511": (DATA, "concept {id!r}: unknown group {group!r}"),
    "RC512": (DATA, "{path}: {problem}"),
    "RC513": (DATA, "context rules {first} ({first_kind}) and {second} ({second_kind}) match the same words {literal!r}"),
    "RC514": (DATA, "{path}: {problem}"),
    "RC515": (DATA, "context rule {id}: terminated_by has unknown categories {unknown}"),
    "RC517": (DATA, "context rule {id}: 'spares' is for TERMINATE rules and names modifier categories; got {spares}"),
    "RC518": (DATA, "{path}: 'pronouns' must be a list of words"),
    "RC516": (DATA, "concept {id!r}: category {category!r} with code {code!r} is not allowed; allowed: {allowed}"),
    # the rule catalogue
    "RC600": (DATA, "cannot read the rule catalogue {path}: {problem}"),
    "RC601": (DATA, "{where}: unknown keys {unknown}; allowed: {allowed}"),
    "RC602": (DATA, "{where}: missing '{key}'"),
    "RC603": (DATA, "{where}: kind must be 'verdict' or 'finding'"),
    "RC604": (DATA, "{where}: severity must be one of {severities}"),
    "RC605": (DATA, "{where}: a verdict rule needs appropriateness in {values}"),
    "RC606": (DATA, "{where}: message needs nb, nn, da and en"),
    "RC607": (DATA, "{where}: doc needs {headings}"),
    "RC608": (DATA, "duplicate rule codes: {codes}"),
    "RC609": (DATA, "{where}: condition on unknown fact '{fact}'; facts: {facts}"),
    "RC610": (DATA, "{where}: unknown operator '{op}'; operators: {operators}"),
    "RC611": (DATA, "{where}: evidence names {unknown}; allowed: {allowed}"),
    "RC612": (DATA, "{where}: {problem}"),
    "RC620": (DATA, "{where}: {problem}"),
    "RC613": (DATA, "{where}: citations key {name!r} must be one of {keys} followed by ':' and a value, "
                    "with a citation string"),
    # the audit
    "RC701": (INPUT, "--resume: the existing referrals.csv was written with other options "
                     "(--include-text differs); start again without --resume"),
    "RC702": (INPUT, "{source} holds no referrals"),
    # learned models
    "RC801": (DATA, "{path} is missing from the sentence-role model; " + _TRAIN
                    + " (or set REFCHECK_LEARNED=off to run on rules alone)"),
    "RC802": (DATA, "{path} is not valid JSON; " + _TRAIN),
    "RC803": (DATA, "{path} is corrupted (its checksum does not match meta.json); " + _TRAIN + " to rebuild it"),
    "RC804": (DATA, "the sentence-role model has format {found!r}, this refcheck reads {expected!r}; "
                    + _TRAIN + " to rebuild it"),
    "RC805": (DATA, "cannot load the sentence-role model from {folder} ({problem}); " + _TRAIN),
    "RC806": (DATA, "{path}: a red-flag training sentence needs text, a known kind and contract codes ({problem})"),
    "RC810": (USAGE, "cannot train: {problem}"),
}


def message(code: str, /, **values) -> str:
    """The message of ``code`` with its template filled: ``"[RC204] the text has …"``."""
    return f"[{code}] " + ERRORS[code][1].format(**values)


def kind(code: str) -> str:
    return ERRORS[code][0]


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


def record_error(code: str, /, **values) -> RecordError:
    """The error record of a record-level ``code`` (its kind is the contract's error code)."""
    kind_ = ERRORS[code][0]
    assert kind_ in RECORD_KINDS, f"{code} is not a record-level error"
    return RecordError(kind_, message(code, **values))


def input_error(code: str, /, **values) -> InputError:
    assert ERRORS[code][0] == INPUT, f"{code} is not an input error"
    return InputError(message(code, **values))


def data_error(code: str, /, **values) -> DataError:
    assert ERRORS[code][0] == DATA, f"{code} is not a data error"
    return DataError(message(code, **values))


def table() -> list[dict]:
    """The table as rows (code, kind, message template), in code order."""
    return [{"code": code, "kind": k, "message": template} for code, (k, template) in sorted(ERRORS.items())]
