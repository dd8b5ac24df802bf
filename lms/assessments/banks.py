"""Question banks: validate files (every problem with file and line), import them all-or-nothing and
idempotently, version changed questions, retire removed ones, never overwrite the Centre's UI edits,
statistics, and exports to Moodle XML and GIFT."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from lms import audit
from lms.assessments.models import Question, QuestionVersion, TestDefinition
from lms.curricula.models import Curriculum
from lms.curricula.schema import SEEDS
from lms.extensions import db

ID_RE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*-\d{4}$")
FILE_RE = re.compile(r"^topic-(\d{2})\.ya?ml$")
FIELDS = ("id", "topic", "type", "difficulty", "text", "options", "explanation", "source")
DEFAULT_TEST_SIZE = 20
_SCALARS = yaml.constructor.SafeConstructor()


def state_languages(country: str) -> tuple[str, ...]:
    return {"KZ": ("ru", "kk"), "KG": ("ru", "ky"), "BOTH": ("ru", "kk", "ky")}[country]


@dataclass
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ParsedQuestion:
    data: dict[str, Any]
    file: str
    line: int
    code: str


def _lines(node: yaml.Node) -> Any:
    """Plain Python data from a YAML node, remembering each mapping's first line under '__line__'."""
    if isinstance(node, yaml.MappingNode):
        result = {"__line__": node.start_mark.line + 1}
        for key, value in node.value:
            result[key.value] = _lines(value)
            result.setdefault("__lines__", {})[key.value] = value.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_lines(item) for item in node.value]
    return _SCALARS.construct_object(node) if isinstance(node, yaml.ScalarNode) else None


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ("__line__", "__lines__")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _check_question(q: dict[str, Any], where: str, topic: int, langs: tuple[str, ...], topics: int,
                    problems: list[Problem]) -> None:
    line = q.get("__line__", 0)
    at = q.get("__lines__", {})

    def add(key: str | None, message: str) -> None:
        problems.append(Problem(where, at.get(key, line) if key else line, message))

    for key in q:
        if key not in FIELDS and not key.startswith("__"):
            add(key, f"unknown field {key!r}")
    for key in ("id", "topic", "type", "text", "options", "explanation", "source"):
        if key not in q:
            add(None, f"question without {key!r}")
    qid = q.get("id")
    if "id" in q and (not isinstance(qid, str) or not ID_RE.match(qid)):
        add("id", f"id {qid!r} must look like CODE-0001")
    if "topic" in q and q["topic"] != topic:
        add("topic", f"topic {q['topic']!r} does not match the file (topic {topic})")
    if not 1 <= topic <= topics:
        add("topic", f"the curriculum has no topic {topic}")
    qtype = q.get("type")
    if "type" in q and qtype not in ("single", "multiple", "true_false"):
        add("type", f"type must be single, multiple or true_false, not {qtype!r}")
    if "difficulty" in q and q["difficulty"] not in (1, 2, 3, None):
        add("difficulty", "difficulty must be 1, 2 or 3")
    for key in ("text", "explanation"):
        value = q.get(key)
        if key in q:
            if not isinstance(value, dict):
                add(key, f"{key} must give the text per language")
                continue
            for lang in langs:
                if not isinstance(value.get(lang), str) or not value[lang].strip():
                    add(key, f"{key} is missing in {lang}")
    options = q.get("options")
    if "options" in q:
        if not isinstance(options, list) or not options:
            add("options", "options must be a list")
            options = []
        if qtype == "true_false" and len(options) != 2:
            add("options", "a true_false question has exactly 2 options")
        elif qtype in ("single", "multiple") and not 3 <= len(options) <= 6:
            add("options", "a question has 3 to 6 options")
        ids = []
        for n, option in enumerate(options):
            if not isinstance(option, dict):
                add("options", f"option {n + 1} must be a mapping")
                continue
            oline = option.get("__line__", line)
            expected = "abcdef"[n] if n < 6 else "?"
            if option.get("id") != expected:
                problems.append(Problem(where, oline, f"option {n + 1} must have id {expected!r}"))
            ids.append(option.get("id"))
            text = option.get("text")
            for lang in langs:
                if not isinstance(text, dict) or not isinstance(text.get(lang), str) or not text[lang].strip():
                    problems.append(Problem(where, oline, f"option {option.get('id')!r} text is missing in {lang}"))
            if "correct" in option and option["correct"] is not True:
                problems.append(Problem(where, oline, "write 'correct: true' only on correct options"))
            for key in option:
                if key not in ("id", "text", "correct") and not key.startswith("__"):
                    problems.append(Problem(where, oline, f"unknown option field {key!r}"))
        correct = sum(1 for o in options if isinstance(o, dict) and o.get("correct") is True)
        if correct == 0:
            add("options", "no correct option")
        elif qtype in ("single", "true_false") and correct != 1:
            add("options", f"a {qtype} question has exactly one correct option, not {correct}")
        elif qtype == "multiple" and correct < 2:
            add("options", "a multiple question has at least two correct options")
    source = q.get("source")
    if "source" in q:
        if not isinstance(source, dict) or not all(isinstance(source.get(k), str) and source[k].strip()
                                                   for k in ("act", "section")):
            add("source", "source needs act and section")
        elif source.get("seed") not in SEEDS:
            add("source", "source.seed must name a seed file")
        else:
            match = re.match(r"^(\d+)(?:-(\d+))?$", str(source.get("lines", "")))
            if not match or not 1 <= int(match.group(1)) <= int(match.group(2) or match.group(1)) <= SEEDS[
                    source["seed"]]:
                add("source", "source.lines must be a line range inside the seed file")


