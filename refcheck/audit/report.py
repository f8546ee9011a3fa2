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

from .. import __version__
from ..contract import APPROPRIATENESS
from ..render import words as W
from .tables import BOOL_COLUMNS, FINDING_COLUMNS, REFERRAL_COLUMNS, aggregate, read_rows
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

for _lang, _extra in {'en': {'made': 'Made {when} by refcheck {version} from {inputs} input records.', 'referrer': 'referrer', 'modality': 'modality', 'region': 'region', 'm_region': 'Each bar is one body region: the share of its checked referrals in each appropriateness class.', 'm_modality': 'Each bar is one requested modality: the share of its checked referrals in each appropriateness class.', 'm_grades': 'Completeness grade of each checked referral (A: history, findings, tentative diagnosis and question all present).', 'm_missing': 'How many checked referrals lack each component a referral must contain.', 'm_rules': 'How often each guideline rule produced a finding.', 'm_flags': 'Checked referrals with each red flag.', 'm_trend': "Low-value referrals per month: bar length against the busiest month; the table gives each month's shares.", 'm_referrers': "Each referrer's volume and shares; the name links to its feedback page.", 'dept': 'department', 'you': 'this referrer', 'too_few': 'too few referrals to compare (n = {n}; at least {min} needed)', 'advice': 'What to write next time', 'advice_note': "Each finding refcheck made on this referrer's referrals, with how often and the guideline's advice.", 'times': 'times'}, 'nb': {'made': 'Laget {when} av refcheck {version} fra {inputs} innleste henvisninger.', 'referrer': 'henviser', 'modality': 'modalitet', 'region': 'region', 'm_region': 'Hver stolpe er én kroppsregion: andelen av dens vurderte henvisninger i hver indikasjonsklasse.', 'm_modality': 'Hver stolpe er én ønsket modalitet: andelen av dens vurderte henvisninger i hver indikasjonsklasse.', 'm_grades': 'Kompletthetsgrad for hver vurdert henvisning (A: sykehistorie, funn, tentativ diagnose og problemstilling er med).', 'm_missing': 'Hvor mange vurderte henvisninger som mangler hver opplysning en henvisning skal ha.', 'm_rules': 'Hvor ofte hver retningslinjeregel ga et funn.', 'm_flags': 'Vurderte henvisninger med hvert rødt flagg.', 'm_trend': 'Lavverdi-henvisninger per måned: stolpelengden mot måneden med flest; tabellen gir andelene.', 'm_referrers': 'Hver henvisers volum og andeler; navnet lenker til tilbakemeldingssiden.', 'dept': 'avdelingen', 'you': 'denne henviseren', 'too_few': 'for få henvisninger til å sammenligne (n = {n}; minst {min} trengs)', 'advice': 'Hva du kan skrive neste gang', 'advice_note': 'Hvert funn refcheck gjorde i henvisningene fra denne henviseren, hvor ofte, og retningslinjens råd.', 'times': 'ganger'}, 'da': {'made': 'Lavet {when} af refcheck {version} ud fra {inputs} indlæste henvisninger.', 'referrer': 'henviser', 'modality': 'modalitet', 'region': 'region', 'm_region': 'Hver søjle er én kropsregion: andelen af dens vurderede henvisninger i hver indikationsklasse.', 'm_modality': 'Hver søjle er én ønsket modalitet: andelen af dens vurderede henvisninger i hver indikationsklasse.', 'm_grades': 'Fuldstændighedsgrad for hver vurderet henvisning (A: sygehistorie, fund, tentativ diagnose og spørgsmål er med).', 'm_missing': 'Hvor mange vurderede henvisninger der mangler hver oplysning, en henvisning skal have.', 'm_rules': 'Hvor ofte hver retningslinjeregel gav et fund.', 'm_flags': 'Vurderede henvisninger med hvert rødt flag.', 'm_trend': 'Lavværdi-henvisninger per måned: søjlelængden mod måneden med flest; tabellen giver andelene.', 'm_referrers': 'Hver henvisers volumen og andele; navnet linker til tilbagemeldingssiden.', 'dept': 'afdelingen', 'you': 'denne henviser', 'too_few': 'for få henvisninger til at sammenligne (n = {n}; mindst {min} kræves)', 'advice': 'Hvad du kan skrive næste gang', 'advice_note': 'Hvert fund refcheck gjorde i henvisningerne fra denne henviser, hvor ofte, og retningslinjens råd.', 'times': 'gange'}}.items():
    LABELS[_lang].update(_extra)
