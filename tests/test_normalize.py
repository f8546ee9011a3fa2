"""Normalisation keeps offsets into the text as given."""
import pytest

from refcheck.text.normalize import normalize


@pytest.mark.parametrize("original, expected", [
    ("Smerter i rygg\r\nfeber", "Smerter i rygg\nfeber"),
    ("a\u030a kne", "å kne"),                              # NFC
    ("\ufb01brose, \ufb02ekter", "fibrose, flekter"),      # ligatures from PDF
    ("smer-\nter i ryggen", "smerter i ryggen"),            # hyphenation across a line
    ("nakke\u00adsmerter", "nakkesmerter"),                 # soft hyphen
    ("\ufeffKvinne 45 år", "Kvinne 45 år"),                 # BOM
    ("Ryggsmerter \u2013 3 uker", "Ryggsmerter - 3 uker"),
    ("rłntgen av kne", "røntgen av kne"),                  # PDF artefact ł for ø
    ("nattesmerter, vondt i h\u00c3\u00b8yre kne", "nattesmerter, vondt i høyre kne"),  # mojibake
])
def test_normalised_text(original, expected):
    assert normalize(original).text == expected


@pytest.mark.parametrize("original, word", [
    ("Pas.\r\nNattesmerter\r\nog feber", "feber"),
    ("a\u030a\u030a? \ufb01ber og nattesmerter", "nattesmerter"),
    ("smer-\nter og h\u00c3\u00b8y feber", "feber"),
])
def test_offsets_map_back_to_original(original, word):
    norm = normalize(original)
    s = norm.text.index(word)
    os_, oe = norm.to_original(s, s + len(word))
    assert original[os_:oe] == word


def test_mapped_span_covers_expanded_ligature():
    original = "\ufb01brose i kne"
    norm = normalize(original)
    s, e = norm.to_original(0, len("fibrose"))
    assert original[s:e] == "\ufb01brose"
