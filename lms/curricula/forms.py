"""The Centre's curriculum editor. Fields hold raw text; the rules are the loader's own
(lms.curricula.schema), and its messages are put back onto the matching inputs."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, SubmitField, TextAreaField

from lms.curricula.vocab import AUDIENCES, COUNTRIES, LANGS, RISK_LEVELS, SECTORS
from lms.forms import BaseForm, choices, number_or_text

LANG_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "ky": _l("Kyrgyz"), "en": _l("English")}
_PATH = re.compile(r"^topics\[(\d+)\]\.?(.*)$")  # a schema path inside a topic
SOURCE_HINT = _l("One source per line: act | article or section | seed file | lines")


def _localized(prefix: str, label: Any, area: bool = False) -> dict[str, Any]:
    kind = TextAreaField if area else StringField
    return {f"{prefix}_{lang}": kind(_l("%(what)s (%(lang)s)", what=label, lang=LANG_LABELS[lang])) for lang in LANGS}


TopicForm = type("TopicForm", (Form,), {
    **_localized("title", _l("Topic title")),
    "hours": StringField(_l("Hours")),
    **_localized("outcomes", _l("Learning outcomes, one per line"), area=True),
    "sources": TextAreaField(_l("Legal sources"), description=SOURCE_HINT),
    "remove": BooleanField(_l("Remove this topic")),
})


class CurriculumForm(BaseForm):
    code = StringField(_l("Code"))
    status = SelectField(_l("Status"), choices=choices([("draft", _l("Draft")), ("active", _l("Active"))]))
    country = SelectField(_l("Country"), choices=choices(COUNTRIES))
    audience = SelectField(_l("Audience"), choices=choices(AUDIENCES))
    sector = SelectField(_l("Sector"), choices=choices(SECTORS))
    risk_level = SelectField(_l("Occupational-risk level"), choices=choices(RISK_LEVELS))
    min_hours = StringField(_l("Minimum hours"))
    validity_months = StringField(_l("Certificate validity, months"))
    topics = FieldList(FormField(TopicForm), min_entries=1)
    add_topic = SubmitField(_l("Add a topic"))
    save = SubmitField(_l("Save"))

    def apply_errors(self, errors: dict[str, list[Any]]) -> None:
        """Map the schema's field paths (``topics[2].outcomes[1].kk``) onto the form's inputs (``refused``
        calls it)."""
        kept = [entry.form for entry in self.topics.entries if not entry.form.remove.data]
        for path, messages in errors.items():
            target = None
            match = _PATH.match(path)
            if match:
                position = int(match.group(1)) - 1
                rest = match.group(2)
                if 0 <= position < len(kept):
                    sub = kept[position]
                    head = rest.split(".")[0].split("[")[0]
                    lang = rest.rsplit(".", 1)[-1] if "." in rest else ""
                    if head == "title":
                        target = getattr(sub, f"title_{lang or 'ru'}", None)
                    elif head == "outcomes":
                        target = getattr(sub, f"outcomes_{lang}", None) if lang in LANGS else sub.outcomes_ru
                    elif head in ("sources", "hours"):
                        target = getattr(sub, head)
            elif path != "topics":
                target = self._fields.get(path.replace(".", "_"))
            if target is None:
                self.form_errors.extend(f"{path}: {m}" if path not in ("-", "topics") else m for m in messages)
                continue
            if isinstance(target.errors, tuple):
                target.errors = list(target.errors)
            target.errors.extend(messages)


for _name, _field in {**_localized("title", _l("Title")),
                      **_localized("description", _l("Description"), area=True)}.items():
    setattr(CurriculumForm, _name, _field)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def to_document(form: CurriculumForm, previous: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict]:
    """The document the form describes, and errors that belong to the form's own layout."""
    errors: dict[str, list[Any]] = {}
    known_acts = {}
    for topic in (previous or {}).get("topics", []):
        for source in topic["sources"]:
            known_acts[source["act"].get("ru", "")] = source["act"]
    topics = []
    # Numbered as the schema numbers them (topics kept), so apply_errors finds the same input.
    kept = [entry.form for entry in form.topics.entries if not entry.form.remove.data]
    for index, sub in enumerate(kept, start=1):
        per_lang = {lang: _lines(getattr(sub, f"outcomes_{lang}").data) for lang in LANGS}
        counts = {len(v) for v in per_lang.values()}
        if len(counts) > 1:
            errors.setdefault(f"topics[{index}].outcomes", []).append(
                _l("Give the same number of outcomes in every language, one per line."))
        outcomes = [{lang: per_lang[lang][i] if i < len(per_lang[lang]) else "" for lang in LANGS}
                    for i in range(max(counts or {0}))]
        sources = []
        for line in _lines(sub.sources.data):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 4:
                errors.setdefault(f"topics[{index}].sources", []).append(SOURCE_HINT)
                continue
            act, section, seed, lines = parts
            sources.append({"act": known_acts.get(act, {"ru": act}), "section": section, "seed": seed,
                            "lines": lines})
        topics.append({
            "title": {lang: getattr(sub, f"title_{lang}").data or "" for lang in LANGS},
            "hours": number_or_text(sub.hours.data),
            "outcomes": outcomes,
            "sources": sources,
        })
    document = {
        "code": (form.code.data or "").strip().upper(),
        "version": 1,
        "status": form.status.data,
        "country": form.country.data,
        "audience": form.audience.data,
        "sector": form.sector.data,
        "risk_level": form.risk_level.data,
        "min_hours": number_or_text(form.min_hours.data),
        "validity_months": number_or_text(form.validity_months.data),
        "title": {lang: getattr(form, f"title_{lang}").data or "" for lang in LANGS},
        "description": {lang: getattr(form, f"description_{lang}").data or "" for lang in LANGS},
        "topics": topics,
    }
    return document, errors


def fill(form: CurriculumForm, doc: dict[str, Any]) -> None:
    """Put a document into an empty form (GET of the edit page)."""
    for name in ("code", "status", "country", "audience", "sector", "risk_level"):
        getattr(form, name).data = doc[name]
    form.min_hours.data = str(doc["min_hours"])
    form.validity_months.data = str(doc["validity_months"])
    for lang in LANGS:
        getattr(form, f"title_{lang}").data = doc["title"].get(lang, "")
        getattr(form, f"description_{lang}").data = doc["description"].get(lang, "")
    while form.topics.entries:
        form.topics.pop_entry()
    for topic in doc["topics"]:
        entry = form.topics.append_entry()
        for lang in LANGS:
            getattr(entry.form, f"title_{lang}").data = topic["title"].get(lang, "")
            getattr(entry.form, f"outcomes_{lang}").data = "\n".join(o.get(lang, "") for o in topic["outcomes"])
        entry.form.hours.data = str(topic["hours"])
        entry.form.sources.data = "\n".join(
            f"{s['act'].get('ru', '')} | {s['section']} | {s['seed']} | {s['lines']}" for s in topic["sources"])
