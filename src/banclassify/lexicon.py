"""Every word list the rules read, in one place.

Cue families of the normaliser, technology and actor terms and the time words
of the attribute finder, the abbreviations of the sentence splitter, and the
English word list that repairs hyphenation: changing what a rule recognises
means changing this file. Plain data, no imports beyond the standard library,
so that every stage can read it cheaply.
"""

from __future__ import annotations

import bisect
from functools import lru_cache

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
# Lower-cased month names and abbreviations -> month number.
MONTH_NUMBERS: dict[str, int] = {
    **{name: number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
MONTH_ABBREVIATIONS = frozenset(MONTH_NUMBERS) - set(MONTH_NAMES)
# Lower-cased units of time -> their length in months.
TIME_UNITS = {"day": 1 / 30, "days": 1 / 30, "week": 7 / 30, "weeks": 7 / 30, "month": 1, "months": 1, "year": 12, "years": 12}
SECTION_SIGNS = frozenset(["§", "§§"])
SECTION_WORDS = frozenset(["sec", "sec.", "section", "sections", "article", "art", "art."])
NO_WORDS = frozenset(["no", "neither"])
MODAL_WORDS = frozenset(["shall", "may", "will", "must"])

# Stock stop-word lists drop these, but they decide labels: "shall not", "until",
# "unless", "without consent", "only real-time", "except", "before acquiring".
KEPT_STOP_WORDS = frozenset(
    "not no nor without until unless only except before after shall may must never "
    "neither cannot during while within against n't".split()
)

# Cue families found by Matcher patterns. A clause's label often hangs on how
# cues combine ("shall not" with "until" is a moratorium, with "live" a real-time
# ban, with "consent" a consent rule), which n-grams alone capture poorly, so
# the normaliser emits each cue and each pair of cues as extra tokens.
# A trailing "*" matches any word starting with what precedes it.
CUE_PHRASES: dict[str, list[str]] = {
    "prohibit": [
        "shall not", "may not", "must not", "will not", "cannot", "can not", "shall never", "prohibit*", "unlawful",
        "not be permitted", "not permitted", "not authorized", "not authorised", "forbid*", "ban", "bans", "banned",
        "barred", "bar", "refrain", "no longer", "not be used", "not use", "not acquire", "not deploy", "is not allowed",
    ],
    "temporary": [
        "until", "pending", "for a period", "expire*", "sunset", "moratori*", "suspend*", "pause*", "halt*",
        "temporar*", "interim", "no earlier than", "not before", "through", "repealed on", "while the",
    ],
    "realtime": [
        "real-time", "real time", "realtime", "live", "streaming", "stream", "streams", "continuous*", "ongoing",
        "contemporaneous*", "as it happens", "as events unfold", "simultaneous*", "instant*", "immediate identification",
        "at the time of capture", "while it is being", "in progress", "persistent",
    ],
    "consent": [
        "consent*", "written release", "release", "opt in", "opt-in", "opts in", "agree*", "notice", "notif*",
        "inform*", "acknowledg*", "signage", "sign", "permission",
    ],
    "condition": [
        "unless", "except", "without", "prior to", "before", "approv*", "authoriz*", "authoris*", "warrant*",
        "court order", "subject to", "provided that", "only if", "only after", "only when",
    ],
    "governance": [
        "report*", "audit*", "policy", "policies", "hearing", "oversight", "retain*", "retention", "delete*",
        "destroy*", "train*", "review*", "accuracy", "bias", "log", "logs", "impact", "assessment", "disclose*", "share*",
    ],
    "definition": ["means", "mean", "refers to", "is defined", "includes", "definition*", "as used in", "has the meaning"],
    "recital": ["whereas", "finds", "finding*", "purpose", "intent", "be it", "now, therefore", "recogniz*", "declares"],
    "remedy": [
        "penalt*", "fine", "fined", "misdemeanor", "violat*", "damages", "cause of action", "suppress*",
        "admissible", "inadmissible", "evidence", "injunct*", "relief", "liable", "civil action", "disciplin*", "sanction*",
    ],
    "enactment": [
        "severab*", "effective", "take effect", "takes effect", "invalid", "unconstitutional", "adopted", "passed",
        "enacted", "ordain*", "construed", "nothing in this",
    ],
    "legislature": ["statute", "legislature", "general assembly", "general court", "congress", "parliament", "enacts", "enact"],
    "mandate": ["shall use", "shall install", "shall equip", "shall deploy", "shall purchase", "is directed to", "shall acquire"],
    # Words that make a sentence a rule; a clause without any is a statement of fact,
    # a title or a recital ("No department uses face recognition today").
    "deontic": [
        "shall", "must", "may", "will not", "is prohibited", "are prohibited", "prohibited", "unlawful", "is required",
        "are required", "required to", "is not permitted", "is permitted", "is authorized", "is authorised", "is suspended",
        "are suspended", "is hereby", "are hereby", "needs to", "has to", "cannot", "can not", "not allowed",
        # Motions and resolutions rule in the subjunctive: "AND THAT cameras be set up so that...",
        # "That Council: (a) does not install ...", "resolves that", "directs staff to".
        "resolves", "resolved", "and that", "that council", "that the council", "directs", "instructs", "orders",
        "ordered", "be set up", "be required", "be prohibited", "be configured", "not be", "is not to", "are not to",
    ],
    # The subject matter: a rule that touches none of this is about something else (LABELS.md: none).
    "surveil": [
        "surveil*", "face", "faces", "facial", "faceprint*", "biometric*", "fingerprint*", "iris", "retina*", "voiceprint*",
        "gait", "recognition", "camera*", "cctv", "video*", "footage", "drone*", "unmanned", "plate reader*", "plate readers",
        "alpr", "alprs", "anpr", "license plate*", "licence plate*", "cell-site", "cell site", "imsi", "stingray*",
        "predictive policing", "gunshot", "shotspotter", "social media", "geolocat*", "geofenc*", "wiretap*", "body-worn",
        "bodycam*", "watchlist*", "emotion*", "palm", "thumbprint*", "voice recognition", "live feed", "real-time",
        "tracking device", "location data", "location tracking", "artificial intelligence",
    ],
    # A question asks about a rule rather than making one: audit checklists, study-session questions.
    "question": ["?"],
    "private": ["business*", "employer*", "store*", "retail*", "landlord*", "private entit*", "merchant*", "vendor*", "company", "companies"],
}



# The attribute finder's terms (attributes.py).
TECHNOLOGY_TERMS: dict[str, list[str]] = {
    "face_recognition": [
        "face recognition", "facial recognition", "face surveillance", "face identification", "facial identification",
        "face matching", "face-matching", "face match", "face scanning", "face scan", "face scans", "faceprint", "faceprints",
        "face print", "face-based", "facial analysis", "face search", "face searches", "face comparison", "facial comparison",
        "facial template", "facial templates", "face template", "face templates", "facial image template", "frt",
        "by their faces", "by their face", "by face", "by the face", "by his or her face", "faces of", "facial features",
        "face biometrics", "facial biometrics", "facial geometry", "face geometry", "face-scanning", "face data",
        "live facial recognition", "facial-recognition", "face-recognition", "recognise faces", "recognize faces",
        "face-search", "from their faces", "their faces", "identifies faces", "identify faces", "facial verification",
        "face verification", "facial scanning", "facial scans", "facial scan", "face recognition technology",
    ],
    "biometric_surveillance": [
        "biometric", "biometrics", "fingerprint", "fingerprints", "finger print", "iris", "irises", "retina", "retinal",
        "voiceprint", "voiceprints", "voice print", "voice recognition", "voice identification", "gait", "palm print",
        "palm prints", "palm vein", "palm scanner", "palm scanners", "hand geometry", "heartbeat", "keystroke dynamics",
        "thumbprint", "thumbprints", "vein pattern",
    ],
    "surveillance_technology": [
        "surveillance technology", "surveillance technologies", "surveillance equipment", "surveillance tool",
        "surveillance tools", "surveillance device", "surveillance devices", "surveillance capability", "surveillance capabilities",
    ],
    "predictive_policing": [
        "predictive policing", "crime forecasting", "crime prediction", "predict crime", "predicts crime", "forecast crime",
        "predictive crime", "crime-prediction", "predictive analytics", "predictive algorithm", "predictive algorithms",
        "hot spot prediction", "risk-terrain", "predictive software", "predict where crime", "predict who",
        "forecasts where", "forecast where", "risk scores", "risk score", "likely to commit", "committing a criminal offence",
        "committing a criminal offense", "predicts where", "predicts who", "crimes will occur", "person-based risk",
    ],
    "alpr": [
        "license plate reader", "license plate readers", "licence plate reader", "licence plate readers", "plate reader",
        "plate readers", "license-plate reader", "license-plate readers", "alpr", "alprs", "anpr", "lpr", "lprs",
        "number plate recognition", "plate recognition", "license plate recognition", "licence plate recognition",
        "plate-reading", "plate scanner", "plate scanners", "plate-reader", "plate data",
    ],
    "drones": [
        "drone", "drones", "unmanned aircraft", "unmanned aerial", "uas", "uav", "uavs", "remotely piloted aircraft",
        "rpas", "unmanned aircraft system", "unmanned aircraft systems", "remotely piloted",
    ],
    "cell_site_simulators": [
        "cell-site simulator", "cell-site simulators", "cell site simulator", "cell site simulators", "imsi catcher",
        "imsi catchers", "imsi-catcher", "imsi-catchers", "stingray", "stingrays", "cell-site simulation", "dirtbox",
    ],
    "social_media_monitoring": [
        "social media monitoring", "social media", "social-media", "social networking", "online activity monitoring",
        "social media accounts", "monitor social media", "social media surveillance",
    ],
    "gunshot_detection": [
        "gunshot detection", "gunshot-detection", "shotspotter", "gunfire detection", "acoustic gunshot",
        "gunshot sensors", "gunshot sensor", "acoustic sensors", "acoustic sensor", "gunshot location",
    ],
    "body_worn_cameras": [
        "body-worn camera", "body-worn cameras", "body worn camera", "body worn cameras", "body camera", "body cameras",
        "body-camera", "bodycam", "bodycams", "bwc", "bwcs", "officer-worn camera", "wearable camera", "wearable cameras",
        "body-worn video", "body worn video", "body cam", "body cams",
    ],
    "other": [
        "cctv", "emotion recognition", "emotion detection", "geofence", "geofences", "geofencing", "affect recognition",
        "video analytics", "camera analytics", "thermal imaging", "smart glasses", "people-counting", "object tracking",
        "audio recording", "keyword spotting", "location data", "camera", "cameras", "video surveillance",
        "emotional state", "emotion analysis", "emotions", "geolocation", "traffic cameras",
    ],
}

ACTOR_TERMS: dict[str, list[str]] = {
    "government": [
        "city", "county", "town", "village", "borough", "municipality", "municipal", "department", "departments",
        "city department", "county department", "agency", "agencies", "official", "officials", "employee", "employees",
        "federal agency", "federal agencies", "federal official", "federal officials", "council", "city council", "board",
        "public body", "public bodies", "public authority", "public authorities", "public sector agency", "public agency",
        "government", "local authority", "local authorities", "member states", "member state", "commissioner", "mayor",
        "city agency", "county agency", "city official", "county official", "administration", "office", "public entity",
        "governmental entity", "authority", "the authority", "executive agency", "executive agencies", "county government",
        "commission", "port commission", "airport commission", "transit district", "water district", "special district",
        "port district", "transit authority", "port authority", "airport authority", "township", "parish", "public service",
        "local government", "local governments", "local agency", "local agencies", "political subdivision",
        "political subdivisions", "unit of local government",
    ],
    "police": [
        "police", "law enforcement", "sheriff", "sheriff's office", "deputy", "deputies", "trooper", "troopers",
        "constable", "constables", "marshal", "peace officer", "peace officers", "police department", "police service",
        "police officer", "police officers", "law enforcement agency", "law enforcement agencies", "law enforcement officer",
        "law enforcement officers", "highway patrol", "state police", "transit police", "airport police", "officer", "officers",
        "police force", "police forces", "detective", "detectives", "constabulary", "sheriff's department", "gendarmerie",
        "member of the service", "members of the service", "the service", "members of the department", "school resource officer",
        "school resource officers", "university police", "campus police", "municipal police", "municipal police department",
        "municipal police departments", "department of public safety", "law enforcement agency of this state",
        "law enforcement agencies of this state", "law enforcement agency of the state", "law enforcement authorities",
        "law enforcement authority", "police services", "force", "the force", "campus safety", "public safety",
        "security personnel",
    ],
    "state_agencies": [
        "state agency", "state agencies", "agency of the state", "agency of this state", "agencies of the state",
        "state department", "state departments", "state entity", "state entities", "state government", "commonwealth agency",
        "department of corrections", "department of motor vehicles", "state executive agency", "provincial agency",
        "agency of the commonwealth", "state authority", "state authorities", "state official", "state officials",
        "ministry", "government department", "crown agency",
    ],
    "private_entities": [
        "private entity", "private entities", "business", "businesses", "store", "stores", "retailer", "retailers",
        "retail establishment", "retail establishments", "person", "persons", "company", "companies", "operator",
        "operators", "controller", "controllers", "merchant", "merchants", "commercial establishment", "place of public accommodation",
        "places of public accommodation", "concessionaire", "concessionaires", "airline", "airlines", "venue", "venues",
        "private party", "private parties", "licensee", "licensees", "shop", "shops", "restaurant", "restaurants", "gym",
        "gyms", "app", "platform", "platforms", "bank", "banks", "hotel", "hotels", "casino", "casinos", "tenant", "tenants",
        "data broker", "data brokers", "private sector", "corporation", "corporations", "private security",
        "organization", "organizations", "organisation", "organisations", "entity", "entities", "owner", "owners",
        "air carrier", "air carriers", "carrier", "carriers", "fitness center", "fitness centre", "fitness club", "health club",
        "provider", "providers", "deployer", "deployers", "retail store", "retail stores",
    ],
    "employers": ["employer", "employers", "employing", "workplace", "workplaces"],
    "schools": [
        "school", "schools", "school district", "school districts", "district", "university", "universities", "college",
        "colleges", "campus", "campuses", "board of education", "school committee", "school board", "educational institution",
        "educational institutions", "public school", "public schools", "superintendent", "principal", "academy",
        "board of trustees", "board of regents", "board of governors", "school system",
    ],
    "landlords": [
        "landlord", "landlords", "housing authority", "housing authorities", "property owner", "property owners", "lessor",
        "lessors", "property manager", "property managers", "owner of a residential", "residential building", "residential buildings",
        "housing provider", "housing providers", "owner of a multifamily",
    ],
    "vendors": [
        "vendor", "vendors", "contractor", "contractors", "third party", "third parties", "third-party", "service provider",
        "service providers", "subcontractor", "subcontractors", "supplier", "suppliers",
    ],
}

# Words that look like actors but name a document ("Board Policy 5142", "General Order 7.12").
NOT_ACTORS = ["board policy", "administrative regulation", "general order", "special order", "executive order", "council bill", "board resolution", "county code", "city code", "municipal code", "police manual", "policy manual"]

EXCEPTION_OPENERS = ["except", "excepting", "unless", "notwithstanding", "provided that", "provided, however, that", "provided however that", "other than"]

CONDITION_TERMS: dict[str, list[str]] = {
    "statute": [
        "statute", "statutes", "legislature", "general assembly", "general court", "congress", "parliament",
        "legislative", "law expressly", "state law", "act of", "enacts", "enacted", "enact", "passes a law", "federal law",
    ],
    "report": [
        "report", "reports", "study", "studies", "assessment", "assessments", "evaluation", "review", "findings",
        "task force", "audit", "recommendations", "analysis", "inquiry",
    ],
    "governing_body": [
        "vote", "votes", "voted", "resolution", "ordinance", "lifts", "lift", "rescinds", "rescind", "determines otherwise",
        "affirmatively", "by majority",
    ],
    "policy": [
        "policy", "policies", "regulations", "regulation", "rules", "standards", "general order", "guidelines",
        "procedures", "protocol", "directive", "promulgates", "promulgation", "framework",
    ],
}

END_CUES = ["until", "through", "before", "expire", "expires", "expiring", "expiration", "ending", "ends", "end", "sunset", "sunsets",
            "repealed", "till", "to", "thru", "lapse", "lapses", "terminate", "terminates", "no later than", "up to", "effect until"]
EFFECTIVE_CUES = [
    "beginning", "effective", "commencing", "starting", "as of", "on and after", "on or after", "from and after", "begins",
    "starts", "commences", "take effect", "takes effect", "shall apply from", "applies from", "operative",
]
# Words that end the subject of a rule: the actors it binds come before them.
RULE_VERBS = [
    "shall", "may", "must", "will", "is prohibited", "are prohibited", "is suspended", "are suspended", "suspends", "suspend",
    "places", "imposes", "pauses", "prohibits", "bars", "forbids", "directs", "is hereby", "are hereby", "is paused",
    "are paused", "refrains", "cannot", "is not", "are not", "is unlawful", "it is unlawful", "it shall be unlawful",
]
CONNECTORS = {"and", "or", "nor", ",", "its", "their", "the", "any", "no", "a", "an", "all", "other", "every", "each", "including", "of"}
PREPOSITIONS = {"of", "within", "in", "for", "to", "from", "with", "at", "under", "by", "on", "behalf", "against", "about", "over", "into", "through"}

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "twenty-four": 24, "thirty": 30, "thirty-six": 36,
    "forty": 40, "forty-eight": 48, "sixty": 60, "ninety": 90, "hundred": 100, "half": 0.5,
}


# The sentence splitter's abbreviations (segment.py).
# Abbreviations whose full stop does not end a sentence ("Sec. 9", "U.S.C.", "Jan. 1").
ABBREVIATIONS = MONTH_ABBREVIATIONS | {
    "u.s", "u.s.c", "sec", "secs", "no", "nos", "e.g", "i.e", "cal", "gov", "mr", "mrs", "ms",
    "dr", "st", "inc", "co", "corp", "ltd", "jr", "sr", "v", "vs", "etc", "art", "arts", "ch",
    "stat", "stats", "ann", "rev", "reg", "regs", "pub", "l", "fed", "ord", "res", "dept",
    "govt", "mun", "admin", "subd", "para", "cl", "approx", "ave", "blvd", "rd", "pg", "p", "pp",
    "ft", "sq", "hon", "gen", "comp", "civ", "crim", "proc", "bus", "prof",
    "penal", "ill", "mass", "wash", "ore", "tex", "fla", "minn", "wis", "mich", "va", "vt",
    "me", "md", "pa", "n.y", "d.c", "s", "h.r", "r", "c", "cf", "id", "ibid", "al", "seq",
    "ltd", "mt", "ft", "supp", "div", "par", "cir", "ct", "assn", "atty", "exec", "dist",
}
SENTENCE_FINAL_ABBREVIATIONS = {"a.m", "p.m", "etc"}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Word forms and lemmas from spacy-lookups-data, to repair hyphenation and spell out cue prefixes."""
    return frozenset(sorted_english_words())


@lru_cache(maxsize=1)
def sorted_english_words() -> list[str]:
    # Read through ``lookups``, which keeps the list in the user's cache in a fast format.
    from .lookups import english_word_list

    return english_word_list()


def words_with_prefix(stem: str) -> list[str]:
    """Known English words starting with ``stem``, by binary search in the sorted word list."""
    words = sorted_english_words()
    return words[bisect.bisect_left(words, stem): bisect.bisect_left(words, stem + "\uffff")]
