"""The ``refcheck`` commands about the rule catalogue and electronic messages: ``rules``,
``rule``, ``errors`` and ``reply`` (registered on :data:`refcheck.cli.app`)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..errors import message
from .base import Format, _fail, app


@app.command("reply")
def reply(
    input: Path = typer.Argument(..., help="A KITH or MedCom .xml message, or a directory of them."),
    out: Path = typer.Option(..., "--out", "-o", help="Directory for the replies."),
    schemas: Optional[Path] = typer.Option(None, "--schemas", help="A folder of XSDs: validate each message first."),
) -> None:
    """Answer electronic referrals: for each Norwegian message an AppRec (OK / avvist), and a
    Dialogmelding "Status på henvisning" with the guideline's advice when refcheck proposes
    decline, return or redirect; for each MedCom message a positive or negative receipt.
    Replies carry no patient data (no fødselsnummer, CPR number, name or address)."""
    from ..api import check_record
    from ..inputs.messages import read_message
    from ..render.replies import replies

    if not input.exists():
        _fail(message("RC304", path=input))
    files = sorted(p for p in input.iterdir() if p.suffix.lower() == ".xml") if input.is_dir() else [input]
    if not files:
        _fail(message("RC305", path=input, suffixes=".xml"))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(message("RC306", path=out, problem=type(exc).__name__))
    counts: dict[str, int] = {}
    for path in files:
        msg = read_message(path.read_bytes(), path.stem, schemas)
        report = check_record(msg.record).to_dict() if msg.record.error is None else None
        for kind, xml in replies(msg, report):
            (out / f"{path.stem}.{kind}.xml").write_bytes(xml)
            counts[kind] = counts.get(kind, 0) + 1
    typer.echo(f"refcheck: answered {len(files)} message(s) into {out}: "
               + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())), err=True)


@app.command("rules")
def list_rules(
    select: Optional[str] = typer.Option(None, "--select", help="Only rules whose code starts with one of these "
                                         "prefixes (comma list, e.g. NO-LBP,URG)."),
    coverage: bool = typer.Option(False, "--coverage", help="Print the coverage matrix instead: every guideline "
                                  "recommendation, its status and the rules that implement it."),
    markdown: bool = typer.Option(False, "--markdown", help="With --coverage: the matrix as Markdown (docs/coverage.md)."),
    format: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """List the rule catalogue: code, name, severity, verdict and citation (the guideline as
    clinicians name it, with the source id in brackets); or, with --coverage, the coverage
    matrix of every guideline recommendation."""
    from ..rules.citations import display
    from ..rules.engine import load_catalogue

    if coverage:
        from ..rules import coverage as cov

        matrix = cov.load()
        if markdown:
            typer.echo(cov.markdown(matrix), nl=False)
        elif format is not Format.text:
            typer.echo(json.dumps(cov.rows(matrix), ensure_ascii=False, indent=2 if format is Format.json else None))
        else:
            for r in matrix.recommendations:
                typer.echo(f"{r.id[:44]:44s} {r.status:11s} {', '.join(r.rules) or '-'}")
            n = matrix.counts()
            typer.echo(f"{len(matrix.recommendations)} recommendations: {n['implemented']} implemented, "
                       f"{n['partial']} partial, {n['contract']} decided by the contract, {n['none']} without a rule")
        return
    prefixes = [p.strip().upper() for p in (select or "").split(",") if p.strip()]
    rules = sorted((r for r in load_catalogue().rules if not prefixes or r.code.startswith(tuple(prefixes))),
                   key=lambda r: _code_key(r.code))
    if format is not Format.text:
        rows = [{"code": r.code, "name": r.name, "kind": r.kind, "severity": r.severity,
                 "appropriateness": r.appropriateness, "citation": display(r.citation), "source": r.citation}
                for r in rules]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2 if format is Format.json else None))
        return
    if not rules:
        _fail(message("RC024", select=select))
    typer.echo(f"{'CODE':12s} {'NAME':52s} {'SEVERITY':8s} {'VERDICT':12s} CITATION [SOURCE]")
    for r in rules:
        verdict = r.appropriateness or "finding"
        typer.echo(f"{r.code:12s} {r.name:52s} {r.severity:8s} {verdict:12s} {display(r.citation)} [{r.citation}]")


def _code_key(code: str) -> tuple:
    family, _, number = code.rpartition("-")
    return (family, int(number) if number.isdigit() else 0)


@app.command("rule")
def explain_rule(code: str = typer.Argument(..., help="A rule code, e.g. NO-LBP-001.")) -> None:
    """Explain one rule: what it checks, why, an example referral, the guideline text."""
    from ..rules.engine import load_catalogue

    catalogue = load_catalogue()
    rule = catalogue.get(code)
    if rule is None:
        import difflib

        near = difflib.get_close_matches(code.upper(), [r.code for r in catalogue.rules], n=3, cutoff=0.6)
        _fail(message("RC020", code=code, suggest=f" (did you mean {', '.join(near)}?)" if near else ""))
    rec = rule.recommended(None)
    typer.echo(f"{rule.code} ({rule.name})\n")
    typer.echo(f"Kind: {rule.kind}; severity: {rule.severity}"
               + (f"; verdict: {rule.appropriateness}" if rule.appropriateness else "")
               + (f"; recommends: {rec}" if rec else ""))
    typer.echo(f"\n## What it checks\n{rule.doc['checks']}\n\n## Why it matters\n{rule.doc['why']}")
    typer.echo(f"\n## Example referral\n{rule.doc['example']}\n\n## Message\n  nb: {rule.message['nb']}\n"
               f"  da: {rule.message['da']}\n  en: {rule.message['en']}")
    from ..rules.citations import display
    from ..rules.coverage import load as load_coverage

    typer.echo(f"\n## Guideline text\n\"{rule.doc['guideline']}\"\n\n## Reference\n{display(rule.citation)} "
               f"[source: {rule.citation}]")
    recs = load_coverage().for_rule(rule.code)
    if recs:
        typer.echo("\n## Implements\n" + "\n".join(f"{r.id} ({r.status})" for r in recs))


@app.command("errors")
def list_errors(format: Format = typer.Option(Format.text, "--format", "-f")) -> None:
    """List every error refcheck reports: code, kind (the contract's error code, input, data
    or usage) and message template."""
    from ..errors import table

    rows = table()
    if format is not Format.text:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2 if format is Format.json else None))
        return
    for row in rows:
        typer.echo(f"{row['code']}  {row['kind']:20s} {row['message']}")
