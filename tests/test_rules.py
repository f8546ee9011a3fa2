"""One realistic referral per catalogue rule, and a near miss that must not trigger it.

Every rule of ``refcheck/rules/catalogue.yaml`` has a row in RULE_CASES:
``(code, trigger_text, near_miss_text, meta)``. The trigger is the kind of referral a
Norwegian (nb/nn) or Danish GP writes for the situation the rule is about; the near miss
is the same referral changed minimally (red flag negated, shorter duration, younger
patient, another suspected condition …) so that the rule no longer applies.

- ``kind: verdict`` rules: the first finding is the deciding verdict rule, so the trigger
  must have ``findings[0].rule == code`` and the near miss must not.
- ``kind: finding`` rules: the code must be among the trigger's findings and not among the
  near miss's.

Every report is validated against the contract's JSON schema. Rows that fail because
refcheck (or a lexicon) misreads the text are marked ``xfail(strict=True)`` with the
reason, so they turn into failures the day the bug is fixed and the mark can go.

The engine's ``when`` operators are tested directly on small fact dicts at the end.
"""
from __future__ import annotations

import re

import pytest

import refcheck
from refcheck.errors import DataError
from refcheck.rules.engine import holds, load_catalogue


def _xfail(code: str, trigger: str, near_miss: str, meta: dict, reason: str):
    return pytest.param(code, trigger, near_miss, meta,
                        marks=pytest.mark.xfail(reason=reason, strict=True), id=code)


