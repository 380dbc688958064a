"""The reviews and partnerships questions: SPARQL on the example registry's RDF against Python
on its models, and against the findings GAPS.md names."""

from __future__ import annotations

import datetime as dt

from tests import coverage_oracle as oracle
from tests.coverage_support import TODAY, CoverageEnv, table


def test_reviews_equal_the_python_answer(coverage_env: CoverageEnv) -> None:
    answer = coverage_env.ask("reviews")
    assert table(answer, "hub", "status", "state") == oracle.reviews(coverage_env.registry, TODAY, 30)


def test_reviews_find_what_gaps_md_names(coverage_env: CoverageEnv) -> None:
    rows = {hub: state for hub, state in table(coverage_env.ask("reviews"), "hub", "state")}
    assert rows == {"eu-advocacy-hub": "overdue", "language-diversity-hub": "overdue", "arabic-hub": "overdue",
                    "education-hub": "due", "cee-hub": "due", "earth": "due"}


def test_reviews_follow_the_day_and_the_window(coverage_env: CoverageEnv) -> None:
    # a month-precision date is overdue only once its month is over: 2026-03 on 2026-03-31 is not
    march_end = dt.date(2026, 3, 31)
    states = dict(table(coverage_env.ask("reviews", today=march_end, days=0), "hub", "state"))
    assert states.get("language-diversity-hub") == "due"
    assert states.get("eu-advocacy-hub") == "overdue"
    for today, days in [(march_end, 0), (dt.date(2026, 4, 1), 0), (dt.date(2026, 12, 2), 400), (TODAY, 10)]:
        answer = coverage_env.ask("reviews", today=today, days=days)
        assert table(answer, "hub", "status", "state") == oracle.reviews(coverage_env.registry, today, days)
    assert "language-diversity-hub" in dict(
        table(coverage_env.ask("reviews", today=dt.date(2026, 4, 1), days=0), "hub", "state"))


def test_reviews_are_ordered_by_date(coverage_env: CoverageEnv) -> None:
    dates = [row["nextReview"].value for row in coverage_env.ask("reviews").result.rows]
    assert dates == sorted(dates) and len(dates) == 6


def test_partnerships_equal_the_python_answer(coverage_env: CoverageEnv) -> None:
    answer = coverage_env.ask("partnerships")
    assert table(answer, "type", "steward", "count", "partnerships") == oracle.partnerships(coverage_env.registry)


def test_partnerships_find_what_gaps_md_names(coverage_env: CoverageEnv) -> None:
    rows = {(t, s): (n, ids) for t, s, n, ids in table(coverage_env.ask("partnerships"),
                                                       "type", "steward", "count", "partnerships")}
    assert rows[("technology", "(none)")] == (1, ("internet-archive-citations",))
    assert rows[("content", "(none)")] == (1, ("smithsonian-open-access",))
    assert rows[("content", "wmse")][0] == 5
    assert rows[("financial", "wmua")] == (1, ("ucf-grant",))
    assert [s for t, s in rows if t == "financial"] == ["wmua"]
    unstewarded = {ids for (t, s), (n, ids) in rows.items() if s == "(none)"}
    assert unstewarded == {("internet-archive-citations",), ("smithsonian-open-access",)}
