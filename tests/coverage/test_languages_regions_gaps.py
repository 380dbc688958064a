"""The languages, regions and gaps questions: SPARQL on the example registry's RDF against
Python on its models, and against the findings GAPS.md names."""

from __future__ import annotations

import pytest

from tests import coverage_oracle as oracle
from tests.coverage_support import CoverageEnv, table
from wikibot.coverage import questions
from wikibot.registry.vocab import HubStatus, Region

LANGUAGE_VARS = ("rank", "code", "language", "speakers", "operating", "belowPilot", "inactive", "verdict")
REGION_VARS = ("region", "hubs", "operating", "affiliates", "inNoHub", "inNoHubCount", "verdict")
GAP_VARS = ("dimension", "code", "label")


@pytest.mark.parametrize("top", [10, 3, 20])
def test_languages_equal_the_python_answer(coverage_env: CoverageEnv, top: int) -> None:
    answer = coverage_env.ask("languages", top=top)
    assert table(answer, *LANGUAGE_VARS) == oracle.languages(coverage_env.registry, top)
    assert len(answer.result.rows) == top


def test_languages_find_what_gaps_md_names(coverage_env: CoverageEnv) -> None:
    rows = {code: (operating, below, verdict) for code, operating, below, verdict
            in table(coverage_env.ask("languages"), "code", "operating", "belowPilot", "verdict")}
    assert {code for code, (_, _, v) in rows.items() if v == "operating hub"} == {"zh", "fr"}
    assert {code for code, (_, _, v) in rows.items() if v == "hub below pilot only"} == {"hi", "es", "ar"}
    assert {code for code, (_, _, v) in rows.items() if v == "no open hub"} == {"en", "bn", "pt", "ru", "ur"}
    assert rows["zh"][0] == ("eseap-hub (pilot)",)
    assert rows["fr"][0] == ("wikifranca (implementation)",)
    assert rows["hi"][1] == ("south-asia-hub (research)",)
    assert rows["es"][1] == ("lac-hub (planning)",)
    assert rows["ar"][1] == ("arabic-hub (planning)",)
    assert rows["en"] == ((), (), "no open hub")
    # beyond the top ten: Indonesian has eseap-hub; German and Japanese have no hub
    wider = dict(table(coverage_env.ask("languages", top=13), "code", "verdict"))
    assert (wider["id"], wider["de"], wider["ja"]) == ("operating hub", "no open hub", "no open hub")


def test_languages_are_ordered_by_rank(coverage_env: CoverageEnv) -> None:
    codes = [row["code"].value for row in coverage_env.ask("languages").result.rows]
    assert codes == ["en", "zh", "hi", "es", "fr", "ar", "bn", "pt", "ru", "ur"]


def test_regions_equal_the_python_answer(coverage_env: CoverageEnv) -> None:
    answer = coverage_env.ask("regions")
    assert table(answer, *REGION_VARS) == oracle.regions(coverage_env.registry)


def test_regions_find_what_gaps_md_names(coverage_env: CoverageEnv) -> None:
    answer = coverage_env.ask("regions")
    rows = {region: rest for region, *rest in table(answer, "region", "hubs", "affiliates", "inNoHub")}
    assert rows == {
        "eseap": [("eseap-hub (pilot)",), 3, ()],
        "south-asia": [("south-asia-hub (research)",), 3, ("wmbd",)],
        "sub-saharan-africa": [("earth (planning)",), 3, ("wm-nigeria", "wmza")],
        "mena": [("arabic-hub (planning)",), 3, ()],
        "cee-central-asia": [("cee-hub (implementation)", "eu-advocacy-hub (under-review)"), 5, ()],
        "northern-western-europe": [("eu-advocacy-hub (under-review)", "nordic-hub (dormant)"), 7, ("wmuk",)],
        "latin-america-caribbean": [("lac-hub (planning)",), 3, ()],
        "north-america": [(), 2, ("wmca", "wmnyc")],
        "(none)": [(), 3, ("art-feminism", "wiki-project-med")],
    }
    operating = dict(table(answer, "region", "operating"))
    assert {r for r, n in operating.items() if n == 0} == {
        "south-asia", "sub-saharan-africa", "mena", "latin-america-caribbean", "north-america"}
    assert operating["northern-western-europe"] == 1  # eu-advocacy-hub: under review still operates
    assert operating["(none)"] is None
    verdicts = dict(table(answer, "region", "verdict"))
    assert verdicts["north-america"] == "no open hub"
    assert verdicts["northern-western-europe"] == verdicts["eseap"] == "operating hub"
    assert verdicts["mena"] == "hub below pilot only"
    # GAPS.md: in all, 8 affiliates belong to no hub
    outside = [org for (orgs,) in table(answer, "inNoHub") for org in orgs]
    assert sorted(outside) == sorted(["wmuk", "wmbd", "wmza", "wm-nigeria", "wmca", "wmnyc",
                                      "wiki-project-med", "art-feminism"])
    assert sum(count for (count,) in table(answer, "inNoHubCount")) == 8


def test_regions_are_in_the_vocabulary_order(coverage_env: CoverageEnv) -> None:
    regions = [row["region"].value for row in coverage_env.ask("regions").result.rows]
    assert regions == [r.value for r in Region] + ["(none)"]


@pytest.mark.parametrize("top", [10, 3, 20])
def test_gaps_equal_the_python_answer(coverage_env: CoverageEnv, top: int) -> None:
    answer = coverage_env.ask("gaps", top=top)
    assert table(answer, *GAP_VARS) == oracle.gaps(coverage_env.registry, top)


def test_gaps_find_what_gaps_md_names(coverage_env: CoverageEnv) -> None:
    rows = [tuple(row[v].value for v in GAP_VARS) for row in coverage_env.ask("gaps").result.rows]
    assert rows == [
        ("region", "north-america", "North America"),
        ("language", "en", "English"),
        ("language", "bn", "Bengali"),
        ("language", "pt", "Portuguese"),
        ("language", "ru", "Russian"),
        ("language", "ur", "Urdu"),
        ("theme", "community-health", "Community health"),
    ]
    assert {code for dimension, code, _ in table(coverage_env.ask("gaps", top=13), *GAP_VARS)
            if dimension == "language"} == {"en", "bn", "pt", "ru", "ur", "de", "ja"}


@pytest.mark.parametrize("open_statuses", [questions.OPERATING, tuple(HubStatus)],
                         ids=["operating-only", "every-status"])
def test_the_answers_follow_the_shared_status_definitions(coverage_env: CoverageEnv, monkeypatch: pytest.MonkeyPatch,
                                                          open_statuses: tuple[HubStatus, ...]) -> None:
    # the queries take "open" from the run's values, as the oracle takes it from questions.OPEN
    monkeypatch.setattr(questions, "OPEN", open_statuses)
    registry = coverage_env.registry
    assert table(coverage_env.ask("languages"), *LANGUAGE_VARS) == oracle.languages(registry, 10)
    assert table(coverage_env.ask("regions"), *REGION_VARS) == oracle.regions(registry)
    gaps = table(coverage_env.ask("gaps"), *GAP_VARS)
    assert gaps == oracle.gaps(registry, 10)
    if open_statuses == questions.OPERATING:  # research and planning hubs no longer count
        assert ("region", "mena", "Middle East and North Africa (MENA)") in gaps
        assert ("language", "hi", "Hindi") in gaps
        assert ("theme", "glam", "GLAM") in gaps
