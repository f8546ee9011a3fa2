"""The audit's outputs beyond the CSVs: parquet, summary.json, report.html, feedback pages.

The HTML is one self-contained file: inline CSS, charts drawn as inline SVG, no scripts
or external assets, so it opens offline and can be mailed to a practice. Every figure
shows its count and its denominator.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ..contract import APPROPRIATENESS
from .tables import BOOL_COLUMNS, REFERRAL_COLUMNS, aggregate, read_rows
COLOURS = {"urgent": "#b2182b", "indicated": "#1b7837", "low_value": "#e08214", "specialist": "#762a83",
           "uncertain": "#4393c3", "out_of_scope": "#878787"}
GRADES = ("A", "B", "C", "D", "X")

LABELS = {
    "en": {"title": "Referral audit", "inputs": "referrals read", "valid": "checked", "errors": "could not be read",
           "low_value": "low-value imaging", "incomplete": "incomplete referrals", "urgent": "urgent (emergency pathway)",
           "mismatch": "modality mismatches", "by_region": "Appropriateness by region",
           "by_modality": "Appropriateness by modality", "grades": "Completeness grade",
           "missing": "Components most often missing", "rules": "Most frequent rules", "flags": "Red flags",
           "mismatches": "Modality mismatches (requested → recommended)", "referrers": "Referrers",
           "volume": "referrals", "share_low": "share low-value", "share_incomplete": "share incomplete",
           "trend": "Trend by month", "month": "month", "count": "count", "of": "of", "rule": "rule",
           "feedback": "Feedback to", "all": "all referrers", "none": "none", "privacy":
           "No referral text or patient identifiers are included (ids are keyed hashes, ages are bands).",
           "unknown": "unknown", "component": "component", "flag": "red flag", "pair": "requested → recommended",
           "history": "history", "clinical_findings": "clinical findings", "tentative_diagnosis": "tentative diagnosis",
           "clinical_question": "clinical question"},
    "nb": {"title": "Revisjon av henvisninger", "inputs": "henvisninger lest", "valid": "vurdert", "errors": "kunne ikke leses",
           "low_value": "lavverdi-bildediagnostikk", "incomplete": "ufullstendige henvisninger", "urgent": "øyeblikkelig hjelp",
           "mismatch": "avvik i modalitet", "by_region": "Indikasjon etter region", "by_modality": "Indikasjon etter modalitet",
           "grades": "Kompletthetsgrad", "missing": "Hyppigst manglende opplysninger", "rules": "Hyppigste regler",
           "flags": "Røde flagg", "mismatches": "Avvik i modalitet (ønsket → anbefalt)", "referrers": "Henvisere",
           "volume": "henvisninger", "share_low": "andel lavverdi", "share_incomplete": "andel ufullstendige",
           "trend": "Utvikling per måned", "month": "måned", "count": "antall", "of": "av", "rule": "regel",
           "feedback": "Tilbakemelding til", "all": "alle henvisere", "none": "ingen", "privacy":
           "Ingen henvisningstekst eller pasientidentifikasjon er med (id-er er nøkkel-hashet, alder i grupper).",
           "unknown": "ukjent", "component": "opplysning", "flag": "rødt flagg", "pair": "ønsket → anbefalt",
           "history": "sykehistorie", "clinical_findings": "kliniske funn", "tentative_diagnosis": "tentativ diagnose",
           "clinical_question": "problemstilling"},
    "da": {"title": "Audit af henvisninger", "inputs": "henvisninger læst", "valid": "vurderet", "errors": "kunne ikke læses",
           "low_value": "lavværdi-billeddiagnostik", "incomplete": "ufuldstændige henvisninger", "urgent": "akut",
           "mismatch": "afvigende modalitet", "by_region": "Indikation efter region", "by_modality": "Indikation efter modalitet",
           "grades": "Fuldstændighedsgrad", "missing": "Hyppigst manglende oplysninger", "rules": "Hyppigste regler",
           "flags": "Røde flag", "mismatches": "Afvigende modalitet (ønsket → anbefalet)", "referrers": "Henvisere",
           "volume": "henvisninger", "share_low": "andel lavværdi", "share_incomplete": "andel ufuldstændige",
           "trend": "Udvikling per måned", "month": "måned", "count": "antal", "of": "af", "rule": "regel",
           "feedback": "Tilbagemelding til", "all": "alle henvisere", "none": "ingen", "privacy":
           "Ingen henvisningstekst eller patientidentifikation er med (id'er er nøgle-hashede, alder i grupper).",
           "unknown": "ukendt", "component": "oplysning", "flag": "rødt flag", "pair": "ønsket → anbefalet",
           "history": "sygehistorie", "clinical_findings": "kliniske fund", "tentative_diagnosis": "tentativ diagnose",
           "clinical_question": "problemstilling"},
}

NAMES = {
    "nb": {"cervical_spine": "nakke", "thoracic_spine": "brystrygg", "lumbar_spine": "korsrygg", "sacroiliac": "SI-ledd",
           "coccyx": "halebein", "shoulder": "skulder", "elbow": "albue", "hand_wrist": "hånd/håndledd",
           "hip_pelvis": "hofte/bekken", "knee": "kne", "ankle_foot": "ankel/fot", "bone_density": "beintetthet",
           "other": "annet", "unknown": "ukjent", "urgent": "øyeblikkelig hjelp", "indicated": "indisert",
           "low_value": "lav verdi", "specialist": "spesialist", "uncertain": "uavklart", "out_of_scope": "utenfor"},
    "da": {"cervical_spine": "nakke", "thoracic_spine": "brystryg", "lumbar_spine": "lænderyg", "sacroiliac": "SI-led",
           "coccyx": "haleben", "shoulder": "skulder", "elbow": "albue", "hand_wrist": "hånd/håndled",
           "hip_pelvis": "hofte/bækken", "knee": "knæ", "ankle_foot": "ankel/fod", "bone_density": "knogletæthed",
           "other": "andet", "unknown": "ukendt", "urgent": "akut", "indicated": "indiceret", "low_value": "lav værdi",
           "specialist": "specialist", "uncertain": "uafklaret", "out_of_scope": "udenfor"},
}


def _name(code: str, lang: str) -> str:
    """A code's label in the report's language (codes stay as they are in English)."""
    return NAMES.get(lang, {}).get(code, code)


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:8px;padding:1rem 1.2rem;min-width:180px}
.card .big{font-size:2rem;font-weight:600}.card .sub{color:#555}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}
.legend span{display:inline-block;margin-right:1rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px}
.note{color:#555;font-size:.9rem}svg text{font-size:12px;fill:#222}
"""