for _lang, (_title, _note) in {
        "en": ("Decisions proposed", "What the screening desk would act on: the action, and the modality the guideline "
                                     "recommends where it differs from the one requested."),
        "nb": ("Foreslåtte beslutninger", "Det screeningen vil handle på: handlingen, og modaliteten retningslinjen "
                                          "anbefaler der den avviker fra den ønskede."),
        "da": ("Foreslåede beslutninger", "Det visitationen vil handle på: handlingen, og den modalitet "
                                          "retningslinjen anbefaler, hvor den afviger fra den ønskede.")}.items():
    LABELS[_lang].update({"decisions": _title, "m_decisions": _note})
#: Below this many referrals a referrer's shares are not compared with the department's.
MIN_COMPARE = 20

#: Names of the appropriateness classes (regions, red flags and modalities come from render.words).
NAMES = {
    "nb": {"unknown": "ukjent", "urgent": "øyeblikkelig hjelp", "indicated": "indisert",
           "low_value": "lav verdi", "specialist": "spesialist", "uncertain": "uavklart", "out_of_scope": "utenfor"},
    "da": {"unknown": "ukendt", "urgent": "akut", "indicated": "indiceret", "low_value": "lav værdi",
           "specialist": "specialist", "uncertain": "uafklaret", "out_of_scope": "udenfor"},
}


def _name(code: str, lang: str) -> str:
    """A code's label in the report's language: regions, appropriateness, red flags, modalities."""
    for table in (W.REGIONS, W.RED_FLAGS, W.MODALITIES):  # the words everything else reads too
        if code in table and lang in ("nb", "nn", "da"):
            return table[code][lang]
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


_LANG = ["en"]  # the page being rendered's language (numbers in its form)


def _pct(k: int, d: int) -> str:
    return f"{W.number(100 * k / d, _LANG[0], 1)} %" if d else "–"


def _n(k: int) -> str:
    return W.number(k, _LANG[0])


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
    left = min(360, max(200, 7 * max(len(str(label)) for label, _ in items) + 10))  # room for the longest label
    width += left - 200
    rows = []
    for i, (label, n) in enumerate(items):
        w = int((width - left - 130) * n / top)
        y = i * h
        rows.append(f"<text x='0' y='{y + 15}'>{_esc(label)}</text>"
                    f"<rect x='{left}' y='{y + 3}' width='{w}' height='{h - 6}' fill='{colour}'><title>{_esc(label)}: {_n(n)}</title></rect>"
                    f"<text x='{left + 5 + w}' y='{y + 15}'>{_n(n)} / {_n(denominator)} ({_pct(n, denominator)})</text>")
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
                        f"<title>{_esc(_name(group, lang))} — {_esc(_name(app, lang))}: {_n(n)} / {_n(total)}</title></rect>")
            x += w
        rows.append(f"<text x='{width - 95}' y='{y + 16}'>n = {_n(total)}</text>")
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
        cells = "".join(f"<td>{_n(counts.get(a, 0))} ({_pct(counts.get(a, 0), total)})</td>" for a in APPROPRIATENESS)
        body.append(f"<tr><td>{_esc(_name(group, lang))}</td>{cells}<td>{_n(total)}</td></tr>")
    return f"<table><tr><th>{_esc(first)}</th>{head}<th>n</th></tr>{''.join(body)}</table>"


