"""What a person reads, in bokmål, nynorsk, Danish or English: actions, the decision a desk
acts on ("accept as X-ray (MR requested)"), modalities, regions, red flags, labels, and
numbers in Nordic form (decimal comma, thin-space thousands: "5 540 af 30 000")."""
from __future__ import annotations

LANGS = ("nb", "nn", "da", "en")

ACTIONS = {
    "escalate": {"nb": "ESKALER", "nn": "ESKALER", "da": "ESKALÉR", "en": "ESCALATE"},
    "accept": {"nb": "GODTA", "nn": "GODTA", "da": "ACCEPTÉR", "en": "ACCEPT"},
    "decline": {"nb": "AVVIS", "nn": "AVVIS", "da": "AFVIS", "en": "DECLINE"},
    "redirect": {"nb": "OMDIRIGER", "nn": "OMDIRIGER", "da": "OMDIRIGÉR", "en": "REDIRECT"},
    "return": {"nb": "RETURNER", "nn": "RETURNER", "da": "RETURNÉR", "en": "RETURN"},
    "manual": {"nb": "MANUELL", "nn": "MANUELL", "da": "MANUEL", "en": "MANUAL"},
}
#: What each action means for the desk (after the headline word).
ACTION_MEANING = {
    "escalate": {"nb": "øyeblikkelig hjelp", "nn": "øyeblikkeleg hjelp", "da": "akut forløb", "en": "emergency pathway"},
    "accept": {"nb": "", "nn": "", "da": "", "en": ""},
    "decline": {"nb": "bildediagnostikk med lav nytte", "nn": "biletdiagnostikk med låg nytte",
                "da": "billeddiagnostik med lav værdi", "en": "low-value imaging"},
    "redirect": {"nb": "spesialist først", "nn": "spesialist først", "da": "speciallæge først", "en": "specialist first"},
    "return": {"nb": "be henviser om det som mangler", "nn": "be tilvisar om det som manglar",
               "da": "bed henviser om det, der mangler", "en": "ask the referrer for what is missing"},
    "manual": {"nb": "vurderes manuelt", "nn": "blir vurdert manuelt", "da": "vurderes manuelt",
               "en": "outside the guidelines or unsure"},
}
MODALITIES = {
    "MR": {"nb": "MR", "nn": "MR", "da": "MR", "en": "MR"},
    "CT": {"nb": "CT", "nn": "CT", "da": "CT", "en": "CT"},
    "XR": {"nb": "røntgen", "nn": "røntgen", "da": "røntgen", "en": "X-ray"},
    "US": {"nb": "ultralyd", "nn": "ultralyd", "da": "ultralyd", "en": "ultrasound"},
    "DXA": {"nb": "beintetthetsmåling", "nn": "beintettleiksmåling", "da": "knogletæthedsmåling", "en": "bone density"},
    "NM": {"nb": "nukleærmedisin", "nn": "nukleærmedisin", "da": "nuklearmedicin", "en": "nuclear medicine"},
    "other": {"nb": "annen undersøkelse", "nn": "anna undersøking", "da": "anden undersøgelse", "en": "other examination"},
}
REGIONS = {
    "cervical_spine": {"nb": "nakke", "nn": "nakke", "da": "nakke", "en": "neck"},
    "thoracic_spine": {"nb": "brystrygg", "nn": "brystrygg", "da": "brystryg", "en": "thoracic spine"},
    "lumbar_spine": {"nb": "korsrygg", "nn": "korsrygg", "da": "lænd", "en": "low back"},
    "sacroiliac": {"nb": "SI-ledd", "nn": "SI-ledd", "da": "SI-led", "en": "sacroiliac joints"},
    "coccyx": {"nb": "halebein", "nn": "halebein", "da": "haleben", "en": "coccyx"},
    "shoulder": {"nb": "skulder", "nn": "skulder", "da": "skulder", "en": "shoulder"},
    "elbow": {"nb": "albue", "nn": "olboge", "da": "albue", "en": "elbow"},
    "hand_wrist": {"nb": "hånd/håndledd", "nn": "hand/handledd", "da": "hånd/håndled", "en": "hand/wrist"},
    "hip_pelvis": {"nb": "hofte/bekken", "nn": "hofte/bekken", "da": "hofte/bækken", "en": "hip/pelvis"},
    "knee": {"nb": "kne", "nn": "kne", "da": "knæ", "en": "knee"},
    "ankle_foot": {"nb": "ankel/fot", "nn": "ankel/fot", "da": "ankel/fod", "en": "ankle/foot"},
    "bone_density": {"nb": "beintetthet", "nn": "beintettleik", "da": "knogletæthed", "en": "bone density"},
    "other": {"nb": "annet", "nn": "anna", "da": "andet", "en": "other"},
}
RED_FLAGS = {
    "cauda_equina": {"nb": "cauda equina", "nn": "cauda equina", "da": "cauda equina", "en": "cauda equina"},
    "progressive_neuro_deficit": {"nb": "progredierende nevrologiske utfall", "nn": "progredierande nevrologiske utfall",
                                  "da": "progredierende neurologiske udfald", "en": "progressive neurological deficit"},
    "malignancy": {"nb": "kreft", "nn": "kreft", "da": "kræft", "en": "cancer"},
    "weight_loss": {"nb": "vekttap", "nn": "vekttap", "da": "vægttab", "en": "weight loss"},
    "fever_infection": {"nb": "feber/infeksjon", "nn": "feber/infeksjon", "da": "feber/infektion", "en": "fever/infection"},
    "infection_risk": {"nb": "infeksjonsrisiko", "nn": "infeksjonsrisiko", "da": "infektionsrisiko", "en": "infection risk"},
    "steroid_use": {"nb": "steroidbruk", "nn": "steroidbruk", "da": "steroidbrug", "en": "steroid use"},
    "trauma": {"nb": "traume", "nn": "traume", "da": "traume", "en": "trauma"},
    "osteoporosis": {"nb": "osteoporose", "nn": "osteoporose", "da": "osteoporose", "en": "osteoporosis"},
    "night_rest_pain": {"nb": "natte-/hvilesmerter", "nn": "natte-/kvilesmerter", "da": "nat-/hvilesmerter",
                        "en": "night/rest pain"},
    "general_malaise": {"nb": "nedsatt allmenntilstand", "nn": "redusert allmenntilstand", "da": "nedsat almentilstand",
                        "en": "general malaise"},
    "inflammatory_signs": {"nb": "inflammatoriske tegn", "nn": "inflammatoriske teikn", "da": "inflammatoriske tegn",
                           "en": "inflammatory signs"},
    "deformity": {"nb": "deformitet", "nn": "deformitet", "da": "deformitet", "en": "deformity"},
    "age_onset": {"nb": "debutalder", "nn": "debutalder", "da": "debutalder", "en": "age at onset"},
}
COMPONENTS = {
    "history": {"nb": "sykehistorie", "nn": "sjukehistorie", "da": "sygehistorie", "en": "history"},
    "clinical_findings": {"nb": "kliniske funn", "nn": "kliniske funn", "da": "kliniske fund", "en": "clinical findings"},
    "tentative_diagnosis": {"nb": "tentativ diagnose", "nn": "tentativ diagnose", "da": "tentativ diagnose",
                            "en": "tentative diagnosis"},
    "clinical_question": {"nb": "problemstilling", "nn": "problemstilling", "da": "klinisk spørgsmål",
                          "en": "clinical question"},
}
LABELS = {
    "as": {"nb": "som", "nn": "som", "da": "som", "en": "as"},
    "requested": {"nb": "ønsket", "nn": "ønskt", "da": "ønsket", "en": "requested"},
    "exam": {"nb": "undersøkelse", "nn": "undersøking", "da": "undersøgelse", "en": "exam"},
    "patient": {"nb": "pasient", "nn": "pasient", "da": "patient", "en": "patient"},
    "red_flags": {"nb": "røde flagg", "nn": "raude flagg", "da": "røde flag", "en": "red flags"},
    "missing": {"nb": "mangler", "nn": "manglar", "da": "mangler", "en": "missing"},
    "cite": {"nb": "kilde", "nn": "kjelde", "da": "kilde", "en": "cite"},
    "referral": {"nb": "henvisning", "nn": "tilvising", "da": "henvisning", "en": "referral"},
    "completeness": {"nb": "fullstendighet", "nn": "fullstende", "da": "fuldstændighed", "en": "completeness"},
    "guideline": {"nb": "retningslinje", "nn": "retningslinje", "da": "retningslinje", "en": "guideline"},
    "error": {"nb": "feil", "nn": "feil", "da": "fejl", "en": "error"},
    "referrals": {"nb": "henvisninger", "nn": "tilvisingar", "da": "henvisninger", "en": "referrals"},
    "of": {"nb": "av", "nn": "av", "da": "af", "en": "of"},
    "unreadable": {"nb": "uleselige", "nn": "uleselege", "da": "ulæselige", "en": "unreadable"},
}
SEVERITIES = {
    "error": {"nb": "feil", "nn": "feil", "da": "fejl", "en": "error"},
    "warning": {"nb": "advarsel", "nn": "åtvaring", "da": "advarsel", "en": "warning"},
    "info": {"nb": "info", "nn": "info", "da": "info", "en": "info"},
}
LATERALITY = {"left": {"nb": "venstre", "nn": "venstre", "da": "venstre", "en": "left"},
              "right": {"nb": "høyre", "nn": "høgre", "da": "højre", "en": "right"},
              "bilateral": {"nb": "bilateralt", "nn": "bilateralt", "da": "bilateralt", "en": "bilateral"}}