def _pct(k: int, d: int) -> str:
    return f"{100 * k / d:.1f} %" if d else "–"


def _esc(s: object) -> str:
    return html.escape(str(s))


def _referrer_cell(name: str, pages: dict | None) -> str:
    page = (pages or {}).get(name)
    return f"<a href='{_esc(page)}'>{_esc(name)}</a>" if page else _esc(name)


def _bars(items: list[tuple[str, int]], denominator: int, colour: str = "#4393c3", width: int = 640) -> str:
    """Horizontal bar chart as inline SVG; each bar labelled with count and share."""
    if not items:
        return "<p class='note'>–</p>"
    top = max(n for _, n in items) or 1
    h = 22
    rows = []
    for i, (label, n) in enumerate(items):
        w = int((width - 330) * n / top)
        y = i * h
        rows.append(f"<text x='0' y='{y + 15}'>{_esc(label)}</text>"
                    f"<rect x='200' y='{y + 3}' width='{w}' height='{h - 6}' fill='{colour}'><title>{_esc(label)}: {n}</title></rect>"
                    f"<text x='{205 + w}' y='{y + 15}'>{n} / {denominator} ({_pct(n, denominator)})</text>")
    return f"<svg class='chart' role='img' width='{width}' height='{len(items) * h}' xmlns='http://www.w3.org/2000/svg'>{''.join(rows)}</svg>"