def _cards(s: dict, t: dict, department: dict | None) -> list[str]:
    """The headline shares; on a referrer's page beside the department's, or "too few"."""
    valid = s["valid"]
    keys = (("low_value", s["low_value"]["count"]), ("incomplete", s["incomplete"]["count"]),
            ("urgent", s["urgent"]["count"]), ("mismatch", s["modality_mismatch"]["count"]))
    dept = {"low_value": "low_value", "incomplete": "incomplete", "urgent": "urgent", "mismatch": "modality_mismatch"}
    parts = ["<div class='cards'>"]
    for key, k in keys:
        if department is not None and valid < MIN_COMPARE:
            big, sub = _n(k), t["too_few"].format(n=_n(valid), min=MIN_COMPARE)
        else:
            big, sub = _pct(k, valid), f"{_n(k)} {t['of']} {_n(valid)}"
            if department is not None:
                d = department[dept[key]]["count"]
                sub += f" · {t['dept']}: {_pct(d, department['valid'])}"
        parts.append(f"<div class='card'><div class='big'>{big}</div><div>{_esc(t[key])}</div>"
                     f"<div class='sub'>{_esc(sub)}</div></div>")
    parts.append(f"<div class='card'><div class='big'>{_n(s['inputs'])}</div><div>{t['inputs']}</div>"
                 f"<div class='sub'>{_n(valid)} {t['valid']}, {_n(s['errors'])} {t['errors']}</div></div></div>")
    return parts


def _advice(s: dict, t: dict, lang: str) -> list[str]:
    """A referrer page's feedback: each finding, how often, and the guideline's advice."""
    from ..rules.engine import load_catalogue

    catalogue = load_catalogue()
    rows = []
    for code, n in s["rules"].items():
        rule = catalogue.get(code)
        if rule is None or rule.appropriateness in ("indicated", "urgent"):
            continue  # an indicated referral needs no advice
        message = rule.message_for(lang if lang in ("nb", "nn", "da") else "en").format(requested="…", recommended="…",
                                                                                      words="…")
        rows.append(f"<tr><td>{_esc(code)}</td><td>{_n(n)} {t['times']}</td><td style='text-align:left'>{_esc(message)}</td></tr>")
    if not rows:
        return []
    return [f"<h2>{t['advice']}</h2><p class='note'>{t['advice_note']}</p>",
            f"<table><tr><th>{t['rule']}</th><th>{t['count']}</th><th>{t['advice']}</th></tr>{''.join(rows)}</table>"]


