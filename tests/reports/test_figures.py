"""Every figure of the reports against the hand-counted registry in conftest.py."""

from __future__ import annotations

import pytest

from lms.reports import queries
from lms.reports.refresh import refresh


def by_year(rows):
    return {r.year: r for r in rows}


def test_indicator_5_persons_responsible_for_osh(registry):
    rows = by_year(queries.indicator())
    assert list(rows) == [2025, 2026, 2027, 2028, 2029, 2030]
    # 2025: tested P1, P3, P6 (P6's annulled attempt is not a test; P7's record is invalidated; P2 is in 2026)
    assert (rows[2025].tested, rows[2025].passed, rows[2025].population) == (3, 2, 5)
    assert rows[2025].value == 66.7 and rows[2025].value_population == 40.0
    assert rows[2025].target == 40 and rows[2025].gap == 26.7
    # P2 finished at 19:30 UTC on 31 December 2025: 00:30 on 1 January 2026 in Almaty
    assert (rows[2026].tested, rows[2026].passed, rows[2026].population) == (1, 1, 1)
    assert rows[2026].value == 100.0 and rows[2026].target == 50
    assert rows[2027].value is None and rows[2027].tested == 0 and rows[2030].target == 90


def test_indicator_5_for_other_categories(registry):
    hazardous = by_year(queries.indicator("hazardous_workers"))[2025]
    assert (hazardous.tested, hazardous.passed, hazardous.population) == (2, 2, 2)
    everyone = by_year(queries.indicator("all"))[2025]
    assert (everyone.tested, everyone.passed, everyone.population) == (5, 4, 7)
    categories = {r["group"]: r for r in queries.by_audience(2025)}
    assert (categories["managers"]["tested"], categories["managers"]["passed"],
            categories["managers"]["population"]) == (2, 1, 3)  # P1, P3 tested; P4 trained only
    assert categories["osh_specialists"]["population"] == 1 and categories["osh_specialists"]["tested"] == 0
    assert categories["worker_representatives"]["value"] == 100.0
    assert categories["responsible"]["tested"] == 3 and categories["all"]["population"] == 7
    assert categories["lecturers"]["value"] is None


def test_breakdown_by_region_in_2025(registry):
    groups = {g.key: g for g in queries.breakdown("region", 2025, "ru")}
    a, b = groups["karaganda"], groups["almaty_region"]
    # A: P1 40 + 85, P6 80 (its second attempt; the annulled first is not counted), P9 90; P7 excluded
    assert (a.attempts, a.passes, a.first_attempts, a.first_passes) == (4, 3, 2, 1)
    assert a.first_pass_rate == 50.0 and a.attempts_per_pass == 1.33 and a.mean_score == 73.8
    assert a.label == "Карагандинская область"
    assert (b.attempts, b.passes, b.first_attempts, b.first_passes) == (2, 1, 2, 1)
    assert b.attempts_per_pass == 2.0 and b.mean_score == 72.5
    # certificates issued in 2025: A has P1, P6 (revoked), P7 (suspended), P9 (expiring); B has P5 (expired)
    assert a.certificates == {"issued": 4, "in_force": 2, "expiring": 1, "expired": 0, "suspended": 1, "revoked": 1}
    assert b.certificates == {"issued": 1, "in_force": 0, "expiring": 0, "expired": 1, "suspended": 0, "revoked": 0}


