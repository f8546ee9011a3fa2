"""The screening desk's worklist page: one self-contained HTML file (inline CSS and JS).

It talks to the same process's API with the screener's bearer token (kept in the tab's
sessionStorage only; nothing of the app shows before the token has been accepted, and an
expired or revoked token returns to the login with a message).

- The queue: escalations first, then oldest first, a page at a time as the screener
  scrolls (keyset pagination); each row shows the referral's id, the decision in words
  ("GODTA som røntgen (MR ønsket)"), modality and region in words, age and sex, a
  red-flag marker and how long it has waited. Filters (action, region, modality, red
  flags, date) and a search box go to the API.
- The detail: the text with the report's own red flags marked (exactly those), negated
  flags struck through and the clinical question underlined; clicking a finding marks its
  evidence. Confirm (c) or override; overriding an escalation or an urgent referral needs
  a reason and a second, explicit confirmation. After a decision the next referral opens,
  so the selection and the detail pane stay in step.

Keyboard: j/k or ↑/↓ move, Enter opens, c confirms refcheck's proposal, o overrides, / searches.
"""
from __future__ import annotations

import json

from ..render import words as W

TEXT = {
    "nb": {"title": "Screening av henvisninger", "token": "Tilgangsnøkkel", "login": "Logg inn", "queue": "Arbeidsliste",
           "empty": "Ingen åpne henvisninger", "proposal": "Forslag fra refcheck", "confirm": "Bekreft forslag (c)",
           "override": "Overstyr (o)", "reason": "Begrunnelse", "save": "Lagre beslutning", "trail": "Logg",
           "findings": "Funn (klikk for å vise grunnlaget i teksten)", "text": "Henvisning",
           "legend": "Rødt: røde flagg · gjennomstreket: avkreftet · understreket: problemstilling · gult: valgt funn",
           "decided": "Beslutning lagret", "received": "Mottatt", "waited": "Ventet", "exam": "Undersøkelse",
           "patient": "Pasient", "flags": "Røde flagg", "all": "alle", "yes": "ja", "no": "nei", "search": "Søk",
           "reset": "Nullstill", "more": "Vis flere", "since": "Fra dato", "action": "Forslag", "region": "Region",
           "modality": "Modalitet", "reason_needed": "En overstyring av en eskalering eller et hastetilfelle krever begrunnelse.",
           "confirm_override": "Bekreft overstyring av eskaleringen", "override_warning": "Du overstyrer et forslag om øyeblikkelig hjelp.",
           "expired": "Innloggingen er utløpt eller trukket tilbake. Logg inn på nytt.", "wrong": "Ukjent tilgangsnøkkel.",
           "help": "Tastatur: j/k flytt, Enter åpne, c bekreft, o overstyr, / søk", "version": "versjon",
           "min": "min", "hours": "t", "days": "d", "years": "år"},
    "nn": {"title": "Screening av tilvisingar", "token": "Tilgangsnøkkel", "login": "Logg inn", "queue": "Arbeidsliste",
           "empty": "Ingen opne tilvisingar", "proposal": "Forslag frå refcheck", "confirm": "Stadfest forslag (c)",
           "override": "Overstyr (o)", "reason": "Grunngjeving", "save": "Lagre avgjerd", "trail": "Logg",
           "findings": "Funn (klikk for å vise grunnlaget i teksten)", "text": "Tilvising",
           "legend": "Raudt: raude flagg · gjennomstreka: avkrefta · understreka: problemstilling · gult: valt funn",
           "decided": "Avgjerd lagra", "received": "Motteken", "waited": "Venta", "exam": "Undersøking",
           "patient": "Pasient", "flags": "Raude flagg", "all": "alle", "yes": "ja", "no": "nei", "search": "Søk",
           "reset": "Nullstill", "more": "Vis fleire", "since": "Frå dato", "action": "Forslag", "region": "Region",
           "modality": "Modalitet", "reason_needed": "Ei overstyring av ei eskalering eller eit hastetilfelle krev grunngjeving.",
           "confirm_override": "Stadfest overstyring av eskaleringa", "override_warning": "Du overstyrer eit forslag om øyeblikkeleg hjelp.",
           "expired": "Innlogginga er gått ut eller trekt tilbake. Logg inn på nytt.", "wrong": "Ukjend tilgangsnøkkel.",
           "help": "Tastatur: j/k flytt, Enter opne, c stadfest, o overstyr, / søk", "version": "versjon",
           "min": "min", "hours": "t", "days": "d", "years": "år"},
    "da": {"title": "Visitation af henvisninger", "token": "Adgangsnøgle", "login": "Log ind", "queue": "Arbejdsliste",
           "empty": "Ingen åbne henvisninger", "proposal": "Forslag fra refcheck", "confirm": "Bekræft forslag (c)",
           "override": "Tilsidesæt (o)", "reason": "Begrundelse", "save": "Gem beslutning", "trail": "Log",
           "findings": "Fund (klik for at se grundlaget i teksten)", "text": "Henvisning",
           "legend": "Rød: røde flag · gennemstreget: afkræftet · understreget: problemstilling · gul: valgt fund",
           "decided": "Beslutning gemt", "received": "Modtaget", "waited": "Ventet", "exam": "Undersøgelse",
           "patient": "Patient", "flags": "Røde flag", "all": "alle", "yes": "ja", "no": "nej", "search": "Søg",
           "reset": "Nulstil", "more": "Vis flere", "since": "Fra dato", "action": "Forslag", "region": "Region",
           "modality": "Modalitet", "reason_needed": "En tilsidesættelse af en eskalering eller et hastetilfælde kræver en begrundelse.",
           "confirm_override": "Bekræft tilsidesættelse af eskaleringen", "override_warning": "Du tilsidesætter et forslag om akut forløb.",
           "expired": "Log-ind er udløbet eller tilbagekaldt. Log ind igen.", "wrong": "Ukendt adgangsnøgle.",
           "help": "Tastatur: j/k flyt, Enter åbn, c bekræft, o tilsidesæt, / søg", "version": "version",
           "min": "min", "hours": "t", "days": "d", "years": "år"},
    "en": {"title": "Referral screening", "token": "Access token", "login": "Log in", "queue": "Worklist",
           "empty": "No open referrals", "proposal": "refcheck proposes", "confirm": "Confirm proposal (c)",
           "override": "Override (o)", "reason": "Reason", "save": "Save decision", "trail": "Log",
           "findings": "Findings (click to show the evidence in the text)", "text": "Referral",
           "legend": "Red: red flags · struck through: negated · underlined: clinical question · yellow: selected finding",
           "decided": "Decision saved", "received": "Received", "waited": "Waited", "exam": "Exam",
           "patient": "Patient", "flags": "Red flags", "all": "all", "yes": "yes", "no": "no", "search": "Search",
           "reset": "Reset", "more": "Show more", "since": "From date", "action": "Proposal", "region": "Region",
           "modality": "Modality", "reason_needed": "Overriding an escalation or an urgent referral needs a reason.",
           "confirm_override": "Confirm overriding the escalation", "override_warning": "You are overriding a proposal for the emergency pathway.",
           "expired": "Your login has expired or was revoked. Please log in again.", "wrong": "Unknown access token.",
           "help": "Keys: j/k move, Enter open, c confirm, o override, / search", "version": "version",
           "min": "min", "hours": "h", "days": "d", "years": "y"},
}