# (code, trigger_text, near_miss_text, meta)
RULE_CASES = [
    # ------------------------------------------------------------------ scope
    ("SCOPE-001",
     "Rtg hofte hø. Gutt 11 år, halter og har vondt i høyre hofte siden i går, ingen traume. Afebril. "
     "Spm: Perthes?",
     "Rtg hofte hø. Gutt 17 år, halter og har vondt i høyre hofte siden i går, ingen traume. Afebril. "
     "Spm: Perthes?",
     {}),
    ("SCOPE-002",
     "Skjelettscintigrafi. Kvinne 70 år, operert for brystkreft 2015, nye smerter i bekken og hofter "
     "siste 3 mnd. Spm: skjelettmetastaser?",
     "MR bekken. Kvinne 70 år, operert for brystkreft 2015, nye smerter i bekken og hofter "
     "siste 3 mnd. Spm: skjelettmetastaser?",
     {}),
    ("SCOPE-003",
     "CT caput. Mann 70 år, hodepine og svimmelhet siste 3 uker, nevrologisk us. ua. Spm: blødning?",
     "CT cx. Mann 70 år, nakkesmerter og svimmelhet siste 3 uker, nevrologisk us. ua. Spm: prolaps?",
     {}),
    ("SCOPE-004",
     "Rtg ankel hø. Kvinne 34 år, overtråkk i går, hoven og bankeøm over laterale malleol, klarer ikke "
     "å belaste. Spm: fraktur?",
     "Rtg ankel hø. Kvinne 34 år, overtråkk for 5 uker siden, fortsatt hoven og øm over laterale "
     "malleol, smerter ved belastning. Spm: fraktur?",
     {}),
    # ------------------------------------------------------------------ urgent
    ("URG-001",
     "MR LS-columna ø.hj. Mann 45 år, kjent lumbago, siste døgn nummen i setet og klarer ikke å tømme "
     "blæren. Spm: cauda equina?",
     "MR LS-columna. Mann 45 år, lumbago siste døgn, ikke nummen i setet, normal vannlating. "
     "Spm: prolaps?",
     {}),
    ("URG-002",
           "MR LS-columna. Mann 52 år, isjias venstre ben i 3 uker, nå tiltagende droppfot venstre siste "
           "tre dager. Spm: prolaps?",
           "MR LS-columna. Mann 52 år, isjias venstre ben i 3 uker, lett nedsatt kraft i dorsalfleksjon "
           "venstre, uendret siste uke. Spm: prolaps?",
           {}),
    ("URG-003",
     "Rtg kne hø. Kvinne 67 år, hovent, varmt høyre kne siden i går, feber 39,2. Spm: septisk artritt?",
     "Rtg kne hø. Kvinne 67 år, hovent høyre kne siden i går, afebril. Spm: artrose?",
     {}),
    # ------------------------------------------------------------------ RA
    ("RA-001",
     "Rtg hender og føtter. Kvinne 45 år, hovne MCP-ledd begge hender i 2 mnd, morgenstivhet 2 timer, "
     "anti-CCP positiv. Spm: revmatoid artritt?",
     "Rtg hender. Kvinne 65 år, knortete fingerledd begge hender i 2 år, kort morgenstivhet, "
     "anti-CCP negativ. Spm: artrose?",
     {}),
    # ------------------------------------------------------------------ neck
    ("NO-NECK-001",
     "MR cx. Kvinne 40 år, nakkesleng i bilulykke for 3 uker siden, nå nummenhet og nedsatt kraft i "
     "venstre arm. WAD 3. Spm: skade i columna?",
     "MR cx. Kvinne 40 år, nakkesleng i bilulykke for 3 uker siden, ingen nummenhet, normal kraft i "
     "armene. WAD 2. Spm: skade i columna?",
     {}),
    ("NO-NECK-002",
     "Rtg cx. Kvinne 72 år, nakkesleng i bilulykke for 5 dager siden, stiv og vond nakke, ingen "
     "nevrologiske utfall. WAD 2. Spm: fraktur?",
     "Rtg cx. Kvinne 52 år, nakkesleng i bilulykke for 5 dager siden, stiv og vond nakke, ingen "
     "nevrologiske utfall. WAD 2. Spm: fraktur?",
     {}),
    ("NO-NECK-003",
     "Rtg cx. Mann 34 år, nakkesleng i bilulykke for 1 uke siden, vond og stiv nakke, ingen "
     "nevrologiske utfall. WAD 2. Spm: skade?",
     "Rtg cx. Mann 34 år, nakkesleng i bilulykke for 1 uke siden, vond og stiv nakke, kjent Bekhterev, "
     "ingen nevrologiske utfall. WAD 2. Spm: skade?",
     {}),
    ("NO-NECK-004",
     "MR cx. Kvinne 66 år, operert for lungekreft 2019, økende nakkesmerter og nattesmerter siste 2 mnd. "
     "Nevrologisk us. ua. Spm: metastase?",
     "MR cx. Kvinne 66 år, tidligere frisk, økende nakkesmerter siste 2 mnd, ikke nattesmerter. "
     "Nevrologisk us. ua. Spm: prolaps?",
     {}),
    ("NO-NECK-005",
     "MR cx. Mann 50 år, nakkesmerter med utstråling til høyre arm og tommel i 3 mnd, nedsatt "
     "bicepsrefleks hø., ingen bedring tross fysioterapi. Spm: rotaffeksjon C6?",
     "MR cx. Mann 50 år, nakkesmerter med utstråling til høyre arm og tommel i 3 uker, nedsatt "
     "bicepsrefleks hø., ingen bedring tross fysioterapi. Spm: rotaffeksjon C6?",
     {}),
    ("NO-NECK-006",
     "MR cx. Mann 50 år, nakkesmerter med utstråling til høyre arm og tommel i 3 mnd, nedsatt "
     "bicepsrefleks hø., noe bedre etter fysioterapi. Spm: rotaffeksjon C6?",
     "MR cx. Mann 50 år, nakkesmerter med utstråling til høyre arm og tommel i 3 mnd, nedsatt "
     "bicepsrefleks hø., ingen bedring tross fysioterapi. Spm: rotaffeksjon C6?",
     {}),
    ("NO-NECK-007",
     "MR cx. Kvinne 45 år, nakkesmerter med utstråling til høyre arm, parestesier i tommel. Spm: prolaps?",
     "MR cx. Kvinne 45 år, nakkesmerter med utstråling til høyre arm i 5 mnd, parestesier i tommel. "
     "Spm: prolaps?",
     {}),
    ("NO-NECK-008",
     "Rtg cx. Kvinne 55 år, stiv og vond nakke i 3 mnd, ingen utstråling, nevrologisk us. ua. "
     "Spm: artrose?",
     "Rtg cx. Kvinne 55 år, stiv og vond nakke i 3 mnd med utstråling til venstre arm, nedsatt "
     "tricepsrefleks ve. Spm: artrose?",
     {}),
    # ------------------------------------------------------------------ back
    ("NO-LBP-004",
     "Rtg LS-columna. Kvinne 48 år, kjent osteoporose, akutte ryggsmerter etter hun satte seg hardt ned "
     "for 4 dager siden. Bankeøm over L1. Spm: kompresjonsbrudd?",
     "Rtg LS-columna. Kvinne 48 år, akutte ryggsmerter etter hun satte seg hardt ned for 4 dager siden. "
     "Bankeøm over L1. Spm: kompresjonsbrudd?",
     {}),
    ("NO-LBP-003",
     "MR LS-columna. Kvinne 52 år, operert for brystkreft 2018, tiltagende ryggsmerter siste 3 uker, "
     "verst om natten, gått ned 5 kg. Spm: metastaser?",
     "MR LS-columna. Kvinne 52 år, tidligere frisk, tiltagende ryggsmerter siste 3 uker, ikke "
     "nattesmerter, stabil vekt. Spm: prolaps?",
     {}),
    ("DK-LBP-003",
     "MR af lænden. 58-årig mand, tidligere prostatacancer, tiltagende lænderygsmerter gennem 3 uger, "
     "natlige smerter og vægttab på 6 kg. Spørgsmål: metastaser?",
     "MR af lænden. 58-årig mand, tidligere rask, lænderygsmerter gennem 3 uger, ingen natlige smerter, "
     "intet vægttab. Spørgsmål: diskusprolaps?",
     {}),
    ("NO-LBP-005",
     "Rtg LS-columna. Mann 67 år, korsryggsmerter siste 3 uker, ingen andre røde flagg, nevrologisk us. ua. "
     "Spm: degenerative forandringer?",
     "Rtg LS-columna. Mann 47 år, korsryggsmerter siste 3 uker, ingen andre røde flagg, nevrologisk us. ua. "
     "Spm: degenerative forandringer?",
     {}),
    ("NO-AS-001",
     "MR SI-ledd. Mann 28 år, korsryggsmerter i 1 år, verst om morgenen, bedre ved aktivitet, vekslende "
     "setesmerter. HLA-B27 positiv. Spm: Bekhterev?",
     "MR SI-ledd. Mann 28 år, korsryggsmerter i 1 år, verst om morgenen, bedre ved aktivitet, vekslende "
     "setesmerter. HLA-B27 positiv. Spm: prolaps?",
     {}),
    ("NO-LBP-006",
     "MR LS-columna. Mann 44 år, kjent prolaps L5/S1 fra MR i mars, nå mye bedre etter fysioterapi, "
     "Lasègue neg. Ønsker kontroll-MR.",
     "MR LS-columna. Mann 44 år, kjent prolaps L5/S1 fra MR i mars, nå verre tross fysioterapi, "
     "Lasègue neg. Ønsker kontroll-MR.",
     {}),
    ("DK-LBP-001",
     "MR af lænden. 41-årig kvinde med lænderygsmerter gennem 8 uger, ingen bedring trods fysioterapi. "
     "Ingen udstråling, neurologisk us. ua. Ingen røde flag. Spørgsmål: diskusprolaps?",
     "MR af lænden. 41-årig kvinde med lænderygsmerter gennem 6 måneder, ingen bedring trods fysioterapi. "
     "Ingen udstråling, neurologisk us. ua. Ingen røde flag. Spørgsmål: diskusprolaps?",
     {}),
    ("DK-LBP-002",
     "MR af lænden. 41-årig kvinde med lænderygsmerter. Ingen udstråling, neurologisk us. ua. "
     "Ingen røde flag. Spørgsmål: diskusprolaps?",
     "MR af lænden. 41-årig kvinde med lænderygsmerter gennem 3 uger. Ingen udstråling, neurologisk us. ua. "
     "Ingen røde flag. Spørgsmål: diskusprolaps?",
     {}),
    ("NO-LBP-007",
     "MR LS-columna. Kvinne 36 år, isjias høyre ben i 2 uker, Lasègue pos 50° hø., ingen pareser, noe "
     "bedre med Paracet. Spm: prolaps?",
     "MR LS-columna. Kvinne 36 år, isjias høyre ben i 10 uker, Lasègue pos 50° hø., ingen pareser, "
     "ingen bedring tross fysioterapi. Spm: prolaps?",
     {}),
    ("NO-LBP-008",
     "MR LS-columna. Mann 45 år, korsryggsmerter med utstråling til venstre fot i 10 uker, nedsatt "
     "akillesrefleks ve., ingen bedring tross fysio. Spm: prolaps L5/S1?",
     "MR LS-columna. Mann 45 år, korsryggsmerter med utstråling til venstre fot i 2 uker, nedsatt "
     "akillesrefleks ve., ingen bedring tross fysio. Spm: prolaps L5/S1?",
     {}),
    ("NO-LBP-009",
     "MR LS-columna. Kvinne 36 år, isjias høyre ben, Lasègue pos 40° hø. Spm: prolaps?",
     "MR LS-columna. Kvinne 36 år, isjias høyre ben i 3 uker, Lasègue pos 40° hø. Spm: prolaps?",
     {}),
    ("NO-LBP-001",
     "MR LS-columna. Mann 38 år, korsryggsmerter i 10 dager etter løft. Ingen utstråling, ingen feber, "
     "ikke vekttap. Nevrologisk us. ua. Spm: prolaps?",
     "MR LS-columna. Mann 38 år, korsryggsmerter i 10 uker etter løft. Ingen utstråling, ingen feber, "
     "ikke vekttap. Nevrologisk us. ua. Spm: prolaps?",
     {}),
    ("NO-LBP-010",
     "Rtg LS-columna. Kvinne 45 år, ryggsmerter i 1 år, verre ved ekstensjon og langvarig gange, "
     "nevrologisk us. ua. Spm: spondylolistese?",
     "Rtg LS-columna. Kvinne 45 år, ryggsmerter i 1 år, verre ved ekstensjon og langvarig gange, "
     "nevrologisk us. ua. Spm: prolaps?",
     {}),
    ("NO-LBP-002",  # nynorsk
     "MR LS-columna. Kvinne 50 år, korsryggsmerter i 4 månader, ikkje betring trass fysioterapi og "
     "trening. Nevrologisk us. ua. Spørsmål: prolaps?",
     "MR LS-columna. Kvinne 50 år, korsryggsmerter i 4 månader, litt betre etter fysioterapi og "
     "trening. Nevrologisk us. ua. Spørsmål: prolaps?",
     {}),
    ("NO-LBP-011",
     "MR LS-columna. Ryggsmerter. Prolaps?",
     "MR LS-columna. Ryggsmerter i 3 mnd. Prolaps?",
     {}),
    # ------------------------------------------------------------------ coccyx
    ("NO-COC-001",
     "MR halebein. Kvinne 32 år, halebeinssmerter i 8 måneder etter fødsel, verre ved sitting, "
     "palpasjonsøm over coccyx. Spm: årsak?",
     "MR halebein. Kvinne 32 år, halebeinssmerter i 3 uker etter fødsel, verre ved sitting, "
     "palpasjonsøm over coccyx. Spm: årsak?",
     {}),
    ("NO-COC-002",
     "Rtg coccyx. Kvinne 32 år, vondt i halebeinet i 3 uker etter fødsel, verre ved sitting, "
     "palpasjonsøm over coccyx. Spm: skade?",
     "Rtg coccyx. Kvinne 32 år, vondt i halebeinet i 6 mnd etter fødsel, verre ved sitting, "
     "palpasjonsøm over coccyx. Spm: skade?",
     {}),
    # ------------------------------------------------------------------ shoulder
    ("NO-SHO-006",
     "MR skulder hø. Kvinne 60 år, operert for brystkreft 2017, økende nattesmerter i høyre skulder "
     "siste 2 mnd. Normalt røntgen for 3 uker siden. Spm: metastase?",
     "MR skulder hø. Kvinne 60 år, operert for brystkreft 2017, økende nattesmerter i høyre skulder "
     "siste 2 mnd. Spm: metastase?",
     {}),
    ("NO-SHO-002",
     "Rtg skulder hø. Mann 24 år, gradvis økende smerter i høyre skulder i 2 mnd, våkner av smerter "
     "om natten. Spm: årsak?",
     "Rtg skulder hø. Mann 44 år, gradvis økende smerter i høyre skulder i 2 mnd, våkner av smerter "
     "om natten. Spm: årsak?",
     {}),
    ("NO-SHO-003",
     "UL skulder ve. Mann 64 år, falt på venstre skulder for 3 uker siden, kraftsvikt ved abduksjon og "
     "utadrotasjon. Spm: rotator cuff-ruptur?",
     "UL skulder ve. Mann 64 år, smerter i venstre skulder i 3 mnd, smertefull bue, god kraft ved "
     "abduksjon og utadrotasjon. Spm: impingement?",
     {}),
    ("NO-SHO-001",
     "UL skulder ve. Kvinne 49 år, smerter i venstre skulder i 3 mnd, smertefull bue, god kraft, "
     "fysioterapi har hjulpet litt. Spm: impingement?",
     "UL skulder ve. Kvinne 49 år, smerter i venstre skulder i 3 mnd, smertefull bue, kraftsvikt ved "
     "abduksjon etter fall. Spm: rotator cuff-ruptur?",
     {}),
    ("NO-SHO-004",
     "Rtg skulder ve. Mann 55 år, smerter i venstre skulder i 4 mnd, palpasjonsøm over AC-leddet, "
     "smerter ved horisontal adduksjon. Spm: AC-leddsartrose?",
     "Rtg skulder ve. Mann 55 år, smerter i venstre skulder i 4 mnd, ikke øm over AC-leddet, "
     "smerter ved horisontal adduksjon. Spm: årsak?",
     {}),
    ("NO-SHO-005",
     "Rtg skulder hø. Kvinne 76 år, stiv og vond høyre skulder i et halvt år, nedsatt bevegelighet i "
     "alle retninger. Spm: artrose?",
     "Rtg skulder hø. Kvinne 56 år, stiv og vond høyre skulder i et halvt år, nedsatt bevegelighet i "
     "alle retninger. Spm: artrose?",
     {}),
    # ------------------------------------------------------------------ elbow
    ("NO-ELB-001",
     "MR albue ve. Mann 50 år, voksende kul ved venstre albue i 2 mnd, fast og uøm, ca 3 cm. Spm: sarkom?",
     "MR albue ve. Mann 50 år, myk, fluktuerende hevelse over olecranon i 2 mnd, lett øm. Spm: bursitt?",
     {}),
    ("NO-ELB-002",  # nynorsk
     "Rtg albue hø. Kvinne 45 år, smerter lateralt i høgre albue i 3 månader, palpasjonsøm over "
     "laterale epikondyl. Spørsmål: tennisalbue?",
     "Rtg albue hø. Kvinne 45 år, smerter lateralt i høgre albue i 3 månader, låsingar og redusert "
     "ekstensjon. Spørsmål: fritt legeme?",
     {}),
    ("NO-ELB-003",
     "Rtg albue hø. Mann 58 år, låsninger og redusert ekstensjon i høyre albue i 6 mnd, krepitasjon. "
     "Spm: fritt legeme?",
     "Rtg albue hø. Mann 58 år, smerter i høyre albue i 6 mnd, full bevegelighet, ingen låsninger. "
     "Spm: årsak?",
     {}),
    ("NO-ELB-004",
     "MR albue hø. Mann 42 år, kjente et smell i høyre albue ved løft for 10 dager siden, svak "
     "supinasjon, positiv hook test. Spm: distal bicepsruptur?",
     "MR albue hø. Mann 42 år, smerter i høyre albue ved løft i 3 mnd, normal kraft i supinasjon, "
     "negativ hook test. Spm: årsak?",
     {}),
    # ------------------------------------------------------------------ hand / wrist
    ("NO-HAND-001",
     "Rtg hender. Kvinne 52 år, hovne og ømme fingerledd i begge hender i 3 mnd, morgenstivhet. "
     "Spm: inflammatorisk leddsykdom?",
     "Rtg hender. Kvinne 52 år, hovne og ømme fingerledd i begge hender i 3 mnd, morgenstivhet. "
     "Spm: artrose?",
     {}),
    ("NO-HAND-002",
     "UL håndledd hø. Kvinne 48 år, nattlig nummenhet i tommel til langfinger i 4 mnd, Phalen positiv, "
     "Tinel positiv. Spm: karpaltunnelsyndrom?",
     "UL håndledd hø. Kvinne 48 år, nattlig nummenhet i tommel til langfinger i 4 mnd, Phalen positiv, "
     "Tinel positiv. Spm: årsak?",
     {}),
    ("NO-HAND-003",
     "UL håndledd hø. Kvinne 30 år, fast, glatt kul dorsalt på høyre håndledd i 3 mnd, varierer i "
     "størrelse, ikke øm. Spm: ganglion?",
     "UL håndledd hø. Kvinne 30 år, fast kul dorsalt på høyre håndledd i 3 mnd, voksende, ikke øm. "
     "Spm: sarkom?",
     {}),
    ("NO-HAND-004",
     "Rtg hånd hø. Mann 35 år, fikk glasskår inn i hånden for 2 uker siden, fortsatt øm og hoven i vola. "
     "Spm: fremmedlegeme?",
     "Rtg hånd hø. Mann 35 år, skar seg på kniv i vola for 2 uker siden, fortsatt øm og hoven i vola. "
     "Spm: seneskade?",
     {}),
    ("NO-HAND-005",
     "Rtg håndledd ve. Kvinne 25 år, falt på utstrakt hånd for 4 uker siden, fortsatt øm i tabatière. "
     "Spm: oversett scaphoidfraktur?",
     "Rtg håndledd ve. Kvinne 25 år, falt på utstrakt hånd for 3 dager siden, øm i tabatière. "
     "Spm: scaphoidfraktur?",
     {}),
    # ------------------------------------------------------------------ hip / pelvis
    ("NO-HIP-001",
     "MR bekken. Kvinne 30 år, gravid uke 30, smerter over symfysen og bekkenleddene siste 6 uker. "
     "Spm: bekkenløsning?",
     "MR bekken. Kvinne 30 år, smerter over symfysen og bekkenleddene siste 6 uker, ikke gravid. "
     "Spm: årsak?",
     {}),
    ("NO-HIP-002",
     "MR hofter. Kvinne 48 år, smerter i begge hofter og lysker i 3 mnd, morgenstivhet over 1 time, "
     "SR 45. Spm: revmatisk sykdom?",
     "MR hofter. Kvinne 48 år, smerter i begge hofter og lysker i 3 mnd, morgenstivhet over 1 time, "
     "SR 45. Spm: artrose?",
     {}),
    ("NO-HIP-003",
     "MR hofte hø. Mann 35 år, lyskesmerter i 8 mnd, klikking og låsningsfornemmelse, positiv FADIR. "
     "Spm: labrumskade?",
     "MR hofte hø. Mann 35 år, lyskesmerter i 8 mnd, klikking og låsningsfornemmelse, positiv FADIR. "
     "Spm: artrose?",
     {}),
    ("NO-HIP-004",
     "MR hofte ve. Mann 72 år, kjent prostatakreft, nye hvilesmerter i venstre hofte siste 4 uker. "
     "Spm: metastase?",
     "MR hofte ve. Mann 72 år, tidligere frisk, nye belastningssmerter i venstre hofte siste 4 uker. "
     "Spm: årsak?",
     {}),
    ("NO-HIP-005",
     "MR hofte hø. Kvinne 25 år, løper, økende lyskesmerter ved belastning i 5 uker, smerter ved hopp "
     "på ett ben. Spm: stressfraktur i lårhalsen?",
     "MR hofte hø. Kvinne 25 år, løper, økende lyskesmerter ved belastning i 5 uker, smerter ved hopp "
     "på ett ben. Spm: senebetennelse?",
     {}),
    ("NO-HIP-006",
     "Rtg hofte hø. Kvinne 70 år, kjent koksartrose fra rtg i fjor, uendrede plager. Ønsker kontroll.",
     "Rtg hofte hø. Kvinne 70 år, økende lyskesmerter i 1 år, nedsatt innadrotasjon. Spm: artrose?",
     {}),
    ("NO-KNEE-006",
     "Rtg kne ve. Mann 75 år, kjent gonartrose fra rtg for 2 år siden, ikke aktuell for operasjon. Spm: progresjon?",
     "Rtg kne ve. Mann 75 år, kjent gonartrose fra rtg for 2 år siden, ønsker vurdering for operasjon. Spm: progresjon?",
     {}),
    ("NO-HIP-007",
     "Rtg hofte hø. Kvinne 68 år, lyskesmerter og stivhet i 1 år, nedsatt innadrotasjon. Spm: artrose?",
     "Rtg hofte hø. Kvinne 68 år, lyskesmerter og stivhet i 1 år, nedsatt innadrotasjon. Spm: årsak?",
     {}),
    ("NO-HIP-008",
     "MR hofte ve. Kvinne 55 år, smerter lateralt på venstre hofte i 4 mnd, øm over trochanter major, "
     "vondt å ligge på siden. Spm: bursitt?",
     "MR hofte ve. Kvinne 55 år, smerter lateralt på venstre hofte i 4 mnd, øm over trochanter major, "
     "vondt å ligge på siden. Spm: stressfraktur?",
     {}),
    ("NO-HIP-009",
     "MR hofte hø. Mann 50 år, uklare smerter i høyre hofte i 4 mnd, normal bevegelighet. Spm: årsak?",
     "MR hofte hø. Mann 50 år, uklare smerter i høyre hofte i 4 mnd, normal bevegelighet. Spm: artrose?",
     {}),
    # ------------------------------------------------------------------ knee
    ("NO-KNEE-003",
     "MR kne hø. Mann 45 år, smerter og hevelse medialt i høyre kne i 6 uker. Normalt røntgen for "
     "2 uker siden. Spm: årsak?",
     "MR kne hø. Mann 45 år, smerter og hevelse medialt i høyre kne i 6 uker. Spm: årsak?",
     {}),
    ("NO-KNEE-001",
     "Rtg kne hø. Kvinne 67 år, gradvis økende kneplager over 2 år, krepitasjon og varusfeilstilling. "
     "Spm: artrose? Vurdering av kirurgi.",
     "Rtg kne hø. Kvinne 67 år, gradvis økende kneplager over 2 år, låsninger og hydrops. "
     "Spm: meniskskade? Vurdering av kirurgi.",
     {}),
    ("NO-KNEE-002",  # nynorsk
     "MR kne ve. Mann 28 år, vridde kneet i fotball for 6 veker sidan, låsingar, McMurray positiv. "
     "Spørsmål: meniskskade?",
     "MR kne ve. Mann 28 år, vridde kneet i fotball for 6 veker sidan, ingen låsingar, McMurray negativ. "
     "Spørsmål: årsak?",
     {}),
    ("NO-KNEE-004",
     "MR kne hø. Mann 45 år, smerter og hevelse medialt i høyre kne i 3 mnd. Spm: årsak?",
     "MR kne hø. Mann 45 år, smerter og hevelse medialt i høyre kne i 3 uker. Spm: årsak?",
     {}),
    # ------------------------------------------------------------------ ankle / foot
    ("NO-ANK-002",
     "MR fot hø. Mann 20 år, rekrutt, økende smerter i mellomfoten ved marsj i 3 uker, bankeøm over "
     "2. metatars. Spm: stressfraktur?",
     "MR fot hø. Mann 20 år, rekrutt, økende smerter under hælen ved marsj i 3 uker, øm over "
     "fascieutspringet. Spm: plantar fasciitt?",
     {}),
    ("NO-ANK-001",
     "MR ankel ve. Kvinne 30 år, overtråkk for 3 uker siden, øm over ATFL, stabil ankel, belaster. "
     "Spm: ligamentskade?",
     "MR ankel ve. Kvinne 30 år, overtråkk for 3 uker siden, øm over ATFL, stabil ankel, belaster. "
     "Normalt røntgen. Spm: ligamentskade?",
     {}),
    ("NO-ANK-003",
     "UL ankel hø. Kvinne 40 år, hoven og varm høyre ankel uten traume i 3 uker, ingen feber. "
     "Spm: artritt?",
     "UL ankel hø. Kvinne 40 år, hoven og varm høyre ankel uten traume i 3 uker, feber 38,9. "
     "Spm: artritt?",
     {}),
    ("NO-ANK-004",
     "Rtg ankel hø. Mann 55 år, tidligere ankelbrudd, nå økende belastningssmerter og stivhet i høyre "
     "ankel siste 6 mnd. Spm: artrose?",
     "Rtg ankel hø. Mann 55 år, tidligere ankelbrudd, nå økende belastningssmerter og stivhet i høyre "
     "ankel siste 6 mnd. Spm: årsak?",
     {}),
    ("NO-ANK-005",
           "MR ankel hø. Kvinne 35 år, smerter i ankelen 4 mnd etter overtråkk, hovner opp ved belastning. "
           "Rtg ankel ua. Spm: osteokondral skade?",
           "MR ankel hø. Kvinne 35 år, smerter i ankelen 4 mnd etter overtråkk, hovner opp ved belastning. "
           "Spm: osteokondral skade?",
           {}),
    ("NO-ANK-006",
     "MR fot ve. Kvinne 50 år, smerter i venstre fot i 6 mnd, verst ved gange, øm under MT-hodene. "
     "Spm: årsak?",
     "MR fot ve. Kvinne 50 år, smerter i venstre fot i 6 uker, verst ved gange, øm under MT-hodene. "
     "Spm: årsak?",
     {}),
    # ------------------------------------------------------------------ bone density
    ("NO-OST-001",  # age and sex as structured fields
     "DXA. Kjent osteopeni, målt for 1 år siden, T-score -2,1 i lårhalsen. Bruker alendronat. "
     "Ny måling?",
     "DXA. Kjent osteopeni, målt for 3 år siden, T-score -2,1 i lårhalsen. Bruker alendronat. "
     "Ny måling?",
     {"age": 66, "sex": "female"}),
    ("NO-OST-002",
           "DXA. Kvinne 58 år, menopause ved 42 år, røyker, mor hadde hoftebrudd. Ønsker behandling "
           "dersom osteoporose.",
           "DXA. Kvinne 58 år, menopause ved 52 år, ikke-røyker, ingen brudd i familien. "
           "Spm: beintetthet?",
           {}),
    # ------------------------------------------------------------------ fallback
    ("GEN-009",
     "MR. Kvinne 50 år med smerter og stivhet i 3 mnd. Spm: årsak?",
     "MR LS-columna. Pasienten har korsryggsmerter i 3 mnd, ingen bedring. Takk.",
     {}),
    ("GEN-011",  # U+FFFD: a character lost in decoding
     "MR LS. Kvinne 52 år, korsryggsmerter i 3 uker, ingen n\ufffdttesmerter.",
     "MR LS. Kvinne 52 år, korsryggsmerter i 3 uker, ingen nattesmerter.",
     {}),
    ("GEN-010",
     "CT LS-columna etter pasientens ønske.",
     "CT LS-columna. Korsryggsmerter i 2 uker etter løft.",
     {}),
    # ------------------------------------------------------------------ findings
    ("SAFE-001",
     "MR LS. Kvinne 45 år, korsryggsmerter i 2 uker etter hagearbeid. Har merket noe rart med blæra siste dager.",
     "MR LS. Kvinne 45 år, korsryggsmerter i 2 uker etter hagearbeid. Ingen problemer med blæra.",
     {}),
    ("SAFE-002",
     "MR LS. Mann 44 år med ryggsmerter i 3 uker etter flytting, ingen utstråling. Han har vært slått ut de siste ukene og ligger mye på sofaen.",
     "MR LS. Mann 44 år med ryggsmerter i 3 uker etter flytting, ingen utstråling. Spiser godt og vekten er som før.",
     {}),
    ("GEN-001",
     "MR kne hø. Menisk?",
     "MR kne hø. Vridd kneet for 3 uker siden, låsninger. Menisk?",
     {}),
    ("GEN-002",
     "Rtg LS-columna. Kvinne 50 år, korsryggsmerter i 3 mnd, ingen bedring. Spm: prolaps?",
     "Rtg LS-columna. Kvinne 50 år, korsryggsmerter i 3 mnd, ingen bedring, Lasègue neg. Spm: prolaps?",
     {}),
    ("GEN-003",
     "Rtg skulder hø. Kvinne 55 år, smerter i høyre skulder i 3 mnd, smertefull bue. Spørsmål: årsak?",
     "Rtg skulder hø. Kvinne 55 år, smerter i høyre skulder i 3 mnd, smertefull bue. Spørsmål: impingement?",
     {}),
    ("GEN-004",
     "MR kne hø. Mann 40 år, smerter og hevelse i høyre kne i 2 mnd, hydrops, medial leddlinjeømhet. "
     "Meniskskade.",
     "MR kne hø. Mann 40 år, smerter og hevelse i høyre kne i 2 mnd, hydrops, medial leddlinjeømhet. "
     "Meniskskade?",
     {}),
    ("GEN-005",
     "MR kne hø. Kvinne 67 år, gradvis økende kneplager over 2 år, krepitasjon. Spm: artrose? "
     "Vurdering av kirurgi.",
     "Rtg kne hø. Kvinne 67 år, gradvis økende kneplager over 2 år, krepitasjon. Spm: artrose? "
     "Vurdering av kirurgi.",
     {}),
    ("GEN-006",
     "Billeddiagnostikk av kne hø. Mann 30 år, låsninger etter vridning i fotball for 4 uker siden, "
     "McMurray pos. Spm: meniskskade?",
     "MR av kne hø. Mann 30 år, låsninger etter vridning i fotball for 4 uker siden, McMurray pos. "
     "Spm: meniskskade?",
     {}),
    ("NO-NECK-009",
     "MR cx. Mann 48 år, sprøytemisbruker, tiltagende nakkesmerter i 2 uker, feber 38,5, CRP 90. "
     "Spm: spondylodiskitt?",
     "MR cx. Mann 48 år, tiltagende nakkesmerter i 2 uker, afebril, CRP 3. Spm: prolaps?",
     {}),
    ("GEN-007",
     "MR af knæet. 45-årig mand med aflåsning og smerter i højre knæ gennem 6 uger efter vrid i fodbold. "
     "Spørgsmål: meniskskade?",
     "MR af lænden. 45-årig mand med lænderygsmerter gennem 6 uger efter løft. "
     "Spørgsmål: diskusprolaps?",
     {}),
    # ------------------------------------------------------------------ issue 12: recommendations added
    ("SPINE-001",
     "MR thorakalcolumna. Kvinne 77 år, bruker apixaban etter hjerteklaffoperasjon, fikk akutt intense smerter "
     "midt i ryggen i morges uten traume. Nevrologisk ua. Spm: spinalt hematom?",
     "MR thorakalcolumna. Kvinne 77 år, bruker apixaban etter hjerteklaffoperasjon, fikk akutt intense smerter "
     "midt i ryggen i morges uten traume. Nevrologisk ua. Spm: kompresjonsbrudd?",
     {}),
    ("GEN-012",
     "MR kne begge. Mann 52 år, ingen plager fra knærne, ønsker en sjekk før han begynner med ultraløp.",
     "MR kne begge. Mann 52 år, vondt i begge knær ved løping i 4 mnd, ønsker en sjekk før ultraløp.",
     {}),
    ("GEN-013",
     "CT LS-columna. Mann 68 år med pacemaker som ikke er MR-kompatibel. Operert for nyrekreft 2021, "
     "nå tiltakende ryggsmerter i 5 uker, verst om natten. Spm: skjelettmetastase?",
     "MR LS-columna. Mann 68 år, operert for nyrekreft 2021, nå tiltakende ryggsmerter i 5 uker, "
     "verst om natten. Spm: skjelettmetastase?",
     {}),
    ("GEN-014",
     "Myelografi lumbal. Mann 63 år, isjias venstre ben i 14 uker tross fysioterapi, nedsatt kraft "
     "ved hælgang ve. Spm: prolaps L4/L5?",
     "MR lumbal. Mann 63 år, isjias venstre ben i 14 uker tross fysioterapi, nedsatt kraft "
     "ved hælgang ve. Spm: prolaps L4/L5?",
     {}),
    ("NO-NECK-010",
     "MR nakke. Mann 44 år, lagerarbeider, vondt i nakken i 5 mnd, ikke noe bedre etter fysioterapi og "
     "øvelser. Ingen utstråling, ingen nummenhet. Us: stram muskulatur, nevrologi ua. Spm: årsak?",
     "MR nakke. Mann 44 år, lagerarbeider, vondt i nakken i 3 uker, ikke noe bedre etter fysioterapi og "
     "øvelser. Ingen utstråling, ingen nummenhet. Us: stram muskulatur, nevrologi ua. Spm: årsak?",
     {}),
    ("NO-LBP-012",
     "Rtg thorakolumbalt. Kvinne 46 år, falt av hesten for 5 uker siden, siden smerter i korsryggen "
     "som stråler ned i høyre legg. Us: nedsatt kraft i stortåa hø, bankeøm L1. Spm: fraktur?",
     "Rtg thorakolumbalt. Kvinne 46 år, falt av hesten for 5 uker siden, siden smerter i korsryggen "
     "uten utstråling. Us: nevrologisk ua., bankeøm L1. Spm: fraktur?",
     {}),
    ("NO-LBP-013",
     "MR lumbal. Kvinne 58 år, fusjonsoperert L4-S1 i 2020, nå ny smerte ned i venstre fot i 9 uker, "
     "ikke bedre. Us: positiv Lasègue ve. Spm: nærliggende prolaps?",
     "MR lumbal. Kvinne 58 år, nå ny smerte ned i venstre fot i 9 uker, "
     "ikke bedre. Us: positiv Lasègue ve. Spm: prolaps?",
     {}),
    ("NO-LBP-014",
     "CT lumbal. Mann 39 år, isjias høyre ben i 11 uker tross fysioterapi, nedsatt kraft ved tåhev hø. "
     "Ønsker operasjon. Spm: prolaps L5/S1?",
     "CT lumbal. Mann 39 år, isjias høyre ben i 11 uker tross fysioterapi, nedsatt kraft ved tåhev hø. "
     "Spm: prolaps L5/S1?",
     {}),
    ("NO-LBP-015",
     "MR LS. Kvinne 76 år, i et halvt år verkende legger når hun går, må sette seg etter 300 m, "
     "lettere når hun lener seg over handlevogna. Spm: spinal stenose?",
     "MR LS. Kvinne 76 år, i 3 uker verkende legger når hun går, må sette seg etter 300 m, "
     "lettere når hun lener seg over handlevogna. Spm: spinal stenose?",
     {}),
    ("NO-LBP-016",
     "CT LS-columna. Kvinne 18 år, håndballspiller, korsryggsmerter ved bakoverbøy i 5 mnd. "
     "Us: smerte ved ekstensjon, nevrologi ua. Spm: spondylolyse L5?",
     "CT LS-columna. Kvinne 18 år, håndballspiller, korsryggsmerter ved bakoverbøy i 5 mnd. "
     "Us: smerte ved ekstensjon, nevrologi ua. Spm: muskulært?",
     {}),
    ("NO-LBP-017",
     "MR LS. Kvinne 57 år, langvarige korsryggsmerter, Modic type 2 L4/L5 på MR i fjor. Ønsker ny MR "
     "for å følge forandringene. Ingen utstråling. Spm: progresjon?",
     "MR LS. Kvinne 57 år, langvarige korsryggsmerter, degenerative forandringer L4/L5 på MR i fjor. "
     "Ingen utstråling, ingen bedring siste 3 mnd. Spm: progresjon?",
     {}),
    ("NO-SHO-007",
     "Rtg skulder ve. Mann 52 år, venstre skulder har blitt gradvis verre siden i vår uten at han har "
     "skadet seg. Us: full bevegelighet, smerte ved abduksjon. Spm: årsak?",
     "Rtg skulder ve. Mann 52 år, venstre skulder vond siden i vår etter fall på sykkel. "
     "Us: full bevegelighet, smerte ved abduksjon. Spm: årsak?",
     {}),
    ("NO-HAND-006",
     "MR håndledd ve. Mann 26 år, falt på snowboard for 6 uker siden. Røntgen håndledd var normalt, "
     "fortsatt ømhet i snusdåsen. Spm: okkult scaphoidbrudd?",
     "Rtg håndledd ve. Mann 26 år, falt på snowboard for 6 uker siden, fortsatt ømhet i snusdåsen. "
     "Spm: scaphoidbrudd?",
     {}),
    ("NO-HAND-007",
     "UL finger hø. Kvinne 35 år, fikk en torn i pekefingeren ved stell av rosebed for 1 uke siden, "
     "fortsatt vond og hoven. Spm: gjenværende torn?",
     "Rtg finger hø. Kvinne 35 år, tråkket ikke, men slo hånden mot et glassbord og fikk et glasskår "
     "i pekefingeren for 1 uke siden, fortsatt vond. Spm: glassbit?",
     {}),
    ("NO-HAND-008",
     "MR håndledd hø. Kvinne 47 år, frisør, smerter på ulnarsiden av høyre håndledd i 4 mnd uten skade. "
     "Us: øm distalt for ulna. Spm: TFCC?",
     "MR håndledd hø. Kvinne 47 år, frisør, smerter på radialsiden av høyre håndledd i 4 mnd uten skade. "
     "Us: positiv Finkelstein. Spm: de Quervain?",
     {}),
    ("NO-KNEE-005",
     "MR kne ve. Mann 66 år, vondt medialt i venstre kne i 10 mnd uten skade, ingen låsning. "
     "Spm: degenerativ meniskskade?",
     "MR kne ve. Mann 66 år, vondt medialt i venstre kne i 10 mnd uten skade, kneet låser seg flere "
     "ganger i uka. Spm: degenerativ meniskskade?",
     {}),
    ("NO-OST-003",
     "Beintetthetsmåling. Kvinne 63 år, mor hadde hoftebrudd. Hun ønsker ingen behandling uansett svar. "
     "Spm: osteoporose?",
     "Beintetthetsmåling. Kvinne 63 år, mor hadde hoftebrudd. Hun ønsker behandling dersom målingen "
     "viser osteoporose. Spm: osteoporose?",
     {}),
]


