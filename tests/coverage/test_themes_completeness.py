"""The themes and completeness questions: SPARQL on the example registry's RDF against Python
on its models, against the findings GAPS.md names, and on small stores made to show the cases
the example does not have (ties, partnerships with no steward, items with no value, no item)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from tests import coverage_oracle as oracle
from tests.coverage_support import CoverageEnv, table
from wikibot.adapters.query_embedded import EmbeddedQueryStore
from wikibot.coverage.questions import Answer, ask, load_question
from wikibot.registry.models import EntryKind
from wikibot.registry.vocab import ThematicArea
from wikibot.wikibase.mapping import FIELDS

THEME_COUNTS = ("theme", "hubs", "openHubs", "partnerships", "stewards", "largest", "leads")


def _close(share: object, expected: Fraction) -> bool:
    """``share`` is ``expected`` rounded to three decimal places, as the queries round it."""
    assert isinstance(share, (Decimal, int)), share
    return Fraction(share) == oracle.share(expected)


def _store(env: CoverageEnv, turtle: str) -> EmbeddedQueryStore:
    """A store holding only ``turtle``, written with the query placeholders (``wd:{{Q:…}}``)."""
    store = EmbeddedQueryStore()
    store.load_turtle(env.prefixes.render_sparql() + env.context().fill(turtle))
    return store


def _ask(env: CoverageEnv, name: str, store: EmbeddedQueryStore) -> Answer:
    """``name`` asked of ``store``, also when it is empty (``env.ask`` would take an empty,
    hence falsy, store for no store given and ask the example's)."""
    return ask(store, load_question(name), env.context())


# -- themes ---------------------------------------------------------------------------------

def test_themes_equal_the_python_answer(coverage_env: CoverageEnv) -> None:
    answer = coverage_env.ask("themes")
    assert table(answer, *THEME_COUNTS) == oracle.themes(coverage_env.registry)
    for theme, partnerships, leads, share in table(answer, "theme", "partnerships", "leads", "share"):
        if partnerships == 0:
            assert share is None, theme
        else:
            assert _close(share, Fraction(leads, partnerships)), (theme, share)  # type: ignore[arg-type]


def test_themes_find_what_gaps_md_names(coverage_env: CoverageEnv) -> None:
    rows = {row[0]: row[1:] for row in table(coverage_env.ask("themes"), *THEME_COUNTS, "share")}
    # glam: wmse leads 5 of the 9 partnerships; 5 stewards in all; glam-hub covers it
    hubs, open_hubs, partnerships, stewards, largest, leads, share = rows["glam"]
    assert (hubs, open_hubs, partnerships, stewards, largest, leads) == (
        ("glam-hub (planning)",), 1, 9, 5, ("wmse",), 5)
    assert _close(share, Fraction(5, 9))
    # community-health: the theme gap, no hub and no partnership, so no share at all
    assert rows["community-health"] == ((), 0, 0, 0, (), 0, None)
    # in every other theme no steward leads more than one partnership
    assert all(leads <= 1 for theme, (*_, leads, _share) in rows.items() if theme != "glam")
    assert {theme: hubs for theme, (hubs, *_) in rows.items()} == {
        "glam": ("glam-hub (planning)",), "partnerships": ("glam-hub (planning)",),
        "education": ("education-hub (research)",), "advocacy": ("eu-advocacy-hub (under-review)",),
        "capacity-building": ("cee-hub (implementation)", "earth (planning)", "eseap-hub (pilot)"),
        "technology": ("language-diversity-hub (pilot)", "tech-hub (closed)"),
        "research": ("language-diversity-hub (pilot)",), "language-diversity": ("language-diversity-hub (pilot)",),
        "community-health": (),
    }
    assert rows["technology"][1] == 1  # tech-hub is closed: listed, not counted as open


def test_themes_are_every_theme_in_vocabulary_order(coverage_env: CoverageEnv) -> None:
    themes = [row["theme"].value for row in coverage_env.ask("themes").result.rows]
    assert themes == [theme.value for theme in ThematicArea]


def test_themes_list_every_tied_steward_and_count_unstewarded_partnerships(coverage_env: CoverageEnv) -> None:
    store = _store(coverage_env, """
        wd:A wdt:{{P:registry_id}} "a" .
        wd:B wdt:{{P:registry_id}} "b" .
        wd:C wdt:{{P:registry_id}} "c" .
        wd:P1 wdt:{{P:instance_of}} wd:{{Q:class:partnership}} ; wdt:{{P:theme}} wd:{{Q:theme:glam}} ;
              wdt:{{P:steward}} wd:A .
        wd:P2 wdt:{{P:instance_of}} wd:{{Q:class:partnership}} ; wdt:{{P:theme}} wd:{{Q:theme:glam}} ;
              wdt:{{P:steward}} wd:A , wd:B .
        wd:P3 wdt:{{P:instance_of}} wd:{{Q:class:partnership}} ; wdt:{{P:theme}} wd:{{Q:theme:glam}} ;
              wdt:{{P:steward}} wd:B , wd:C .
        wd:P4 wdt:{{P:instance_of}} wd:{{Q:class:partnership}} ; wdt:{{P:theme}} wd:{{Q:theme:glam}} .
        wd:P5 wdt:{{P:instance_of}} wd:{{Q:class:partnership}} ; wdt:{{P:theme}} wd:{{Q:theme:education}} .
        wd:H1 wdt:{{P:instance_of}} wd:{{Q:class:hub}} ; wdt:{{P:registry_id}} "h1" ;
              wdt:{{P:theme}} wd:{{Q:theme:glam}} ; wdt:{{P:status}} wd:{{Q:hub-status:dormant}} .
        wd:H2 wdt:{{P:instance_of}} wd:{{Q:class:hub}} ; wdt:{{P:registry_id}} "h2" ;
              wdt:{{P:theme}} wd:{{Q:theme:glam}} .
        wd:H3 wdt:{{P:instance_of}} wd:{{Q:class:organization}} ; wdt:{{P:registry_id}} "h3" ;
              wdt:{{P:theme}} wd:{{Q:theme:glam}} .
    """)
    rows = {row[0]: row[1:] for row in table(_ask(coverage_env, "themes", store), *THEME_COUNTS, "share")}
    *glam, glam_share = rows["glam"]
    assert glam == [("h1 (dormant)", "h2 (no status)"), 0, 4, 3, ("a", "b"), 2]
    assert _close(glam_share, Fraction(2, 4))
    *education, education_share = rows["education"]
    assert education == [(), 0, 1, 0, (), 0]
    assert _close(education_share, Fraction(0))  # partnerships, none stewarded: nobody holds any
    assert rows["research"] == ((), 0, 0, 0, (), 0, None)


def test_themes_on_an_empty_store_list_every_theme_at_zero(coverage_env: CoverageEnv) -> None:
    rows = table(_ask(coverage_env, "themes", EmbeddedQueryStore()), *THEME_COUNTS, "share")
    assert rows == sorted(((t.value, (), 0, 0, 0, (), 0, None) for t in ThematicArea), key=repr)


# -- completeness ---------------------------------------------------------------------------

COMPLETENESS = ("class", "field", "items", "with")


def _pairs() -> set[tuple[str, str]]:
    return {(kind.value, spec.field) for kind in EntryKind for spec in FIELDS[kind] if spec.qualifier_of is None}


def test_completeness_equals_the_python_answer(coverage_env: CoverageEnv) -> None:
    answer = coverage_env.ask("completeness")
    assert table(answer, *COMPLETENESS) == oracle.completeness(coverage_env.registry)
    for kind, field, items, having, share in table(answer, *COMPLETENESS, "share"):
        assert _close(share, Fraction(having, items)), (kind, field, share)  # type: ignore[arg-type]


def test_completeness_has_every_class_and_field(coverage_env: CoverageEnv) -> None:
    answer = coverage_env.ask("completeness")
    rows = {(kind, field): (items, having) for kind, field, items, having in table(answer, *COMPLETENESS)}
    assert len(answer.result.rows) == len(rows) == len(_pairs())
    assert set(rows) == _pairs()
    # GAPS.md's contents: 13 hubs, 20 partnerships, 54 organisations
    assert {kind: items for (kind, _), (items, _) in rows.items()} == {
        "hub": 13, "partnership": 20, "organization": 54}
    # always there: the registry id, a hub's kinds, an organisation's type (not their class)
    for pair in [("hub", "id"), ("hub", "hub_kind"), ("hub", "status"), ("partnership", "id"),
                 ("partnership", "partner"), ("organization", "id"), ("organization", "type")]:
        assert rows[pair][1] == rows[pair][0], pair
    assert rows[("hub", "website")] == (13, 0)  # a field no hub has still has its row
    assert rows[("partnership", "stewards")] == (20, 18)  # GAPS.md: two partnerships have no steward
    assert rows[("hub", "next_review")] == (13, 11)  # GAPS.md: nordic-hub and tech-hub have none
    labels = {(row["class"].value, row["field"].value): row["propertyLabel"].value for row in answer.result.rows}
    assert labels[("hub", "hub_kind")] == "instance of" and labels[("organization", "website")] == "official website"


def test_completeness_is_ordered_by_class_then_share(coverage_env: CoverageEnv) -> None:
    rows = [(row["class"].value, row["share"].to_python(), row["field"].value)
            for row in coverage_env.ask("completeness").result.rows]
    assert rows == sorted(rows)


def test_completeness_does_not_count_the_class_itself(coverage_env: CoverageEnv) -> None:
    store = _store(coverage_env, """
        wd:H1 wdt:{{P:instance_of}} wd:{{Q:class:hub}} ; wdt:{{P:registry_id}} "h1" .
        wd:H2 wdt:{{P:instance_of}} wd:{{Q:class:hub}} , wd:{{Q:hub-kind:regional}} ;
              wdt:{{P:website}} <https://example.org/> .
        wd:O1 wdt:{{P:instance_of}} wd:{{Q:class:organization}} ; wdt:{{P:website}} <https://example.org/o> .
    """)
    answer = _ask(coverage_env, "completeness", store)
    rows = {(kind, field): rest for kind, field, *rest in table(answer, *COMPLETENESS, "share")}
    assert set(rows) == _pairs()
    assert rows[("hub", "hub_kind")] == [2, 1, Decimal("0.5")]
    assert rows[("hub", "id")] == [2, 1, Decimal("0.5")]
    assert rows[("hub", "website")] == [2, 1, Decimal("0.5")]
    assert rows[("hub", "status")] == [2, 0, Decimal(0)]
    assert rows[("organization", "type")] == [1, 0, Decimal(0)]
    assert rows[("organization", "website")] == [1, 1, Decimal(1)]
    # a class with no item: every field listed, at 0, with no share
    assert all(rest == [0, 0, None] for (kind, _), rest in rows.items() if kind == "partnership")


def test_completeness_on_an_empty_store_lists_every_pair_at_zero(coverage_env: CoverageEnv) -> None:
    rows = table(_ask(coverage_env, "completeness", EmbeddedQueryStore()), *COMPLETENESS, "share")
    assert rows == sorted(((kind, field, 0, 0, None) for kind, field in _pairs()), key=repr)


def test_shares_are_rounded_to_three_places_halves_up(coverage_env: CoverageEnv) -> None:
    # 1 of 16 hubs has a website: 0.0625, a half at the fourth place, goes up to 0.063;
    # 2 of 3 organisations have one: 0.666… gives 0.667 (every engine then gives the same number)
    hubs = "\n".join(f"wd:H{n} wdt:{{{{P:instance_of}}}} wd:{{{{Q:class:hub}}}} ." for n in range(16))
    store = _store(coverage_env, hubs + """
        wd:H0 wdt:{{P:website}} <https://example.org/h> .
        wd:O1 wdt:{{P:instance_of}} wd:{{Q:class:organization}} ; wdt:{{P:website}} <https://example.org/1> .
        wd:O2 wdt:{{P:instance_of}} wd:{{Q:class:organization}} ; wdt:{{P:website}} <https://example.org/2> .
        wd:O3 wdt:{{P:instance_of}} wd:{{Q:class:organization}} .
    """)
    rows = {(kind, field): rest for kind, field, *rest in table(_ask(coverage_env, "completeness", store),
                                                               *COMPLETENESS, "share")}
    assert rows[("hub", "website")] == [16, 1, Decimal("0.063")]
    assert rows[("organization", "website")] == [3, 2, Decimal("0.667")]
    assert oracle.share(Fraction(1, 16)) == Fraction(63, 1000) and oracle.share(Fraction(2, 3)) == Fraction(667, 1000)
