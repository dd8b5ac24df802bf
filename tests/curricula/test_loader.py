"""flask curricula load: idempotent, per-file all-or-nothing, never overwriting the Centre's edits."""

import copy
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from lms import ROOT
from lms.curricula import services
from lms.curricula.models import Curriculum
from lms.extensions import db

BASE = yaml.safe_load((ROOT / "curricula" / "KZ-FIRST-AID.yaml").read_text(encoding="utf-8"))


def doc(code="TEST-CURR", **changes):
    data = copy.deepcopy(BASE)
    data["code"] = code
    data.update(changes)
    return data


def write(directory: Path, data, name=None):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name or f"{data['code']}.yaml")
    path.write_text(services.dump(data) if isinstance(data, dict) else data, encoding="utf-8")
    return path


def load(directory):
    report = services.load_directory(directory)
    db.session.commit()
    return report


def test_load_adds_then_is_idempotent(tmp_path):
    write(tmp_path, doc())
    assert load(tmp_path).added == ["TEST-CURR v1"]
    report = load(tmp_path)
    assert report.added == [] and report.unchanged == ["TEST-CURR v1"]
    curriculum = services.get_by_code("TEST-CURR")
    assert len(curriculum.versions) == 1 and curriculum.status == "active"


def test_a_newer_file_version_adds_a_version_and_keeps_the_old(tmp_path):
    write(tmp_path, doc())
    load(tmp_path)
    changed = doc(version=2)
    changed["topics"][0]["title"]["en"] = "A renamed first topic"
    write(tmp_path, changed)
    assert load(tmp_path).updated == ["TEST-CURR v1 -> v2"]
    versions = services.get_by_code("TEST-CURR").versions
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].topics[0].title["en"] != "A renamed first topic"


def test_changed_content_without_a_new_version_is_a_conflict(tmp_path):
    write(tmp_path, doc())
    load(tmp_path)
    changed = doc()
    changed["description"]["ru"] = "Другое описание"
    write(tmp_path, changed)
    report = load(tmp_path)
    assert report.conflicts and "raise 'version'" in report.conflicts[0]
    assert services.get_by_code("TEST-CURR").current.description["ru"] != "Другое описание"


def test_centre_edit_is_never_overwritten_until_exported(tmp_path, make_user):
    write(tmp_path, doc())
    load(tmp_path)
    curriculum = services.get_by_code("TEST-CURR")
    edited = services.document(curriculum)
    edited["title"]["ru"] = "Отредактировано Центром"
    services.edit(curriculum, edited, actor=make_user("centre_admin"))
    db.session.commit()
    assert curriculum.current.version == 2 and curriculum.current.origin == "ui"

    newer = doc(version=2)
    newer["title"]["ru"] = "Из файла"
    write(tmp_path, newer)
    report = load(tmp_path)
    assert report.conflicts and "edited by the Centre" in report.conflicts[0]
    assert services.get_by_code("TEST-CURR").current.title["ru"] == "Отредактировано Центром"

    write(tmp_path, doc(version=3, title={**BASE["title"], "ru": "Из файла"}))
    assert load(tmp_path).conflicts  # still not exported

    # Export, then the files hold the Centre's version: now a newer file version loads.
    out = tmp_path / "export"
    services.export_directory(out)
    exported = yaml.safe_load((out / "TEST-CURR.yaml").read_text(encoding="utf-8"))
    write(tmp_path, exported)
    assert load(tmp_path).unchanged == ["TEST-CURR v2"]
    exported["version"] = 3
    exported["title"]["ru"] = "Слито"
    write(tmp_path, exported)
    assert load(tmp_path).updated == ["TEST-CURR v2 -> v3"]


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda d: d.update(min_hours=d["min_hours"] + 1), "min_hours"),
    (lambda d: d["title"].pop("kk"), "title.kk"),
    (lambda d: d.update(audience="astronauts"), "audience"),
    (lambda d: d.update(sector="space"), "sector"),
    (lambda d: d["topics"][1]["sources"][0].update(lines="5000-5001"), "topics[2].sources[1].lines"),
    (lambda d: d["topics"][0]["sources"][0].update(seed="999_unknown.txt"), "topics[1].sources[1].seed"),
    (lambda d: d.update(colour="red"), "colour"),
])
def test_a_bad_file_names_file_and_field_and_loads_nothing(tmp_path, mutate, field):
    bad = doc("BAD-ONE")
    mutate(bad)
    write(tmp_path, bad)
    write(tmp_path, doc("GOOD-ONE"))
    report = load(tmp_path)
    assert any(e.startswith(f"BAD-ONE.yaml: {field}:") for e in report.errors), report.errors
    assert services.get_by_code("BAD-ONE") is None
    assert services.get_by_code("GOOD-ONE") is not None