def _code(case) -> str:
    return case.values[0] if hasattr(case, "values") else case[0]


CATALOGUE = load_catalogue()
CATALOGUE_PATH = __import__('refcheck.paths', fromlist=['rules_file']).rules_file()


def _rules(report) -> list[str]:
    return [f.rule for f in report.findings]


@pytest.mark.parametrize("code, trigger, near_miss, meta", RULE_CASES, ids=[_code(c) for c in RULE_CASES])
def test_rule_trigger_and_near_miss(code, trigger, near_miss, meta, validate):
    rule = CATALOGUE.get(code)
    assert rule is not None, f"{code} is not in the catalogue"

    hit = refcheck.check(trigger, id=f"{code}-trigger", **meta)
    validate(hit.to_dict())
    assert not hit.errors, hit.errors
    miss = refcheck.check(near_miss, id=f"{code}-near-miss", **meta)
    validate(miss.to_dict())
    assert not miss.errors, miss.errors

    if rule.kind == "verdict":
        assert hit.findings[0].rule == code, f"trigger decided by {_rules(hit)}"
        assert hit.appropriateness == rule.appropriateness
        assert miss.findings[0].rule != code, f"near miss decided by {_rules(miss)}"
    else:
        assert code in _rules(hit), f"trigger findings {_rules(hit)}"
        assert code not in _rules(miss), f"near miss findings {_rules(miss)}"