def render_html(s: dict, lang: str = "en", referrer: str | None = None, department: dict | None = None,
                made: str | None = None) -> str:
    """The audit page, or one referrer's feedback page (``referrer`` and the ``department``'s
    figures to compare with). Every label, name and number in ``lang``."""
    from datetime import datetime, timezone

    _LANG[0] = lang
    t = LABELS.get(lang, LABELS["en"])
    valid = s["valid"]
    made = made or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    title = t["title"] + (f" — {t['feedback']} {referrer}" if referrer else "")
    parts = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{_esc(title)}</title>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head><body>",
             f"<h1>{_esc(title)}</h1><p class='note' id='made'>{_esc(t['made'].format(when=made, version=__version__, inputs=_n(s['inputs'])))}</p>"
             f"<p class='note'>{_esc(t['privacy'])}</p>"]
    parts += _cards(s, t, department if referrer else None)
    if referrer:
        parts += _advice(s, t, lang)
    caption = lambda key: f"<p class='note'>{_esc(t[key])}</p>"  # noqa: E731
    decided = []
    for key, n in s.get("decisions", {}).items():
        action, recommended, requested = key.split("|")
        decided.append((W.decision(action, recommended or None, requested or None, lang), n))
    parts += [f"<h2>{t['decisions']}</h2>", caption("m_decisions"), _bars(decided, valid, "#1d3557")]
    parts += [f"<h2>{t['by_region']}</h2>", caption("m_region"), _legend(lang),
              _stacked(s["region_x_appropriateness"], lang=lang), _crosstab(s["region_x_appropriateness"], t["region"], lang)]
    parts += [f"<h2>{t['by_modality']}</h2>", caption("m_modality"), _legend(lang),
              _stacked(s["modality_x_appropriateness"], lang=lang),
              _crosstab(s["modality_x_appropriateness"], t["modality"], lang)]
    parts += [f"<h2>{t['grades']}</h2>", caption("m_grades"),
              _bars([(g, s["grade"].get(g, 0)) for g in GRADES], valid, "#5e3c99")]
    parts += [f"<h2>{t['missing']}</h2>", caption("m_missing"),
              _bars([(t.get(k, k), n) for k, n in s["missing_components"].items()], valid, "#e08214")]
    parts += [f"<h2>{t['rules']}</h2>", caption("m_rules"), _bars(list(s["rules"].items())[:15], valid, "#4393c3")]
    parts += [f"<h2>{t['flags']}</h2>", caption("m_flags"),
              _bars([(_name(k, lang), n) for k, n in s["red_flags"].items()], valid, "#b2182b")]
    mism = s["modality_mismatch"]["pairs"]
    pair = lambda k: " → ".join(_name(x, lang) for x in k.split("->"))  # noqa: E731
    parts += [f"<h2>{t['mismatches']}</h2>",
              "<table><tr><th>" + t["pair"] + "</th><th>" + t["count"] + "</th></tr>"
              + "".join(f"<tr><td>{_esc(pair(k))}</td><td>{_n(n)} / {_n(valid)}</td></tr>" for k, n in mism.items())
              + (f"<tr><td colspan='2'>{t['none']}</td></tr>" if not mism else "") + "</table>"]
    if not referrer:
        rows = "".join(
            f"<tr><td>{_referrer_cell(r['referrer'], s.get('referrer_pages'))}</td><td>{_n(r['volume'])}</td>"
            f"<td>{_n(r['low_value'])} ({_pct(r['low_value'], r['volume'])})</td>"
            f"<td>{_n(r['incomplete'])} ({_pct(r['incomplete'], r['volume'])})</td></tr>" for r in s["referrers"])
        parts += [f"<h2>{t['referrers']}</h2>", caption("m_referrers"),
                  f"<table><tr><th>{t['referrer']}</th><th>{t['volume']}</th><th>{t['share_low']}</th>"
                  f"<th>{t['share_incomplete']}</th></tr>{rows}</table>"]
    if s["by_month"]:
        months = list(s["by_month"].items())
        parts += [f"<h2>{t['trend']}</h2>", caption("m_trend"),
                  _bars([(m, v["low_value"]) for m, v in months], max(v["count"] for _, v in months), "#e08214"),
                  "<table><tr><th>" + t["month"] + "</th><th>" + t["volume"] + "</th><th>" + t["share_low"] + "</th><th>"
                  + t["share_incomplete"] + "</th></tr>"
                  + "".join(f"<tr><td>{_esc(m)}</td><td>{_n(v['count'])}</td><td>{_n(v['low_value'])} "
                            f"({_pct(v['low_value'], v['count'])})</td><td>{_n(v['incomplete'])} "
                            f"({_pct(v['incomplete'], v['count'])})</td></tr>" for m, v in months)
                  + "</table>"]
    parts.append("</body></html>")
    return "".join(parts)


