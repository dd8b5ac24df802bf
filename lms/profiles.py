"""Country profiles: identifiers, regions, time zone, state language, certificate prefix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from lms import identifiers


@dataclass(frozen=True)
class Region:
    code: str
    names: dict[str, str]

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names["ru"]


@dataclass(frozen=True)
class Profile:
    code: str
    timezone: str
    state_language: str
    certificate_prefix: str
    centre_names: dict[str, str]
    regions: tuple[Region, ...]
    person_id_label: object
    org_id_label: object
    person_id_length: int
    org_id_length: int
    phone_region: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def certificate_languages(self) -> tuple[str, str]:
        return (self.state_language, "ru")

    def validate_person_id(self, value: str) -> str:
        return (identifiers.validate_iin if self.code == "KZ" else identifiers.validate_kg_pin)(value)

    def validate_org_id(self, value: str) -> str:
        return (identifiers.validate_bin if self.code == "KZ" else identifiers.validate_kg_inn)(value)

    def region(self, code: str) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)

    def end_of_day_utc(self, day: date) -> datetime:
        """A date such as "valid until" means the end of that day in the profile's time zone."""
        local_end = datetime.combine(day, time.max).replace(tzinfo=self.tz)
        return local_end.astimezone(ZoneInfo("UTC"))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


def _r(code: str, kk: str, ru: str, ky: str, en: str) -> Region:
    return Region(code, {"kk": kk, "ru": ru, "ky": ky, "en": en})


KZ_REGIONS = (
    _r("abai", "Абай облысы", "Абайская область", "Абай облусу", "Abai Region"),
    _r("akmola", "Ақмола облысы", "Акмолинская область", "Акмола облусу", "Akmola Region"),
    _r("aktobe", "Ақтөбе облысы", "Актюбинская область", "Актөбө облусу", "Aktobe Region"),
    _r("almaty_region", "Алматы облысы", "Алматинская область", "Алматы облусу", "Almaty Region"),
    _r("atyrau", "Атырау облысы", "Атырауская область", "Атырау облусу", "Atyrau Region"),
    _r("east_kz", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область",
       "Чыгыш Казакстан облусу", "East Kazakhstan Region"),
    _r("zhambyl", "Жамбыл облысы", "Жамбылская область", "Жамбыл облусу", "Zhambyl Region"),
    _r("zhetisu", "Жетісу облысы", "Жетысуская область", "Жетисуу облусу", "Zhetisu Region"),
    _r("west_kz", "Батыс Қазақстан облысы", "Западно-Казахстанская область",
       "Батыш Казакстан облусу", "West Kazakhstan Region"),
    _r("karaganda", "Қарағанды облысы", "Карагандинская область", "Караганды облусу", "Karaganda Region"),
    _r("kostanay", "Қостанай облысы", "Костанайская область", "Костанай облусу", "Kostanay Region"),
    _r("kyzylorda", "Қызылорда облысы", "Кызылординская область", "Кызылорда облусу", "Kyzylorda Region"),
    _r("mangystau", "Маңғыстау облысы", "Мангистауская область", "Маңгыстау облусу", "Mangystau Region"),
    _r("pavlodar", "Павлодар облысы", "Павлодарская область", "Павлодар облусу", "Pavlodar Region"),
    _r("north_kz", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область",
       "Түндүк Казакстан облусу", "North Kazakhstan Region"),
    _r("turkistan", "Түркістан облысы", "Туркестанская область", "Түркстан облусу", "Turkistan Region"),
    _r("ulytau", "Ұлытау облысы", "Улытауская область", "Улытау облусу", "Ulytau Region"),
    _r("astana", "Астана қаласы", "город Астана", "Астана шаары", "Astana city"),
    _r("almaty", "Алматы қаласы", "город Алматы", "Алматы шаары", "Almaty city"),
    _r("shymkent", "Шымкент қаласы", "город Шымкент", "Шымкент шаары", "Shymkent city"),
)

KG_REGIONS = (
    _r("batken", "Баткен облысы", "Баткенская область", "Баткен облусу", "Batken Region"),
    _r("chuy", "Шүй облысы", "Чуйская область", "Чүй облусу", "Chuy Region"),
    _r("jalal_abad", "Жалал-Абад облысы", "Джалал-Абадская область", "Жалал-Абад облусу", "Jalal-Abad Region"),
    _r("issyk_kul", "Ыстықкөл облысы", "Иссык-Кульская область", "Ысык-Көл облусу", "Issyk-Kul Region"),
    _r("naryn", "Нарын облысы", "Нарынская область", "Нарын облусу", "Naryn Region"),
    _r("osh_region", "Ош облысы", "Ошская область", "Ош облусу", "Osh Region"),
    _r("talas", "Талас облысы", "Таласская область", "Талас облусу", "Talas Region"),
    _r("bishkek", "Бішкек қаласы", "город Бишкек", "Бишкек шаары", "Bishkek city"),
    _r("osh", "Ош қаласы", "город Ош", "Ош шаары", "Osh city"),
)

PROFILES = {
    "KZ": Profile(
        code="KZ",
        timezone="Asia/Almaty",  # UTC+5 since 1 March 2024 (tzdata 2024a and later)
        state_language="kk",
        certificate_prefix="KZ-OSH",
        centre_names={
            "kk": "Бірыңғай оқу-әдістемелік орталығы",
            "ru": "Единый учебно-методический центр",
            "ky": "Бирдиктүү окуу-методикалык борбор",
            "en": "Unified Educational-Methodological Centre",
        },
        regions=KZ_REGIONS,
        person_id_label=_l("IIN"),
        org_id_label=_l("BIN"),
        person_id_length=12,
        org_id_length=12,
        phone_region="KZ",
    ),
    "KG": Profile(
        code="KG",
        timezone="Asia/Bishkek",
        state_language="ky",
        certificate_prefix="KG-OSH",
        centre_names={
            "kk": "Бірыңғай оқу-әдістемелік орталығы",
            "ru": "Единый учебно-методический центр",
            "ky": "Бирдиктүү окуу-методикалык борбор",
            "en": "Unified Educational-Methodological Centre",
        },
        regions=KG_REGIONS,
        person_id_label=_l("Personal number (PIN)"),
        org_id_label=_l("INN"),
        person_id_length=14,
        org_id_length=14,
        phone_region="KG",
    ),
}


def get_profile(code: str | None = None) -> Profile:
    return PROFILES[code or current_app.config["LMS_COUNTRY"]]