# Precedence and reading fixes of issue 12, in our own wording: (text, deciding rule,
# appropriateness, recommended modality, action, words the deciding citation must hold).
PRECEDENCE_CASES = [
    # red flags decide before the pregnancy rule (a decline here was a safety bug)
    ("MR bekken. Kvinne 33 år, født for 10 uker siden, behandlet for lymfom 2019, nå vondt i venstre "
     "hofte også om natten i 3 uker. Spm: residiv?", "NO-HIP-004", "indicated", "MR", "accept", "IS-1899"),
    # coccyx pain after a fall is a clinical diagnosis; a known cancer still images
    ("Rtg os coccygis. Mann 29 år, datt på rumpa på skøyter for 5 uker siden, vondt å sitte. "
     "Us: øm halebein. Spm: coccydyni?", "NO-COC-002", "low_value", None, "decline", "IS-1899 Bekken og hofte"),
    ("MR os coccygis. Kvinne 61 år, kjent myelomatose, vondt i halebeinet i 3 uker. Spm: myelomlesjon?",
     "NO-LBP-003", "indicated", "MR", "accept", "Korsryggsmerter 2007"),
    # WAD 1-2 with skeletal disease: X-ray (RA and osteoporosis do not send it elsewhere)
    ("Rtg nakke. Kvinne 57 år med revmatoid artritt, påkjørt bakfra for 4 dager siden, nakkesmerter. "
     "Us: redusert bevegelighet, nevrologisk ua. Spm: instabilitet?", "NO-NECK-002", "indicated", "XR", "accept", None),
    ("Rtg nakke. Kvinne 60 år med kjent osteoporose, nakkesleng i trafikkuhell for 1 uke siden. "
     "Us: nevrologisk ua. Spm: fraktur?", "NO-NECK-002", "indicated", "XR", "accept", None),
    # normal reflexes in a whiplash are not a WAD 3 deficit
    ("Rtg nakke. Mann 70 år, nakkesleng i bilkollisjon for 6 dager siden, stiv og vond nakke. "
     "Us: kraft, sensibilitet og reflekser normale. Spm: fraktur?", "NO-NECK-002", "indicated", "XR", "accept", None),
    # septic arthritis in any joint, the wrist too
    ("Rtg håndledd ve. Kvinne 71 år, rødt, hovent og varmt håndledd siden i går, temp 38,9. "
     "Spm: septisk artritt?", "URG-003", "urgent", None, "escalate", None),
    # Danish PICO 4 covers the SI region, not post-operative pain
    ("Henvisning til MR af SI-leddene. 31-årig kvinde, smerter over højre SI-led gennem 5 uger uden "
     "udløsende årsag, ingen røde flag. Spørgsmål: årsag til smerterne?", "DK-LBP-001", "low_value", None, "decline",
     "NKR lænderyg"),
    ("Henvisning til MR af lænden. 47-årig mand, opereret for diskusprolaps L5/S1 i 2021, nu igen "
     "lænderygsmerter gennem 7 uger uden bedring. Obj.: neurologisk normal. Spørgsmål: recidiv?",
     "NO-LBP-013", "indicated", "MR", "accept", "tidligere rygoperation"),
    # a Danish fracture suspicion judged by the Norwegian X-ray rule says why, in Danish
    ("Henvisning til røntgen af lænden. 44-årig mand, faldt ned fra et tag for 5 uger siden, siden "
     "lænderygsmerter. Obj.: banketøm over L2, neurologisk normal. Spørgsmål: fraktur?",
     "NO-LBP-004", "indicated", "XR", "accept", "angiver ikke modaliteten"),
    # a Danish thoracic referral is outside the Danish sources: its red flags still decide
    ("MR af thorakalcolumna. 53-årig mand. 2 uger med smerter i brystryggen, tidligere brystkræft. "
     "Spørgsmål: metastaser?", "NO-LBP-003", "indicated", "MR", "accept", "regionen er ikke dækket"),
    # a wish for a picture "to be safe" is not a check-up without complaints
    ("Rtg LS. Mann 37 år, vondt i ryggen etter flytting, ønsker bilde for sikkerhets skyld.",
     "NO-LBP-011", "uncertain", None, "return", None),
    # red flags: MR; a requested CT is a mismatch unless MR is contraindicated
    ("CT LS-columna. Kvinne 66 år, kjent brystkreft, nye ryggsmerter i 4 uker, verst om natten. "
     "Spm: metastaser?", "NO-LBP-003", "indicated", "MR", "accept", None),
    # the trauma of a neck whiplash is the WAD rules' business; in a back referral it stays a flag
    ("Rtg LS-columna. Mann 50 år, nakkesleng og vondt i korsryggen etter bilkollisjon for 5 uker siden. "
     "Us: bankeøm L1. Spm: fraktur?", "NO-LBP-004", "indicated", "XR", "accept", None),
    # Modic changes seen before do not change the rules: only a request to follow them is declined
    ("MR LS. Mann 45 år, ryggsmerter i 4 mnd uten bedring, MR for 2 år siden viste Modic type 1. "
     "Spm: prolaps?", "NO-LBP-002", "indicated", "MR", "accept", None),
    # a cervical emergency cites the neck section; a Danish cauda equina the Danish sources
    ("MR cx-columna. Kvinne 66 år, siste 2 uker tiltagende kraftsvikt i begge hender og ustø gange. "
     "Spm: myelopati?", "URG-002", "urgent", "MR", "escalate", "IS-1899 Nakke"),
    ("Akut MR af lænden. 41-årig mand, siden i går følelsesløs i skridtet og kan ikke lade vandet. "
     "Spørgsmål: cauda equina?", "URG-001", "urgent", "MR", "escalate", "NKR lænderyg, Tabel 1"),
    # a morning stiffness of minutes is neither a red flag nor an unresolved alarm
    ("MR LS-columna. Mann 41 år, vondt i korsryggen i 2 uker etter flytting, morgenstivhet 15 min. "
     "Us: nevrologisk ua. Spm: prolaps?", "NO-LBP-001", "low_value", None, "decline", None),
    # night numbness in a carpal tunnel referral is the diagnosis, not an alarm
    ("UL håndledd hø. Kvinne 51 år, vekkes av nummenhet i fingrene om natten, nattlig prikking i 4 mnd. "
     "Us: positiv Tinel. Spm: karpaltunnelsyndrom?", "NO-HAND-002", "low_value", None, "decline", None),
]