def _parquet(out: Path, include_text: bool, partition_by: str | None = None) -> None:
    """``referrals.parquet`` and ``findings.parquet``, written chunk by chunk with a fixed
    schema; with ``partition_by="month"`` as partitioned datasets (``month=2026-10/…``),
    findings partitioned by their referral's month."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Arrow's default allocator keeps what it freed (RSS grew with N: 248 → 282 MB from 10k to
    # 40k rows); the system allocator returns it, so the output step's memory stays flat.
    pa.set_memory_pool(pa.system_memory_pool())

    def schema_of(columns):
        return pa.schema([pa.field(c, pa.int64() if c == "seq" else pa.bool_() if c in BOOL_COLUMNS else pa.string())
                          for c in columns])

    ref_schema = schema_of(REFERRAL_COLUMNS + (["text"] if include_text else []))
    find_schema = schema_of(FINDING_COLUMNS)
    if partition_by is None:
        with pq.ParquetWriter(out / "referrals.parquet", ref_schema) as writer:
            for chunk in read_rows(out / "referrals.csv"):
                writer.write_table(pa.Table.from_pandas(chunk, schema=ref_schema, preserve_index=False))
        with pq.ParquetWriter(out / "findings.parquet", find_schema) as writer:
            for chunk in read_rows(out / "findings.csv"):
                writer.write_table(pa.Table.from_pandas(chunk, schema=find_schema, preserve_index=False))
        return
    months: dict[int, str] = {}
    for n, chunk in enumerate(read_rows(out / "referrals.csv")):
        chunk = chunk.assign(month=chunk["month"].replace("", "unknown"))
        months.update(zip(chunk["seq"].tolist(), chunk["month"].tolist()))
        pq.write_to_dataset(pa.Table.from_pandas(chunk, schema=ref_schema, preserve_index=False),
                            root_path=str(out / "referrals.parquet"), partition_cols=[partition_by],
                            basename_template=f"part-{n}-{{i}}.parquet")
    for n, chunk in enumerate(read_rows(out / "findings.csv")):
        table = pa.Table.from_pandas(chunk, schema=find_schema, preserve_index=False)
        table = table.append_column("month", pa.array([months.get(q, "unknown") for q in chunk["seq"].tolist()]))
        pq.write_to_dataset(table, root_path=str(out / "findings.parquet"), partition_cols=["month"],
                            basename_template=f"part-{n}-{{i}}.parquet")


def _slug(name: str) -> str:
    """A file name for a referrer's page: its letters (æøå kept) and a short hash of the
    exact name, so "Dr. Ås", "Dr Ås" and "Dr. Øs" get different, stable files."""
    import hashlib

    base = re.sub(r"[^\w-]+", "_", name).strip("_")[:60] or "unknown"
    return f"{base}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


#: What an audit writes into its folder (a new run replaces all of them: never old and new mixed).
OUTPUT_FILES = ("referrals.csv", "findings.csv", "referrals.parquet", "findings.parquet", "summary.json", "report.html")


def clear_outputs(out: Path) -> None:
    """Remove an earlier run's outputs (only refcheck's own files and the referrers/ pages)."""
    import shutil

    for name in OUTPUT_FILES:
        path = out / name
        if path.is_dir():  # a partitioned dataset
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    if (out / "referrers").is_dir():
        shutil.rmtree(out / "referrers")


def write_outputs(out: Path, lang: str = "en", by_referrer: bool = False, include_text: bool = False,
                  partition_by: str | None = None) -> dict:
    """Write referrals.parquet, summary.json, report.html (and feedback pages). The figures
    come from one pass over the table, the referrers' too (no re-reading per page)."""
    from datetime import datetime, timezone

    _parquet(out, include_text, partition_by)
    if by_referrer:
        summary, per_referrer = aggregate(out, by_referrer=True)
        # every page is listed in the summary and linked from the report
        summary["referrer_pages"] = {ref["referrer"]: f"referrers/{_slug(ref['referrer'])}.html"
                                     for ref in summary["referrers"]}
    else:
        summary, per_referrer = aggregate(out), {}
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    summary["made"], summary["refcheck_version"] = made, __version__
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.html").write_text(render_html(summary, lang, made=made), encoding="utf-8")
    if by_referrer:
        folder = out / "referrers"
        folder.mkdir(exist_ok=True)
        for name, page in summary["referrer_pages"].items():
            (out / page).write_text(render_html(per_referrer[name], lang, name, summary, made), encoding="utf-8")
    return summary
