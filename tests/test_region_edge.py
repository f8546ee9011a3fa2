"""The exam's region when only a bone-density word and a non-musculoskeletal region are named.

Found by the throughput benchmark's generated batch: a chest X-ray request that also says
"DXA kontroll" made the region reader raise StopIteration, so the referral got an RC208
error report instead of a reading.
"""
import refcheck


def test_chest_request_with_bone_density_word_is_read_not_an_error():
    text = ("Rtg.\nthorax\nKvinne 66 år, røyker.\nDXA kontroll i fjor.\n"
            "Hoste i 10 uker, ingen bedring. Spm: Pneumoni?")
    report = refcheck.check(text).to_dict()
    assert not report.get("errors")
    assert report["exam"]["region"] in {"bone_density", "other"}


def test_danish_chest_request_with_dxa_is_read():
    text = "Rtg.\nthorax\nKvinde 70 år. DXA kontrol. Hoste i 3 måneder. Spørgsmål: lungeforandringer?"
    assert not refcheck.check(text).to_dict().get("errors")