@pytest.mark.parametrize("text, rule, appropriateness, recommended, action, cites", PRECEDENCE_CASES,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(PRECEDENCE_CASES)])
def test_precedence_and_citations(text, rule, appropriateness, recommended, action, cites, validate):
    report = refcheck.check(text)
    d = validate(report.to_dict())
    assert (report.findings[0].rule, report.appropriateness, report.recommended_modality, report.action) == (
        rule, appropriateness, recommended, action), _rules(report)
    first = d["findings"][0]
    assert not re.match(r"^00[0-3] ", first["citation"]) and first["source"]  # named, with the source id beside
    if cites:
        assert cites in first["citation"], first["citation"]


def test_mr_contraindication_makes_ct_the_recommendation():
    with_pacemaker = refcheck.check("CT LS-columna. Mann 74 år, har pacemaker, tidligere prostatakreft, "
                                    "nye ryggsmerter i 3 uker. Spm: skjelettmetastaser?")
    codes = _rules(with_pacemaker)
    assert with_pacemaker.recommended_modality == "CT" and "GEN-013" in codes and "GEN-005" not in codes
    checklist_no = refcheck.check("CT LS-columna. Mann 74 år, tidligere prostatakreft, nye ryggsmerter i 3 uker. "
                                  "Pacemaker: nei. Spm: skjelettmetastaser?")
    assert checklist_no.recommended_modality == "MR" and "GEN-005" in _rules(checklist_no)