def _vocabulary(lang: str) -> dict:
    pick = lambda table: {k: v[lang] for k, v in table.items()}  # noqa: E731
    return {"actions": pick(W.ACTIONS), "meanings": pick(W.ACTION_MEANING), "modalities": pick(W.MODALITIES),
            "regions": pick(W.REGIONS), "flags": pick(W.RED_FLAGS), "sex": pick(W.SEX), "as": W.LABELS["as"][lang],
            "requested": W.LABELS["requested"][lang], "laterality": pick(W.LATERALITY)}


_CSS = """
body{font-family:system-ui,sans-serif;margin:0;color:#222} header{background:#1d3557;color:#fff;padding:.6rem 1rem}
main{display:flex;gap:1rem;padding:1rem} #queue{width:46%} #detail{flex:1;min-width:0}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;font-size:.92rem}
tr.sel{background:#e8f0fe;outline:2px solid #1d3557} tbody tr{cursor:pointer}
.badge{padding:.1rem .45rem;border-radius:.3rem;color:#fff;font-size:.82rem;white-space:nowrap}
.escalate{background:#b2182b} .accept{background:#1b7837} .decline{background:#b35806} .redirect{background:#762a83}
.return{background:#2166ac} .manual{background:#636363}
.flag{color:#b2182b;font-weight:bold} #filters{display:flex;flex-wrap:wrap;gap:.4rem;margin:.4rem 0}
#filters label{font-size:.85rem} pre{white-space:pre-wrap;background:#fafafa;border:1px solid #ddd;padding:.6rem;font-family:inherit}
mark.red_flag{background:#f4a6a6} mark.negated_flag{background:none;color:#888;text-decoration:line-through}
mark.question{background:none;text-decoration:underline;text-decoration-thickness:2px} mark.evidence{background:#ffe066}
button{padding:.4rem .8rem;margin:.2rem} button:focus,select:focus,input:focus{outline:3px solid #f4a261}
.note{color:#555;font-size:.9rem} li{margin:.3rem 0} #findings li{cursor:pointer} #findings li.on{background:#fff3bf}
#override-check{border:2px solid #b2182b;padding:.5rem;margin:.5rem 0;background:#fdecea} .error{color:#b2182b}
li.override{font-weight:bold}
"""