def _stacked(groups: dict[str, dict[str, int]], width: int = 640, lang: str = "en") -> str:
    """One stacked bar per group (region / modality), segments by appropriateness."""
    if not groups:
        return "<p class='note'>–</p>"
    h = 24
    rows = []
    for i, (group, counts) in enumerate(sorted(groups.items(), key=lambda kv: -sum(kv[1].values()))):
        total = sum(counts.values())
        x = 160
        y = i * h
        rows.append(f"<text x='0' y='{y + 16}'>{_esc(_name(group, lang))}</text>")
        for app in APPROPRIATENESS:
            n = counts.get(app, 0)
            if not n:
                continue
            w = (width - 260) * n / total
            rows.append(f"<rect x='{x:.1f}' y='{y + 3}' width='{w:.1f}' height='{h - 6}' fill='{COLOURS[app]}'>"
                        f"<title>{_esc(group)} {app}: {n} / {total}</title></rect>")
            x += w
        rows.append(f"<text x='{width - 95}' y='{y + 16}'>n = {total}</text>")
    return (f"<svg class='chart' role='img' width='{width}' height='{len(groups) * h}' xmlns='http://www.w3.org/2000/svg'>"
            + "".join(rows) + "</svg>")


def _legend(lang: str = "en") -> str:
    return "<p class='legend'>" + "".join(f"<span><i style='background:{COLOURS[a]}'></i>{_esc(_name(a, lang))}</span>"
                                          for a in APPROPRIATENESS) + "</p>"


def _crosstab(groups: dict[str, dict[str, int]], first: str, lang: str = "en") -> str:
    head = "".join(f"<th>{_esc(_name(a, lang))}</th>" for a in APPROPRIATENESS)
    body = []
    for group, counts in sorted(groups.items(), key=lambda kv: -sum(kv[1].values())):
        total = sum(counts.values())
        cells = "".join(f"<td>{counts.get(a, 0)} ({_pct(counts.get(a, 0), total)})</td>" for a in APPROPRIATENESS)
        body.append(f"<tr><td>{_esc(_name(group, lang))}</td>{cells}<td>{total}</td></tr>")
    return f"<table><tr><th>{_esc(first)}</th>{head}<th>n</th></tr>{''.join(body)}</table>"


def render_html(s: dict, lang: str = "en", referrer: str | None = None) -> str:
    """The audit page (or one referrer's feedback page when ``referrer`` is given)."""
    t = LABELS.get(lang, LABELS["en"])
    valid = s["valid"]
    title = t["title"] + (f" — {t['feedback']} {referrer}" if referrer else "")
    parts = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{_esc(title)}</title>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head><body>",
             f"<h1>{_esc(title)}</h1><p class='note'>{_esc(t['privacy'])}</p>",
             "<div class='cards'>"]
    cards = [
        (t["low_value"], s["low_value"]["count"], valid),
        (t["incomplete"], s["incomplete"]["count"], valid),
        (t["urgent"], s["urgent"]["count"], valid),
        (t["mismatch"], s["modality_mismatch"]["count"], valid),
    ]
    for label, k, d in cards:
        parts.append(f"<div class='card'><div class='big'>{_pct(k, d)}</div><div>{_esc(label)}</div>"
                     f"<div class='sub'>{k} {t['of']} {d}</div></div>")
    parts.append(f"<div class='card'><div class='big'>{s['inputs']}</div><div>{t['inputs']}</div>"
                 f"<div class='sub'>{valid} {t['valid']}, {s['errors']} {t['errors']}</div></div></div>")

    parts += [f"<h2>{t['by_region']}</h2>", _legend(lang), _stacked(s["region_x_appropriateness"], lang=lang),
              _crosstab(s["region_x_appropriateness"], "region", lang)]
    parts += [f"<h2>{t['by_modality']}</h2>", _legend(lang), _stacked(s["modality_x_appropriateness"], lang=lang),
              _crosstab(s["modality_x_appropriateness"], "modality", lang)]
    parts += [f"<h2>{t['grades']}</h2>", _bars([(g, s["grade"].get(g, 0)) for g in GRADES], valid, "#5e3c99")]
    parts += [f"<h2>{t['missing']}</h2>",
              _bars([(t.get(k, k), n) for k, n in s["missing_components"].items()], valid, "#e08214")]
    parts += [f"<h2>{t['rules']}</h2>", _bars(list(s["rules"].items())[:15], valid, "#4393c3")]
    parts += [f"<h2>{t['flags']}</h2>", _bars(list(s["red_flags"].items()), valid, "#b2182b")]
    mism = s["modality_mismatch"]["pairs"]
    parts += [f"<h2>{t['mismatches']}</h2>",
              "<table><tr><th>" + t["pair"] + "</th><th>" + t["count"] + "</th></tr>"
              + "".join(f"<tr><td>{_esc(k)}</td><td>{n} / {valid}</td></tr>" for k, n in mism.items())
              + (f"<tr><td colspan='2'>{t['none']}</td></tr>" if not mism else "") + "</table>"]
    if not referrer:
        rows = "".join(
            f"<tr><td>{_referrer_cell(r['referrer'], s.get('referrer_pages'))}</td><td>{r['volume']}</td><td>{r['low_value']} ({_pct(r['low_value'], r['volume'])})</td>"
            f"<td>{r['incomplete']} ({_pct(r['incomplete'], r['volume'])})</td></tr>" for r in s["referrers"])
        parts += [f"<h2>{t['referrers']}</h2><table><tr><th>referrer</th><th>{t['volume']}</th><th>{t['share_low']}</th>"
                  f"<th>{t['share_incomplete']}</th></tr>{rows}</table>"]
    if s["by_month"]:
        months = list(s["by_month"].items())
        parts += [f"<h2>{t['trend']}</h2>",
                  _bars([(m, v["low_value"]) for m, v in months], max(v["count"] for _, v in months), "#e08214"),
                  "<table><tr><th>" + t["month"] + "</th><th>" + t["volume"] + "</th><th>" + t["share_low"] + "</th><th>"
                  + t["share_incomplete"] + "</th></tr>"
                  + "".join(f"<tr><td>{_esc(m)}</td><td>{v['count']}</td><td>{v['low_value']} ({_pct(v['low_value'], v['count'])})</td>"
                            f"<td>{v['incomplete']} ({_pct(v['incomplete'], v['count'])})</td></tr>" for m, v in months)
                  + "</table>"]
    parts.append("</body></html>")
    return "".join(parts)