def test_citations_are_named_as_clinicians_name_them():
    from refcheck.rules.citations import display, fallback

    assert display("000 Skulder (AC-leddet)") == "IS-1899 Skulder (AC-leddet)"
    assert display("IS-1899 Rygg; 001 §6.3.3 (g)") == "IS-1899 Rygg; Korsryggsmerter 2007 §6.3.3 (g)"
    assert display("002 Anbefaling 1; 003 Tabel 1 (røde flag)") == "Vælg Klogt, anbefaling 1; NKR lænderyg, Tabel 1 (røde flag)"
    assert display("003 PICO 4") == "NKR lænderyg, PICO 4"
    assert "12 uger" in fallback("long", "da") and "12 uker" in fallback("long", "nb") and "weeks" in fallback("long", "en")
    for rule in CATALOGUE.rules:  # every source id the catalogue uses has a name
        for part in [rule.citation, *(c for _, _, c in rule.citations)]:
            shown = display(part)
            assert not re.search(r"(^|; )00[0-3] ", shown), (rule.code, shown)


def test_a_citation_key_must_name_a_region_or_guideline(tmp_path):
    import yaml

    raw = yaml.safe_load(open(CATALOGUE_PATH, encoding="utf-8"))
    rule = next(r for r in raw["rules"] if r["code"] == "URG-002")
    rule["citations"] = {"age:70": "000 Nakke"}
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"families": raw["families"], "rules": [rule]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match="RC613"):
        load_catalogue(str(path))