_BODY = """
<header><strong>__TITLE__</strong> <span class="note" style="color:#cfd8e3">__HELP__</span></header>
<form id="login" style="padding:1rem"><label>__TOKEN__ <input id="token" type="password" size="50" autocomplete="off"></label>
<button id="loginbtn" type="submit">__LOGIN__</button> <span id="loginmsg" class="error" role="alert"></span></form>
<main id="app" hidden>
<section id="queue"><h2>__QUEUE__</h2>
<div id="filters">
<label>__ACTION__ <select id="f-action"></select></label> <label>__REGION__ <select id="f-region"></select></label>
<label>__MODALITY__ <select id="f-modality"></select></label>
<label>__FLAGS__ <select id="f-flags"><option value="">__ALL__</option><option value="true">__YES__</option><option value="false">__NO__</option></select></label>
<label>__SINCE__ <input id="f-since" type="date"></label> <label>__SEARCH__ <input id="f-q" type="search" size="14"></label>
<button id="f-reset" type="button">__RESET__</button></div>
<table><thead><tr><th>#</th><th>__PROPOSAL__</th><th>__EXAM__</th><th>__PATIENT__</th><th>⚑</th><th>__WAITED__</th></tr></thead>
<tbody id="rows"></tbody></table><p id="empty" class="note" hidden>__EMPTY__</p>
<button id="more" type="button" hidden>__MORE__</button><div id="sentinel"></div></section>
<section id="detail" aria-live="polite"></section>
</main>
"""

