import json
import re
import xml.etree.ElementTree as ET

import yaml
from sqlalchemy import select

from lms.assessments import banks
from lms.assessments.models import Question, QuestionVersion
from lms.extensions import db
from tests.assessments.conftest import CODE, question, write_bank


def test_import_is_idempotent_and_versions_changes(tmp_path):
    directory = write_bank(tmp_path)
    first = banks.import_directory(directory)
    assert first.added == 48 and not first.problems
    again = banks.import_directory(directory)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 48)

    path = directory / CODE / "topic-01.yaml"
    items = yaml.safe_load(path.read_text())
    items[0]["text"]["ru"] = "Изменённый текст?"
    removed = items.pop()
    path.write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    report = banks.import_directory(directory)
    assert (report.updated, report.retired) == (1, 1)
    changed = db.session.scalar(select(Question).where(Question.external_id == items[0]["id"]))
    assert [v.version for v in changed.versions] == [1, 2]
    assert changed.versions[0].text["ru"] != "Изменённый текст?"  # the used version stays as it was
    gone = db.session.scalar(select(Question).where(Question.external_id == removed["id"]))
    assert gone.status == "retired"

    items.append(removed)
    path.write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    assert banks.import_directory(directory).reactivated == 1


def test_the_centres_edit_is_not_overwritten(tmp_path, make_user):
    directory = write_bank(tmp_path)
    banks.import_directory(directory)
    row = db.session.scalar(select(Question).where(Question.external_id == f"{CODE}-9001"))
    data = question(1, 1, "multiple")
    data["text"]["ru"] = "Текст Центра"
    banks.new_version(row, data, "ui", actor=make_user("centre_admin"))
    db.session.flush()
    path = directory / CODE / "topic-01.yaml"
    items = yaml.safe_load(path.read_text())
    items[0]["text"]["ru"] = "Текст из файла"
    path.write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    report = banks.import_directory(directory)
    assert report.conflicts and f"{CODE}-9001" in report.conflicts[0] and "topic-01.yaml:" in report.conflicts[0]
    db.session.refresh(row)
    assert row.current.text["ru"] == "Текст Центра"


def _problem_for(tmp_path, mutate, expect):
    directory = write_bank(tmp_path, per_topic=2)
    path = directory / CODE / "topic-02.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(mutate(text), encoding="utf-8")
    questions, problems = banks.read_directory(directory)
    assert problems, "expected a problem"
    assert any(expect in str(p) and str(p).startswith(f"{CODE}/topic-02.yaml:") for p in problems), problems
    return problems


def test_validator_names_file_and_line(tmp_path):
    _problem_for(tmp_path, lambda t: t.replace(f"{CODE}-9004", f"{CODE}-9003"), "duplicate id")
    problems = _problem_for(tmp_path, lambda t: re.sub(r"^\s*correct: true\n", "", t, count=1, flags=re.M),
                            "no correct option")
    assert problems[0].line > 1
    _problem_for(tmp_path, lambda t: t.replace("kk: Нұсқа a 3", "en: Option a 3", 1), "missing in kk")
    _problem_for(tmp_path, lambda t: t + "- id: [unclosed\n", "not valid YAML")
    _problem_for(tmp_path, lambda t: t.replace("topic: 2", "topic: 3", 1), "does not match the file")


def test_one_broken_file_imports_nothing(tmp_path, app):
    directory = write_bank(tmp_path)
    (directory / CODE / "topic-05.yaml").write_text("- id: [broken\n", encoding="utf-8")
    report = banks.import_directory(directory)
    assert report.problems and report.added == 0
    assert db.session.scalar(select(db.func.count()).select_from(Question).where(
        Question.external_id.like(f"{CODE}-9%"))) == 0
    result = app.test_cli_runner().invoke(args=["banks", "import", str(directory)])
    assert result.exit_code == 1 and "nothing imported" in result.output
    result = app.test_cli_runner().invoke(args=["banks", "validate", str(directory)])
    assert result.exit_code == 1 and "topic-05.yaml:" in result.output and "not valid YAML" in result.output


def test_unknown_curriculum_folder(tmp_path):
    write_bank(tmp_path, code="NO-SUCH-CODE", per_topic=1, topics=1)
    _questions, problems = banks.read_directory(tmp_path)
    assert any("no curriculum with code NO-SUCH-CODE" in str(p) for p in problems)


def test_stats_json(app, tmp_path):
    banks.import_directory(write_bank(tmp_path))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["banks", "stats", "--json"])
    data = json.loads(result.output)
    item = next(i for i in data["items"] if i["code"] == CODE)
    assert set(item) == {"code", "active", "kk", "ru", "ky", "en"}
    assert item["kk"] == item["ru"] == item["active"] >= 48 and item["ky"] == 0


def test_moodle_and_gift_exports(app, tmp_path):
    banks.import_directory(write_bank(tmp_path))
    xml = banks.to_moodle_xml(CODE, "kk")
    root = ET.fromstring(xml.encode())
    kinds = [q.get("type") for q in root.findall("question")]
    assert kinds.count("multichoice") + kinds.count("truefalse") >= 48
    single = next(q for q in root.findall("question") if q.findtext("single") == "true")
    fractions = sorted(a.get("fraction") for a in single.findall("answer"))
    assert fractions == ["0", "0", "0", "100"]
    gift = banks.to_gift(CODE, "ru")
    assert f"::{CODE}-9001::" in gift and "{T}" in gift and "~%50.0%" in gift
    assert "\\:" not in banks._gift_escape("a") and banks._gift_escape("a:b{c}") == "a\\:b\\{c\\}"
    out = tmp_path / "bank.xml"
    result = app.test_cli_runner().invoke(args=["banks", "export", CODE, "--format", "moodle", "--output", str(out)])
    assert result.exit_code == 0 and out.read_text().startswith("<?xml")


def test_versions_are_kept(tmp_path):
    banks.import_directory(write_bank(tmp_path))
    assert db.session.scalar(select(db.func.count()).select_from(QuestionVersion)) >= 48