def test_every_catalogue_rule_has_a_case():
    codes = [_code(c) for c in RULE_CASES]
    catalogue_codes = {r.code for r in CATALOGUE.rules}
    assert not catalogue_codes - set(codes), f"rules without a test case: {sorted(catalogue_codes - set(codes))}"
    assert not set(codes) - catalogue_codes, f"cases for unknown rules: {sorted(set(codes) - catalogue_codes)}"
    assert len(codes) == len(set(codes)), "one case per rule"
    assert {r.kind for r in CATALOGUE.rules} == {"verdict", "finding"}


# ---------------------------------------------------------------------- engine operators

def test_equality_and_empty_when():
    assert holds({}, {})
    assert holds({"region": "knee"}, {"region": "knee"})
    assert not holds({"region": "knee"}, {"region": "shoulder"})
    assert holds({"whiplash": True, "radicular": False}, {"whiplash": True, "radicular": False})
    assert not holds({"whiplash": True, "radicular": False}, {"whiplash": True, "radicular": True})


def test_lt():
    assert holds({"age": {"lt": 16}}, {"age": 11})
    assert not holds({"age": {"lt": 16}}, {"age": 16})
    assert not holds({"age": {"lt": 16}}, {"age": None})


def test_gte():
    assert holds({"weeks": {"gte": 6}}, {"weeks": 6})
    assert holds({"weeks": {"gte": 6}}, {"weeks": 10.0})
    assert not holds({"weeks": {"gte": 6}}, {"weeks": 5.9})
    assert not holds({"weeks": {"gte": 6}}, {"weeks": None})