def read_directory(directory: Path) -> tuple[list[ParsedQuestion], list[Problem]]:
    """Every question in the banks, and every problem, each with its file and line."""
    questions: list[ParsedQuestion] = []
    problems: list[Problem] = []
    curricula = {c.code: c for c in db.session.scalars(select(Curriculum))}
    seen: dict[str, str] = {}
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        code = folder.name
        curriculum = curricula.get(code)
        if curriculum is None:
            problems.append(Problem(f"{code}/", 0, f"no curriculum with code {code}"))
            continue
        langs = state_languages(curriculum.current.country)
        topics = len(curriculum.current.topics)
        for path in sorted(folder.glob("*.y*ml")):
            where = f"{code}/{path.name}"
            match = FILE_RE.match(path.name)
            if not match:
                problems.append(Problem(where, 0, "a bank file is named topic-NN.yaml"))
                continue
            try:
                node = yaml.compose(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                problems.append(Problem(where, (mark.line + 1) if mark else 0,
                                        f"not valid YAML: {getattr(exc, 'problem', exc)}"))
                continue
            except UnicodeDecodeError:
                problems.append(Problem(where, 0, "not UTF-8 text"))
                continue
            data = _lines(node) if node is not None else []
            if not isinstance(data, list):
                problems.append(Problem(where, 1, "a bank file is a list of questions"))
                continue
            for q in data:
                if not isinstance(q, dict):
                    problems.append(Problem(where, 0, "each question is a mapping"))
                    continue
                _check_question(q, where, int(match.group(1)), langs, topics, problems)
                qid = q.get("id")
                if isinstance(qid, str):
                    if not qid.startswith(code + "-"):
                        problems.append(Problem(where, q.get("__lines__", {}).get("id", q["__line__"]),
                                                f"id {qid} must start with {code}-"))
                    if qid in seen:
                        problems.append(Problem(where, q.get("__lines__", {}).get("id", q["__line__"]),
                                                f"duplicate id {qid} (also in {seen[qid]})"))
                    seen[qid] = f"{where}:{q['__line__']}"
                questions.append(ParsedQuestion(_strip(q), where, q["__line__"], code))
    return questions, problems


def content(data: dict[str, Any]) -> dict[str, Any]:
    return {"type": data["type"], "difficulty": data.get("difficulty"), "text": data["text"],
            "options": [{"id": o["id"], "text": o["text"], **({"correct": True} if o.get("correct") else {})}
                        for o in data["options"]],
            "explanation": data["explanation"], "source": data["source"]}


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content(data), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def new_version(question: Question, data: dict[str, Any], origin: str, actor: Any = None) -> QuestionVersion:
    number = question.versions[-1].version + 1 if question.versions else 1
    version = QuestionVersion(version=number, origin=origin, in_files=origin == "file",
                              content_hash=content_hash(data), created_by_id=getattr(actor, "id", None),
                              **content(data))
    question.versions.append(version)
    return version


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    reactivated: int = 0
    conflicts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_directory(directory: Path) -> ImportReport:
    """All-or-nothing: with any problem in any file, nothing is imported."""
    report = ImportReport()
    parsed, report.problems = read_directory(directory)
    if report.problems:
        return report
    curricula = {c.code: c for c in db.session.scalars(select(Curriculum))}
    existing = {q.external_id: q for q in db.session.scalars(select(Question))}
    in_files = set()
    for item in parsed:
        data = item.data
        in_files.add(data["id"])
        question = existing.get(data["id"])
        digest = content_hash(data)
        if question is None:
            question = Question(external_id=data["id"], curriculum_id=curricula[item.code].id, topic=data["topic"])
            db.session.add(question)
            new_version(question, data, "file")
            report.added += 1
            continue
        if question.status == "retired":
            question.status = "active"
            report.reactivated += 1
        current = question.current
        if current.content_hash == digest:
            current.in_files = True
            report.unchanged += 1
        elif current.origin == "ui" and not current.in_files:
            report.conflicts.append(f"{item.file}:{item.line}: {data['id']} was edited by the Centre in the UI "
                                    f"(version {current.version}); the file's text was not loaded")
        else:
            question.topic = data["topic"]
            new_version(question, data, "file")
            report.updated += 1
    loaded_codes = {item.code for item in parsed} | {p.name for p in directory.iterdir() if p.is_dir()}
    for external_id, question in existing.items():
        code = external_id.rsplit("-", 1)[0]
        if external_id in in_files or question.status != "active" or code not in loaded_codes:
            continue
        if question.current.origin == "ui" and not question.current.in_files:
            continue  # written by the Centre in the UI: not the files' to retire
        question.status = "retired"
        report.retired += 1
    db.session.flush()
    for code in {item.code for item in parsed}:
        ensure_test_definition(curricula[code])
    audit.record("banks.imported", object_type="question_banks", after={
        "added": report.added, "updated": report.updated, "retired": report.retired,
        "conflicts": len(report.conflicts)})
    return report


def ensure_test_definition(curriculum: Curriculum) -> TestDefinition:
    """A default test: 20 questions spread over the topics by their hours, 30 minutes, pass 80%."""
    test = db.session.scalar(select(TestDefinition).where(TestDefinition.curriculum_id == curriculum.id))
    if test is not None:
        return test
    topics = curriculum.current.topics
    total_hours = sum(t.hours for t in topics)
    shares = {t.position: DEFAULT_TEST_SIZE * t.hours / total_hours for t in topics}
    blueprint = {p: int(share) for p, share in shares.items()}
    for position in sorted(shares, key=lambda p: shares[p] - int(shares[p]), reverse=True):
        if sum(blueprint.values()) >= DEFAULT_TEST_SIZE:
            break
        blueprint[position] += 1
    test = TestDefinition(curriculum_id=curriculum.id, blueprint={str(k): v for k, v in blueprint.items() if v},
                          time_limit_minutes=30, pass_mark_percent=80, attempts_allowed=3, wait_hours=24,
                          languages=list(state_languages(curriculum.current.country))[::-1], proctored=False,
                          show_answers=False)
    db.session.add(test)
    db.session.flush()
    return test


def stats() -> list[dict[str, Any]]:
    """Per curriculum, active questions and how many of them are complete in each language."""
    codes = {c.id: c.code for c in db.session.scalars(select(Curriculum))}
    counter: dict[str, dict[str, int]] = {}
    for question in db.session.scalars(select(Question).where(Question.status == "active")):
        version = question.current
        code = codes[question.curriculum_id]
        entry = counter.setdefault(code, {"code": code, "active": 0, "kk": 0, "ru": 0, "ky": 0, "en": 0})
        entry["active"] += 1
        for lang in ("kk", "ru", "ky", "en"):
            if (version.text.get(lang) or "").strip() and all((o["text"].get(lang) or "").strip()
                                                              for o in version.options):
                entry[lang] += 1
    return [counter[code] for code in sorted(counter)]


# ---------------------------------------------------------------------------- exports
def _questions_for(code: str) -> list[tuple[Question, QuestionVersion]]:
    curriculum = db.session.scalar(select(Curriculum).where(Curriculum.code == code))
    if curriculum is None:
        raise LookupError(f"no curriculum {code}")
    questions = db.session.scalars(select(Question).where(Question.curriculum_id == curriculum.id,
                                                          Question.status == "active").order_by(Question.external_id))
    return [(q, q.current) for q in questions]


def to_moodle_xml(code: str, lang: str) -> str:
    from xml.sax.saxutils import escape

    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>",
           f'  <question type="category"><category><text>$course$/{escape(code)}</text></category></question>']
    for question, version in _questions_for(code):
        text = escape(version.text.get(lang) or version.text["ru"])
        name = escape(question.external_id)
        key = version.key()
        if version.type == "true_false":
            correct_is_first = "a" in key
            out.append(f'  <question type="truefalse"><name><text>{name}</text></name>'
                       f'<questiontext format="plain_text"><text>{text}</text></questiontext>'
                       f'<answer fraction="{100 if correct_is_first else 0}"><text>true</text></answer>'
                       f'<answer fraction="{0 if correct_is_first else 100}"><text>false</text></answer></question>')
            continue
        single = version.type == "single"
        answers = []
        for option in version.options:
            fraction = (100 if single else round(100 / len(key), 5)) if option["id"] in key else (0 if single else -100)
            answers.append(f'<answer fraction="{fraction}" format="plain_text"><text>'
                           f'{escape(option["text"].get(lang) or option["text"]["ru"])}</text></answer>')
        out.append(f'  <question type="multichoice"><name><text>{name}</text></name>'
                   f'<questiontext format="plain_text"><text>{text}</text></questiontext>'
                   f'<single>{"true" if single else "false"}</single><shuffleanswers>1</shuffleanswers>'
                   f'<answernumbering>abc</answernumbering>{"".join(answers)}</question>')
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def _gift_escape(value: str) -> str:
    return re.sub(r"([~=#{}:\\])", r"\\\1", value.replace("\n", " "))


def to_gift(code: str, lang: str) -> str:
    out = [f"$CATEGORY: {code}", ""]
    for question, version in _questions_for(code):
        text = _gift_escape(version.text.get(lang) or version.text["ru"])
        key = version.key()
        if version.type == "true_false":
            out.append(f"::{question.external_id}:: {text} {{{'T' if 'a' in key else 'F'}}}")
        elif version.type == "single":
            parts = " ".join(("=" if o["id"] in key else "~") + _gift_escape(o["text"].get(lang) or o["text"]["ru"])
                             for o in version.options)
            out.append(f"::{question.external_id}:: {text} {{{parts}}}")
        else:
            share = round(100 / len(key), 5)
            parts = " ".join((f"~%{share}%" if o["id"] in key else "~%-100%")
                             + _gift_escape(o["text"].get(lang) or o["text"]["ru"]) for o in version.options)
            out.append(f"::{question.external_id}:: {text} {{{parts}}}")
        out.append("")
    return "\n".join(out)