def test_breakdown_over_all_years_and_other_dimensions(registry):
    a = {g.key: g for g in queries.breakdown("region", None, "en")}["karaganda"]
    assert a.attempts == 5 and a.certificates["issued"] == 5 and a.certificates["in_force"] == 3
    languages = {g.key: g for g in queries.breakdown("language", None, "en")}
    assert languages["ru"].attempts == 1 and languages["ru"].first_pass_rate == 100.0
    assert languages["kk"].attempts == 6 and languages["kk"].label == "Қазақша"
    sectors = {g.key: g for g in queries.breakdown("sector", 2025, "en")}
    assert sectors["mining_metallurgy"].attempts == 2 and sectors["mining_metallurgy"].first_pass_rate == 100.0
    assert sectors["general"].attempts == 4 and sectors["general"].first_attempts == 2
    organisations = {g.key: g for g in queries.breakdown("organisation", 2025, "ru")}
    assert organisations[registry.orgs["B"].id].label.startswith("Центр Б")
    curricula = {g.label.split(" · ")[0]: g for g in queries.breakdown("curriculum", None, "ru")}
    assert curricula["KZ-OSH-MINING"].certificates["expired"] == 1
    audiences = {g.key: g for g in queries.breakdown("audience", 2025, "en")}
    assert audiences["managers"].attempts == 3 and audiences["managers"].passes == 1


def test_a_second_refresh_replaces_the_rows(app, registry):
    assert queries.snapshot() is not None and queries.as_of().startswith("2026-06-15T12:00:00+05:00")
    refresh()  # a second refresh replaces the rows: the primary keys would refuse a duplicate cell
    assert by_year(queries.indicator())[2025].tested == 3


def test_open_data_suppresses_small_cells(app, registry, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_OPEN_DATA_MIN_CELL", 2)
    rows = {(r["year"], r["region"]): r for r in queries.open_data("region")}
    a, b = rows[(2025, "karaganda")], rows[(2025, "almaty_region")]
    # responsible tested in 2025: A 2 (P1, P6), B 1 (P3) -> B withheld, and A with it (else 3 - 2 gives B)
    assert b["responsible_tested"] is None and a["responsible_tested"] is None
    assert a["responsible_passed"] == 2 and b["responsible_passed"] == 0
    assert a["indicator5_percent"] is None
    assert a["tested"] == 3 and b["tested"] == 2
    # certificates issued in 2025: B 1 is withheld, the only one, so A's 4 (the next smallest) with it
    assert b["certificates_issued"] is None and a["certificates_issued"] is None
    assert all("iin" not in r and "name" not in r for r in rows.values())


def test_open_data_without_suppression(app, registry, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_OPEN_DATA_MIN_CELL", 1)
    rows = {(r["year"], r["sector"]): r for r in queries.open_data("sector")}
    general = rows[(2025, "general")]
    assert (general["responsible_tested"], general["responsible_passed"], general["indicator5_percent"]) == (3, 2, 66.7)
    assert rows[(2025, "mining_metallurgy")]["certificates_issued"] == 2
    assert rows[(2026, "general")]["responsible_passed"] == 1


@pytest.mark.parametrize(("k", "want_2026"), [(1, {"passed": 1, "tested": 1, "value": 100.0}),
                                              (2, {"passed": None, "tested": None, "value": None})])
def test_indicator_items_withhold_small_counts(app, registry, monkeypatch, k, want_2026):
    monkeypatch.setitem(app.config, "LMS_OPEN_DATA_MIN_CELL", k)
    items = {i["year"]: i for i in queries.indicator_items()}
    assert list(items) == [2025, 2026, 2027, 2028, 2029, 2030]
    assert items[2025] == {"year": 2025, "target": 40, "passed": 2, "tested": 3, "value": 66.7}
    assert items[2026] == {"year": 2026, "target": 50, **want_2026}
    assert items[2030] == {"year": 2030, "target": 90, "passed": 0, "tested": 0, "value": None}


def test_suppression_rule():
    rows = [{"year": 2025, "n": 1}, {"year": 2025, "n": 7}, {"year": 2025, "n": 30}, {"year": 2025, "n": 0},
            {"year": 2026, "n": 3}, {"year": 2026, "n": 4}, {"year": 2026, "n": 50}]
    queries.suppress(rows, ("n",), 5)
    assert [r["n"] for r in rows] == [None, None, 30, 0, None, None, 50]