def test_gt_lte_range():
    when = {"weeks": {"gt": 2, "lte": 12}}
    assert holds(when, {"weeks": 12})
    assert not holds(when, {"weeks": 2})
    assert not holds(when, {"weeks": 12.1})


def test_in_and_not_in():
    back = {"region": {"in": ["lumbar_spine", "thoracic_spine"]}}
    assert holds(back, {"region": "lumbar_spine"})
    assert not holds(back, {"region": "knee"})
    assert not holds(back, {"region": None})
    not_back = {"region": {"not_in": ["lumbar_spine"]}}
    assert holds(not_back, {"region": "knee"})
    assert holds(not_back, {"region": None})
    assert not holds(not_back, {"region": "lumbar_spine"})


def test_is_null():
    assert holds({"weeks": {"is_null": True}}, {"weeks": None})
    assert not holds({"weeks": {"is_null": True}}, {"weeks": 0.0})
    assert holds({"weeks": {"is_null": False}}, {"weeks": 0.0})
    assert not holds({"weeks": {"is_null": False}}, {"weeks": None})


def test_ne():
    when = {"improving": {"ne": True}}
    assert holds(when, {"improving": False})
    assert holds(when, {"improving": None})  # null passes ne
    assert not holds(when, {"improving": True})


def test_any_and_none():
    assert holds({"flags": {"any": ["cauda_equina", "trauma"]}}, {"flags": {"trauma", "osteoporosis"}})
    assert not holds({"flags": {"any": ["cauda_equina"]}}, {"flags": {"trauma"}})
    assert not holds({"flags": {"any": ["cauda_equina"]}}, {"flags": set()})
    assert not holds({"flags": {"any": ["cauda_equina"]}}, {"flags": None})
    assert holds({"intents": {"none": ["xray_negative"]}}, {"intents": {"follow_up"}})
    assert holds({"intents": {"none": ["xray_negative"]}}, {"intents": set()})
    assert not holds({"intents": {"none": ["xray_negative"]}}, {"intents": {"xray_negative", "follow_up"}})


def test_only():
    only = {"flags": {"only": ["trauma", "osteoporosis"]}}
    assert holds(only, {"flags": {"trauma"}})
    assert holds(only, {"flags": {"trauma", "osteoporosis"}})
    assert holds(only, {"flags": set()})  # the empty set is a subset
    assert not holds(only, {"flags": {"trauma", "malignancy"}})
    only_nonempty = {"flags": {"only": ["age_onset"], "nonempty": True}}
    assert holds(only_nonempty, {"flags": {"age_onset"}})
    assert not holds(only_nonempty, {"flags": set()})
    assert not holds(only_nonempty, {"flags": {"age_onset", "trauma"}})


def test_empty_and_nonempty():
    assert holds({"serious_flags": {"empty": True}}, {"serious_flags": set()})
    assert holds({"serious_flags": {"empty": True}}, {"serious_flags": None})
    assert not holds({"serious_flags": {"empty": True}}, {"serious_flags": {"malignancy"}})
    assert holds({"serious_flags": {"nonempty": True}}, {"serious_flags": {"malignancy"}})
    assert not holds({"serious_flags": {"nonempty": True}}, {"serious_flags": set()})
    assert holds({"serious_flags": {"empty": False}}, {"serious_flags": {"malignancy"}})
    assert holds({"serious_flags": {"nonempty": False}}, {"serious_flags": set()})


def test_any_of():
    when = {"region": "shoulder",
            "any_of": [{"conditions": {"any": ["rotator_cuff_tear"]}},
                       {"signs": {"any": ["paresis"]}, "age": {"gt": 60}}]}
    base = {"region": "shoulder", "conditions": set(), "signs": {"paresis"}, "age": 64}
    assert holds(when, base)
    assert not holds(when, {**base, "age": 40})
    assert holds(when, {**base, "age": 40, "conditions": {"rotator_cuff_tear"}})
    assert not holds(when, {**base, "region": "knee"})
    assert not holds({"any_of": []}, base)


def test_not():
    when = {"region": "knee", "not": {"intents": {"any": ["xray_negative"]}}}
    assert holds(when, {"region": "knee", "intents": {"follow_up"}})
    assert not holds(when, {"region": "knee", "intents": {"xray_negative"}})
    assert holds({"not": {"age": {"lt": 16}}}, {"age": 40})
    assert not holds({"not": {"age": {"lt": 16}}}, {"age": 11})


def test_unknown_fact_raises_data_error():
    with pytest.raises(DataError, match="RC609"):
        holds({"no_such_fact": True}, {"age": 40})
    with pytest.raises(DataError):  # also when nested
        holds({"any_of": [{"no_such_fact": {"gte": 1}}]}, {"age": 40})


def test_unknown_operator_raises_data_error():
    with pytest.raises(DataError, match="RC610"):
        holds({"age": {"between": [1, 2]}}, {"age": 40})



def _catalogue_with(tmp_path, old: str, new: str):
    from refcheck.paths import rules_file

    text = rules_file().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "catalogue.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


def _rule_code_before(path: str, marker: str) -> str:
    text = open(path, encoding="utf-8").read()
    return re.findall(r"- code: (\S+)", text[:text.index(marker)])[-1]


def test_misspelt_fact_fails_at_load_naming_the_rule(tmp_path):
    path = _catalogue_with(tmp_path, "symptom_weeks: {gte: 6}", "symptom_week: {gte: 6}")
    code = _rule_code_before(path, "symptom_week: {gte: 6}")
    with pytest.raises(DataError, match=rf"RC609.*{code}.*'symptom_week'"):
        load_catalogue(path)


def test_unknown_operator_fails_at_load_naming_the_rule(tmp_path):
    path = _catalogue_with(tmp_path, "{age: {lt: 16}}", "{age: {below: 16}}")
    with pytest.raises(DataError, match=r"RC610.*SCOPE-001"):
        load_catalogue(path)


def test_verdict_rules_cannot_read_the_verdict(tmp_path):
    path = _catalogue_with(tmp_path, "{age: {lt: 16}}", "{age: {lt: 16}, modality_mismatch: true}")
    with pytest.raises(DataError, match=r"RC609.*SCOPE-001.*'modality_mismatch'"):
        load_catalogue(path)


def test_catalogue_reads_the_facts_by_their_own_names():
    from refcheck.facts import FACT_NAMES
    from refcheck.rules.engine import VERDICT_FACTS

    def names(when):
        for key, test in when.items():
            if key == "any_of":
                for sub in test:
                    yield from names(sub)
            elif key == "not":
                yield from names(test)
            else:
                yield key

    used = {n for rule in CATALOGUE.rules for n in names(rule.when)}
    assert used <= FACT_NAMES | VERDICT_FACTS
    assert {"symptom_weeks", "flag_codes", "serious_flags", "whiplash"} <= used
