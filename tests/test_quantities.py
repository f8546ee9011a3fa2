"""Ages, sex, durations and grades read from nb / nn / da text."""
import pytest

from refcheck.facts import measures
from refcheck.facts import quantities as q


@pytest.mark.parametrize("text, age", [
    ("Mann 44 år, snekker.", 44),
    ("K 45, korsryggsmerter", 45),
    ("45 år gl. kv. med kneplager", 45),
    ("Pt. 41-årig kvinde med lænderygsmerter", 41),
    ("52 år kvinne, kjent brystkreft", 52),
    ("Gut 11 år, haltar og har vondt i hofta", 11),
    ("Kvinne 58 år, menopause ved 42 år", 58),
    ("Ryggsmerter i 2 år. Pasienten er 67 år gammel.", 67),
    ("Pas. f. 1970 med nakkesmerter", None),
    ("Smerter i kneet i 3 år.", None),
])
def test_age(text, age):
    found = q.age(text)
    assert (found.value if found else None) == age


@pytest.mark.parametrize("text, sex", [
    ("Kvinne 49 år", "female"), ("K 45, smerter", "female"), ("41-årig kvinde", "female"),
    ("Mann 34 år", "male"), ("Gut 11 år", "male"), ("Mand 60 år", "male"), ("Hun har vondt", "female"),
    ("Ho har vondt i kneet", "female"), ("Mor hadde brystkreft. Han har ryggsmerter.", "male"),
    ("MR columna.", None),
])
def test_sex(text, sex):
    found = q.sex(text)
    assert (found.value if found else None) == sex


@pytest.mark.parametrize("text, weeks", [
    ("korsryggsmerter etter løft for 10 dager siden", 1.4),
    ("Siste 6 uker tiltagende smerter", 6.0),
    ("lænderygsmerter gennem 8 uger", 8.0),
    ("kneplager over 2 år", 104.0),
    ("Smerter ved abduksjon i 3 mnd", 13.05),
    ("vondt i hofta sidan i går", 0.1),
    ("nakkesmerter i 2-3 uker", 2.5),
    ("smerter i 6 måneder", 26.1),
    ("plager i to uker", 2.0),
    ("Smerter i venstre skulder i et halvt år", 26.0),
    ("Vondt i ryggen i fire veker", 4.0),
    ("smerter i 3 mdr.", 13.05),
])
def test_first_duration_in_weeks(text, weeks):
    found = q.durations(text)
    assert found and found[0].value == pytest.approx(weeks, abs=0.06)


@pytest.mark.parametrize("text", ["Kvinne 45 år.", "Operert 2019.", "BMI 31"])
def test_no_duration(text):
    assert q.durations(text) == []


@pytest.mark.parametrize("text, grade", [("WAD grad 2", 2), ("WAD 3", 3), ("WAD 1-2", 2), ("nakkesleng", None)])
def test_wad_grade(text, grade):
    found = q.wad_grade(text)
    assert (found.value if found else None) == grade


@pytest.mark.parametrize("text, value", [("feber 38,5", 38.5), ("temp 39.2 grader", 39.2), ("Tp 37,8", 37.8),
                                         ("Temperaturen har ligget omkring 38,5 om aftenen", 38.5),
                                         ("tempen var oppe i 39,2 i natt", 39.2), ("Har hatt 38,8 °C", 38.8),
                                         ("målte 39,1 i går", 39.1), ("39 i feber siden lørdag", 39.0)])
def test_temperature(text, value):
    assert measures.temperatures(text)[0].value == value


@pytest.mark.parametrize("text", ["Temp under 38 hele uken", "feber, 38 år gammel", "Fleksjon målt til 40 grader",
                                  "målt 38 kg", "Temp ikke målt, CRP 40"])
def test_no_temperature_at_or_over_38(text):
    assert not [t for t in measures.temperatures(text) if t.value >= 38]


def test_lab_values():
    assert [v.value for v in q.lab_values("CRP 45, SR 60")] == [("CRP", 45.0), ("SR", 60.0)]


@pytest.mark.parametrize("text, weeks", [
    ("Vondt SIDEN I GÅR.", 0.1),
    ("Smerter siste døgnet", 0.1),
    ("Plager det siste året", 52.0),
    ("SİSTE ÅR med smerter", 52.0),  # re's IGNORECASE folds İ and ı to i: so must the pre-check
    ("Ondt i dag", 0.0),
    ("Smerter i 3 uker, verre siste døgn", 3.0),
])
def test_recent_and_last_year_phrases(text, weeks):
    from refcheck.facts.quantities import durations

    assert durations(text)[0].value == weeks