SEX = {"female": {"nb": "kvinne", "nn": "kvinne", "da": "kvinde", "en": "female"},
       "male": {"nb": "mann", "nn": "mann", "da": "mand", "en": "male"}}
AGE = {"nb": "{n} år", "nn": "{n} år", "da": "{n} år", "en": "{n} y"}


def lang_of(lang: str | None) -> str:
    return lang if lang in LANGS else "en"


def word(table: dict, key: str | None, lang: str | None) -> str:
    """``key`` from a table in ``lang`` (the key itself when it has no entry)."""
    if key is None:
        return "?"
    entry = table.get(key)
    return entry[lang_of(lang)] if entry else key


def decision(action: str, recommended: str | None, requested: str | None, lang: str | None) -> str:
    """The decision a desk acts on: "ACCEPT as X-ray (MR requested)", "DECLINE: low-value imaging"."""
    lang = lang_of(lang)
    head = ACTIONS[action][lang]
    if action in ("accept", "escalate") and recommended and requested and recommended != requested:
        return (f"{head} {LABELS['as'][lang]} {word(MODALITIES, recommended, lang)} "
                f"({word(MODALITIES, requested, lang)} {LABELS['requested'][lang]})")
    meaning = ACTION_MEANING[action][lang]
    return f"{head}: {meaning}" if meaning else head


def number(n: float | int, lang: str | None, decimals: int = 0) -> str:
    """A number for people: "5 540" and "0,3" in the Nordic languages (thin space), "5,540" in English."""
    lang = lang_of(lang)
    text = f"{n:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\u2009").replace(".", ",")


def share(count: int, total: int, lang: str | None) -> str:
    """ "5 540 af 30 000" """
    return f"{number(count, lang)} {LABELS['of'][lang_of(lang)]} {number(total, lang)}"
