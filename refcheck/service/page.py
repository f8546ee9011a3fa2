"""The screening desk's worklist page: one self-contained HTML file (inline CSS and JS).

It talks to the same process's API with the screener's bearer token (kept in the tab's
sessionStorage only). Keyboard: j/k or ↑/↓ move in the queue, Enter opens, c confirms
refcheck's proposal, o focuses the override form.
"""
from __future__ import annotations

TEXT = {
    "nb": {"title": "Screening av henvisninger", "token": "Tilgangsnøkkel", "login": "Logg inn", "queue": "Arbeidsliste",
           "empty": "Ingen åpne henvisninger", "proposal": "Forslag fra refcheck", "confirm": "Bekreft forslag (c)",
           "override": "Overstyr", "reason": "Begrunnelse", "save": "Lagre beslutning", "trail": "Logg",
           "findings": "Funn", "text": "Henvisning", "legend": "Rødt: røde flagg · gjennomstreket: avkreftet · understreket: problemstilling",
           "decided": "Beslutning lagret", "received": "Mottatt", "help": "Tastatur: j/k flytt, Enter åpne, c bekreft, o overstyr"},
    "da": {"title": "Visitation af henvisninger", "token": "Adgangsnøgle", "login": "Log ind", "queue": "Arbejdsliste",
           "empty": "Ingen åbne henvisninger", "proposal": "Forslag fra refcheck", "confirm": "Bekræft forslag (c)",
           "override": "Tilsidesæt", "reason": "Begrundelse", "save": "Gem beslutning", "trail": "Log",
           "findings": "Fund", "text": "Henvisning", "legend": "Rød: røde flag · gennemstreget: afkræftet · understreget: problemstilling",
           "decided": "Beslutning gemt", "received": "Modtaget", "help": "Tastatur: j/k flyt, Enter åbn, c bekræft, o tilsidesæt"},
}

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title><link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;margin:0;color:#222}} header{{background:#1d3557;color:#fff;padding:.6rem 1rem}}
main{{display:flex;gap:1rem;padding:1rem}} #queue{{width:38%}} #detail{{flex:1}}
table{{border-collapse:collapse;width:100%}} td,th{{border-bottom:1px solid #ddd;padding:.35rem;text-align:left}}
tr.sel{{background:#e8f0fe;outline:2px solid #1d3557}} tr{{cursor:pointer}}
.badge{{padding:.1rem .45rem;border-radius:.3rem;color:#fff;font-size:.85rem}}
.escalate{{background:#b2182b}} .accept{{background:#1b7837}} .decline{{background:#e08214}} .redirect{{background:#762a83}}
.return{{background:#4393c3}} .manual{{background:#878787}}
pre{{white-space:pre-wrap;background:#fafafa;border:1px solid #ddd;padding:.6rem;font-family:inherit}}
mark.red_flag{{background:#f4a6a6}} mark.negated_flag{{background:none;color:#888;text-decoration:line-through}}
mark.question{{background:none;text-decoration:underline;text-decoration-thickness:2px}}
button{{padding:.4rem .8rem;margin:.2rem}} button:focus,select:focus,input:focus,textarea:focus{{outline:3px solid #f4a261}}
.note{{color:#555;font-size:.9rem}} li{{margin:.3rem 0}}
</style></head><body>
<header><strong>{title}</strong> <span class="note" style="color:#cfd8e3">{help}</span></header>
<section id="login" style="padding:1rem"><label>{token} <input id="token" type="password" size="50" autocomplete="off"></label>
<button id="loginbtn">{login}</button></section>
<main id="app" hidden>
<section id="queue"><h2>{queue}</h2><table><thead><tr><th>#</th><th>{proposal}</th><th>region</th><th>{received}</th></tr></thead>
<tbody id="rows"></tbody></table><p id="empty" class="note" hidden>{empty}</p></section>
<section id="detail" aria-live="polite"></section>
</main>
<script>
const T = {text_json};
const ACTIONS = ["accept","decline","redirect","return","escalate"];
let token = sessionStorage.getItem("refcheck-token") || "", rows = [], sel = 0, current = null;
const $ = (id) => document.getElementById(id);
function esc(s) {{ return String(s ?? "").replace(/[&<>"']/g, c => ({{"&":"&amp;","<":"&lt;",">":"&gt;","\\"":"&quot;","'":"&#39;"}})[c]); }}
async function api(path, opts={{}}) {{
  const r = await fetch(path, Object.assign({{headers: {{"Authorization": "Bearer " + token, "Content-Type": "application/json"}}}}, opts));
  if (!r.ok) throw new Error((await r.json()).message || r.status);
  return r.json();
}}
function marked(text, hs) {{
  let out = "", pos = 0;
  for (const h of hs) {{ if (h.start < pos) continue;
    out += esc(text.slice(pos, h.start)) + '<mark class="' + h.kind + '" title="' + esc(h.code || h.kind) + '">' + esc(text.slice(h.start, h.end)) + "</mark>";
    pos = h.end; }}
  return out + esc(text.slice(pos));
}}
async function loadQueue() {{
  rows = (await api("/v1/worklist")).referrals;
  $("rows").innerHTML = rows.map((r, i) => '<tr data-i="' + i + '" id="row-' + r.id + '"><td>' + r.id + '</td><td><span class="badge ' + r.proposed_action + '">' + r.proposed_action + '</span></td><td>' + esc(r.region || "") + '</td><td>' + esc(r.received_at.slice(0,16).replace("T"," ")) + '</td></tr>').join("");
  $("empty").hidden = rows.length > 0;
  document.querySelectorAll("#rows tr").forEach(tr => tr.onclick = () => {{ sel = +tr.dataset.i; mark(); openSel(); }});
  sel = Math.min(sel, Math.max(rows.length - 1, 0)); mark();
}}
function mark() {{ document.querySelectorAll("#rows tr").forEach((tr, i) => tr.classList.toggle("sel", i === sel)); }}
async function openSel() {{
  if (!rows[sel]) return;
  current = await api("/v1/referrals/" + rows[sel].id);
  const rep = current.report;
  $("detail").innerHTML = '<h2>' + esc(current.external_id) + (current.version > 1 ? ' <small id="version">v' + current.version + '</small>' : '') + ' <span class="badge ' + current.proposed_action + '">' + current.proposed_action + '</span></h2>'
    + '<p>' + T.proposal + ': <strong>' + current.proposed_action + '</strong> (' + rep.appropriateness + (rep.recommended_modality ? ", " + rep.recommended_modality : "") + '; completeness ' + rep.completeness.grade + ')</p>'
    + '<h3>' + T.text + '</h3><pre id="text">' + marked(current.text || "", current.highlights) + '</pre><p class="note">' + T.legend + '</p>'
    + '<h3>' + T.findings + '</h3><ul id="findings">' + rep.findings.map(f => '<li><strong>' + esc(f.rule) + '</strong> ' + esc(f.message) + ' <span class="note">[' + esc(f.citation) + ']</span></li>').join("") + '</ul>'
    + '<button id="confirm">' + T.confirm + '</button>'
    + '<fieldset><legend>' + T.override + '</legend><select id="decision">' + ACTIONS.map(a => '<option value="' + a + '">' + a + '</option>').join("") + '</select> '
    + '<label>' + T.reason + ' <input id="reason" size="40"></label> <button id="save">' + T.save + '</button></fieldset>'
    + '<h3>' + T.trail + '</h3><ol id="trail">' + current.audit_trail.map(t => '<li>' + esc(t.at.slice(0,19).replace("T"," ")) + ' ' + esc(t.actor) + ': ' + esc(t.event) + ' — ' + esc(t.detail) + '</li>').join("") + '</ol>';
  $("confirm").onclick = () => decide(current.proposed_action, null);
  $("save").onclick = () => decide($("decision").value, $("reason").value || null);
}}
async function decide(decision, reason) {{
  const done = await api("/v1/referrals/" + current.id + "/decision", {{method: "POST", body: JSON.stringify({{decision, reason}})}});
  current = done;
  $("trail").innerHTML = done.audit_trail.map(t => '<li>' + esc(t.at.slice(0,19).replace("T"," ")) + ' ' + esc(t.actor) + ': ' + esc(t.event) + ' — ' + esc(t.detail) + '</li>').join("");
  $("detail").insertAdjacentHTML("afterbegin", '<p id="saved" role="status">' + T.decided + '</p>');
  await loadQueue();
}}
document.addEventListener("keydown", (e) => {{
  if (["INPUT","TEXTAREA","SELECT"].includes(e.target.tagName)) return;
  if (e.key === "j" || e.key === "ArrowDown") {{ sel = Math.min(sel + 1, rows.length - 1); mark(); e.preventDefault(); }}
  else if (e.key === "k" || e.key === "ArrowUp") {{ sel = Math.max(sel - 1, 0); mark(); e.preventDefault(); }}
  else if (e.key === "Enter") openSel();
  else if (e.key === "c" && current) decide(current.proposed_action, null);
  else if (e.key === "o" && current) $("decision").focus();
}});
async function start() {{ $("login").hidden = true; $("app").hidden = false; await loadQueue(); if (rows.length) await openSel(); }}
$("loginbtn").onclick = () => {{ token = $("token").value.trim(); sessionStorage.setItem("refcheck-token", token); start().catch(err => alert(err)); }};
if (token) start().catch(() => {{ $("login").hidden = false; $("app").hidden = true; }});
</script></body></html>"""


def worklist_page(lang: str = "nb") -> str:
    import json

    t = TEXT.get(lang, TEXT["nb"])
    return _PAGE.format(lang=lang if lang in TEXT else "nb", text_json=json.dumps(t, ensure_ascii=False), **t)