_SCRIPT = r"""
const T = __TEXT_JSON__, V = __VOCAB_JSON__;
const ACTIONS = ["accept","decline","redirect","return","escalate"];
let token = sessionStorage.getItem("refcheck-token") || "", rows = [], sel = 0, current = null, next = null, loading = false;
const $ = (id) => document.getElementById(id);
function esc(s) { return String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"})[c]); }
class Expired extends Error {}
async function api(path, opts={}) {
  const r = await fetch(path, Object.assign({headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json"}}, opts));
  if (r.status === 401) throw new Expired();
  if (!r.ok) { const e = new Error((await r.json()).message || r.status); e.status = r.status; throw e; }
  return r.json();
}
function logout(msg) { sessionStorage.removeItem("refcheck-token"); token = ""; $("app").hidden = true; $("login").hidden = false;
  $("detail").innerHTML = ""; $("rows").innerHTML = ""; $("loginmsg").textContent = msg || ""; $("token").value = ""; $("token").focus(); }
function guard(p) { return p.catch(err => { if (err instanceof Expired) logout(T.expired); else throw err; }); }
function decision(r) {
  const head = V.actions[r.proposed_action];
  const rec = r.recommended_modality, req = r.modality;
  if ((r.proposed_action === "accept" || r.proposed_action === "escalate") && rec && req && rec !== req)
    return head + " " + V.as + " " + (V.modalities[rec] || rec) + " (" + (V.modalities[req] || req) + " " + V.requested + ")";
  return head;
}
function waited(iso) {
  const m = Math.max(0, (Date.now() - Date.parse(iso)) / 60000);
  return m < 60 ? Math.round(m) + " " + T.min : m < 48 * 60 ? Math.round(m / 60) + " " + T.hours : Math.round(m / 1440) + " " + T.days;
}
function who(age, sex) { return [age == null ? "" : age + " " + T.years, sex ? (V.sex[sex] || sex) : ""].filter(Boolean).join(" "); }
function rowHtml(r, i) {
  return '<tr data-i="' + i + '" id="row-' + r.id + '"><td>' + esc(r.external_id) + (r.version > 1 ? ' <small>v' + r.version + '</small>' : '') + '</td>'
    + '<td><span class="badge ' + r.proposed_action + '">' + esc(decision(r)) + '</span></td>'
    + '<td>' + esc((V.modalities[r.modality] || r.modality || "?") + " " + (V.regions[r.region] || r.region || "")) + '</td>'
    + '<td>' + esc(who(r.patient_age, r.patient_sex)) + '</td>'
    + '<td>' + (r.red_flags ? '<span class="flag" title="' + esc(T.flags) + '">⚑ ' + r.red_flags + '</span>' : '') + '</td>'
    + '<td title="' + esc(r.received_at) + '">' + esc(waited(r.received_at)) + '</td></tr>';
}
function filters() {
  const p = new URLSearchParams();
  for (const [k, id] of [["action","f-action"],["region","f-region"],["modality","f-modality"],["red_flags","f-flags"],["since","f-since"],["q","f-q"]])
    if ($(id).value) p.set(k, $(id).value);
  return p;
}
async function loadQueue(keepSel) {
  const p = filters(); p.set("limit", "50");
  const page = await api("/v1/worklist?" + p);
  rows = page.referrals; next = page.next;
  $("rows").innerHTML = rows.map(rowHtml).join("");
  bindRows(); $("empty").hidden = rows.length > 0; $("more").hidden = !next;
  sel = keepSel ? Math.min(sel, Math.max(rows.length - 1, 0)) : 0; mark();
}
async function loadMore() {
  if (!next || loading || $("app").hidden) return;
  loading = true;
  try { const p = filters(); p.set("limit", "50"); p.set("after", next);
    const page = await api("/v1/worklist?" + p); const start = rows.length;
    rows = rows.concat(page.referrals); next = page.next;
    $("rows").insertAdjacentHTML("beforeend", page.referrals.map((r, k) => rowHtml(r, start + k)).join(""));
    bindRows(); $("more").hidden = !next; } finally { loading = false; }
}
function bindRows() { document.querySelectorAll("#rows tr").forEach(tr => tr.onclick = () => { sel = +tr.dataset.i; mark(); guard(openSel()); }); }
function mark() { document.querySelectorAll("#rows tr").forEach((tr, i) => tr.classList.toggle("sel", i === sel));
  const tr = document.querySelector("#rows tr.sel"); if (tr) tr.scrollIntoView({block: "nearest"}); }
// marks over code points (the report's offsets count code points, as Python does)
function marked(text, spans) {
  const chars = Array.from(text); let out = "", pos = 0;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  for (const h of spans) { if (h.start < pos) continue;
    out += esc(chars.slice(pos, h.start).join("")) + '<mark class="' + h.kind + '"' + (h.code ? ' data-code="' + esc(h.code) + '"' : '') + '>' + esc(chars.slice(h.start, h.end).join("")) + "</mark>";
    pos = h.end; }
  return out + esc(chars.slice(pos).join(""));
}
function baseSpans() {
  const rep = current.report;
  return rep.red_flags.filter(f => f.end > f.start).map(f => ({start: f.start, end: f.end, kind: "red_flag", code: f.code}))
    .concat((current.highlights || []).filter(h => h.kind !== "red_flag"));
}
function showText(extra) { $("text").innerHTML = marked(current.text || "", baseSpans().filter(s => !extra.some(e => s.start < e.end && e.start < s.end)).concat(extra)); }
function trailHtml(trail) { return trail.map(t => '<li class="' + (t.event === "override" ? "override" : "") + '">' + esc(t.at.slice(0,19).replace("T"," ")) + ' ' + esc(t.actor) + ': ' + esc(t.event) + ' — ' + esc(t.detail) + '</li>').join(""); }
async function openSel() {
  if (!rows[sel]) { current = null; $("detail").innerHTML = ""; return; }
  current = await api("/v1/referrals/" + rows[sel].id);
  const rep = current.report, row = rows[sel];
  $("detail").innerHTML = '<h2>' + esc(current.external_id) + (current.version > 1 ? ' <small id="version">' + T.version + ' ' + current.version + '</small>' : '')
    + ' <span class="badge ' + current.proposed_action + '">' + esc(decision(row)) + '</span></h2>'
    + '<p>' + T.proposal + ': <strong>' + esc(decision(row)) + '</strong>' + (V.meanings[current.proposed_action] ? ' — ' + esc(V.meanings[current.proposed_action]) : '')
    + ' <span class="note">(' + esc(rep.appropriateness) + '; ' + esc(rep.completeness.grade) + ')</span></p>'
    + (rep.red_flags.length ? '<p class="flag">⚑ ' + rep.red_flags.map(f => esc(V.flags[f.code] || f.code)).join(", ") + '</p>' : '')
    + '<h3>' + T.text + '</h3><pre id="text"></pre><p class="note">' + T.legend + '</p>'
    + '<h3>' + T.findings + '</h3><ul id="findings">' + rep.findings.map((f, i) => '<li data-f="' + i + '"><strong>' + esc(f.rule) + '</strong> ' + esc(f.message) + ' <span class="note">[' + esc(f.citation) + ']</span></li>').join("") + '</ul>'
    + '<button id="confirm" type="button">' + T.confirm + '</button>'
    + '<fieldset><legend>' + T.override + '</legend><select id="decision">' + ACTIONS.map(a => '<option value="' + a + '">' + esc(V.actions[a]) + '</option>').join("") + '</select> '
    + '<label>' + T.reason + ' <input id="reason" size="40"></label> <button id="save" type="button">' + T.save + '</button>'
    + '<div id="override-check" hidden><p>' + T.override_warning + '</p><button id="confirm-override" type="button">' + T.confirm_override + '</button></div>'
    + '<p id="decide-msg" class="error" role="alert"></p></fieldset>'
    + '<h3>' + T.trail + '</h3><ol id="trail">' + trailHtml(current.audit_trail) + '</ol>';
  showText([]);
  document.querySelectorAll("#findings li").forEach(li => li.onclick = () => {
    const f = rep.findings[+li.dataset.f]; const on = !li.classList.contains("on");
    document.querySelectorAll("#findings li").forEach(x => x.classList.remove("on"));
    li.classList.toggle("on", on);
    showText(on ? f.evidence.map(e => ({start: e.start, end: e.end, kind: "evidence"})) : []);
    const m = document.querySelector("#text mark.evidence"); if (m) m.scrollIntoView({block: "nearest"});
  });
  $("confirm").onclick = () => guard(decide(current.proposed_action, null));
  $("save").onclick = () => guard(save(false));
  $("confirm-override").onclick = () => guard(save(true));
}
function urgent() { return current && (current.proposed_action === "escalate" || current.report.appropriateness === "urgent"); }
async function save(confirmed) {
  const d = $("decision").value, reason = $("reason").value.trim();
  if (urgent() && d !== current.proposed_action) {
    if (!reason) { $("decide-msg").textContent = T.reason_needed; $("reason").focus(); return; }
    $("decide-msg").textContent = "";
    if (!confirmed) { $("override-check").hidden = false; $("confirm-override").focus(); return; }
  }
  await decide(d, reason || null);
}
async function decide(d, reason) {
  const id = current.id, ext = current.external_id;
  if (!rows[sel] || rows[sel].id !== id) return;  // the pane and the selection must agree
  try { await api("/v1/referrals/" + id + "/decision", {method: "POST", body: JSON.stringify({decision: d, reason})}); }
  catch (err) { if (err instanceof Expired) throw err; $("decide-msg").textContent = err.message; return; }
  await loadQueue(true);  // the decided referral leaves the queue: the next one is selected and opened
  await openSel();
  $("detail").insertAdjacentHTML("afterbegin", '<p id="saved" role="status">' + T.decided + ' (' + esc(ext) + ')</p>');
}
function fill(id, entries) { $(id).innerHTML = '<option value="">' + T.all + '</option>' + entries.map(([k, v]) => '<option value="' + k + '">' + esc(v) + '</option>').join(""); }
fill("f-action", ["escalate","accept","decline","redirect","return","manual"].map(a => [a, V.actions[a]]));
fill("f-region", Object.entries(V.regions)); fill("f-modality", Object.entries(V.modalities));
for (const id of ["f-action","f-region","f-modality","f-flags","f-since"]) $(id).onchange = () => guard(loadQueue(false).then(openSel));
let typing; $("f-q").oninput = () => { clearTimeout(typing); typing = setTimeout(() => guard(loadQueue(false).then(openSel)), 250); };
$("f-reset").onclick = () => { for (const id of ["f-action","f-region","f-modality","f-flags","f-since","f-q"]) $(id).value = ""; guard(loadQueue(false).then(openSel)); };
$("more").onclick = () => guard(loadMore());
new IntersectionObserver(es => { if (es.some(e => e.isIntersecting)) guard(loadMore()); }).observe($("sentinel"));
document.addEventListener("keydown", (e) => {
  if (["INPUT","TEXTAREA","SELECT"].includes(e.target.tagName) || $("app").hidden) return;
  if (e.key === "j" || e.key === "ArrowDown") { sel = Math.min(sel + 1, rows.length - 1); mark(); e.preventDefault(); }
  else if (e.key === "k" || e.key === "ArrowUp") { sel = Math.max(sel - 1, 0); mark(); e.preventDefault(); }
  else if (e.key === "Enter") guard(openSel());
  else if (e.key === "c" && current) guard(decide(current.proposed_action, null));
  else if (e.key === "o" && current) $("decision").focus();
  else if (e.key === "/") { $("f-q").focus(); e.preventDefault(); }
});
async function start() {
  await loadQueue(false);  // the token is checked before anything of the app shows
  $("login").hidden = true; $("app").hidden = false; $("loginmsg").textContent = "";
  await openSel();
}
$("login").onsubmit = (e) => { e.preventDefault(); token = $("token").value.trim(); sessionStorage.setItem("refcheck-token", token);
  start().catch(err => logout(err instanceof Expired ? T.wrong : err.message)); };
if (token) start().catch(err => logout(err instanceof Expired ? T.expired : err.message)); else $("token").focus();
"""


def worklist_page(lang: str = "nb") -> str:
    lang = lang if lang in TEXT else "nb"
    t = TEXT[lang]
    body = _BODY
    for key in ("title", "help", "token", "login", "queue", "action", "region", "modality", "flags", "all", "yes", "no",
                "since", "search", "reset", "proposal", "exam", "patient", "waited", "empty", "more"):
        body = body.replace(f"__{key.upper()}__", t[key])
    script = _SCRIPT.replace("__TEXT_JSON__", json.dumps(t, ensure_ascii=False)).replace(
        "__VOCAB_JSON__", json.dumps(_vocabulary(lang), ensure_ascii=False))
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{t["title"]}</title>'
            '<link rel="icon" href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{_CSS}</style></head><body>{body}<script>{script}</script></body></html>")