def _parquet(out: Path, include_text: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    for col in REFERRAL_COLUMNS + (["text"] if include_text else []):
        typ = pa.int64() if col == "seq" else pa.bool_() if col in BOOL_COLUMNS else pa.string()
        fields.append(pa.field(col, typ))
    schema = pa.schema(fields)
    with pq.ParquetWriter(out / "referrals.parquet", schema) as writer:
        for chunk in read_rows(out / "referrals.csv"):
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))


def _slug(name: str) -> str:
    """A file name for a referrer's page: its letters (æøå kept) and a short hash of the
    exact name, so "Dr. Ås", "Dr Ås" and "Dr. Øs" get different, stable files."""
    import hashlib

    base = re.sub(r"[^\w-]+", "_", name).strip("_")[:60] or "unknown"
    return f"{base}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


def write_outputs(out: Path, lang: str = "en", by_referrer: bool = False, include_text: bool = False) -> dict:
    """Write referrals.parquet, summary.json, report.html (and feedback pages)."""
    _parquet(out, include_text)
    summary = aggregate(out)
    if by_referrer:  # every page is listed in the summary and linked from the report
        summary["referrer_pages"] = {ref["referrer"]: f"referrers/{_slug(ref['referrer'])}.html"
                                     for ref in summary["referrers"]}
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.html").write_text(render_html(summary, lang), encoding="utf-8")
    if by_referrer:
        folder = out / "referrers"
        folder.mkdir(exist_ok=True)
        for name, page in summary["referrer_pages"].items():
            sub = aggregate_for_referrer(out, name)
            (out / page).write_text(render_html(sub, lang, name), encoding="utf-8")
    return summary


def aggregate_for_referrer(out: Path, referrer: str) -> dict:
    """The same figures restricted to one referrer (streams the CSVs once more)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        seqs: set[int] = set()
        with (tmp_dir / "referrals.csv").open("w", encoding="utf-8", newline="") as fh:
            header = True
            for chunk in read_rows(out / "referrals.csv"):
                part = chunk[(chunk["referrer"].fillna("") == ("" if referrer == "(unknown)" else referrer))]
                seqs.update(part["seq"].tolist())
                part.to_csv(fh, index=False, header=header)
                header = False
        with (tmp_dir / "findings.csv").open("w", encoding="utf-8", newline="") as fh:
            header = True
            for chunk in read_rows(out / "findings.csv"):
                chunk[chunk["seq"].isin(seqs)].to_csv(fh, index=False, header=header)
                header = False
        return aggregate(tmp_dir)
