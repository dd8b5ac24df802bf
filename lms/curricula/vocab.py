"""Vocabularies of a model curriculum, with their labels in the UI languages."""

from flask_babel import lazy_gettext as _l

LANGS = ("kk", "ru", "ky", "en")
STATUSES = {"draft": _l("Draft"), "active": _l("Active"), "retired": _l("Retired")}
COUNTRIES = {"KZ": _l("Kazakhstan"), "KG": _l("Kyrgyzstan"), "BOTH": _l("Kazakhstan and Kyrgyzstan")}
AUDIENCES = {
    "managers": _l("Heads of organisations and persons responsible for OSH"),
    "osh_specialists": _l("OSH specialists"),
    "worker_representatives": _l("Technical inspectors and production-council chairs"),
    "hazardous_workers": _l("Workers in harmful or hazardous conditions"),
    "workers": _l("All employees"),
    "lecturers": _l("Lecturers"),
}
SECTORS = {
    "general": _l("All sectors"),
    "mining_metallurgy": _l("Mining and metallurgy"),
    "coal": _l("Coal industry"),
    "oil_gas": _l("Oil and gas"),
    "energy": _l("Energy"),
    "construction": _l("Construction"),
    "manufacturing": _l("Manufacturing"),
    "transport": _l("Transport and warehousing"),
    "railways": _l("Railways"),
    "agriculture": _l("Agriculture"),
    "forestry": _l("Forestry"),
    "services": _l("Services and low-risk activities"),
}
RISK_LEVELS = {"any": _l("Any risk level"), "low": _l("Low risk"), "medium": _l("Medium risk"),
               "high": _l("High risk")}