def test_duplicate_code_and_wrong_file_name(tmp_path):
    write(tmp_path, doc("DUP-CODE"))
    write(tmp_path, doc("DUP-CODE"), name="OTHER.yaml")
    report = load(tmp_path)
    assert any("OTHER.yaml: code:" in e for e in report.errors)
    assert services.get_by_code("DUP-CODE") is not None


def test_validate_judges_the_files_as_load_does(app, tmp_path):
    """Duplicate codes and .yml files too: a directory that validates also loads."""
    write(tmp_path, doc("DUP-CODE"))
    write(tmp_path, doc("DUP-CODE"), name="OTHER.yaml")
    write(tmp_path, doc("YML-ONE", min_hours=1), name="YML-ONE.yml")
    result = app.test_cli_runner().invoke(args=["curricula", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "OTHER.yaml: code: Duplicate code: DUP-CODE is also in DUP-CODE.yaml." in result.output
    assert "YML-ONE.yml: min_hours:" in result.output
    assert services.get_by_code("DUP-CODE") is None  # validate loads nothing


def test_broken_yaml_is_an_error(tmp_path):
    write(tmp_path, "code: [unclosed\n", name="BROKEN.yaml")
    report = load(tmp_path)
    assert report.errors and "BROKEN.yaml: not valid YAML" in report.errors[0]


def test_export_round_trips(tmp_path):
    out = tmp_path / "out"
    services.export_directory(out)
    codes = {p.stem for p in out.glob("*.yaml")}
    assert {"KZ-OSH-MGR", "KG-OSH-MGR"} <= codes
    for path in out.glob("*.yaml"):
        original = ROOT / "curricula" / path.name
        if original.exists():
            assert yaml.safe_load(path.read_text()) == yaml.safe_load(original.read_text())


def test_cli_load_validate_export(app, tmp_path):
    runner = app.test_cli_runner()
    write(tmp_path, doc("CLI-ONE"))
    result = runner.invoke(args=["curricula", "load", str(tmp_path)])
    assert result.exit_code == 0 and "1 added" in result.output
    bad = doc("CLI-BAD", min_hours=1)
    write(tmp_path, bad)
    result = runner.invoke(args=["curricula", "validate", str(tmp_path)])
    assert result.exit_code == 1 and "CLI-BAD.yaml: min_hours:" in result.output
    result = runner.invoke(args=["curricula", "load", str(tmp_path)])
    assert result.exit_code == 1
    result = runner.invoke(args=["curricula", "export", str(tmp_path / "x")])
    assert result.exit_code == 0 and (tmp_path / "x" / "CLI-ONE.yaml").exists()


def test_shipped_curricula_are_in_the_database(app):
    codes = set(db.session.scalars(select(Curriculum.code)))
    assert {"KZ-OSH-MGR", "KG-OSH-MGR", "KZ-OSH-SPEC", "KZ-OSH-WREP", "KZ-OSH-MINING", "KZ-OSH-CONSTR",
            "KZ-FIRST-AID"} <= codes
