"""The registry model: vocabularies, dates with precision, entry validation, cross-entry checks."""

import pytest
from pydantic import ValidationError

from wikibot.registry import Claim, EntryKind, Hub, Organization, Partnership, SourceRef, WikiDate
from wikibot.registry.check import check_registry
from wikibot.registry.vocab import HubStatus, Region, parse_term, suggest


def test_dates_carry_their_wikibase_precision() -> None:
    assert [WikiDate.parse(t).precision for t in ("2021", "2021-05", "2021-05-14")] == [9, 10, 11]
    assert str(WikiDate.parse("2021-05")) == "2021-05"
    assert WikiDate.parse("2024-02-29").day == 29
    for bad in ("2023-02-29", "2021-13", "2021-00", "21", "2021-5-1", "May 2021", "0000"):
        with pytest.raises(ValueError):
            WikiDate.parse(bad)
    assert WikiDate.parse("2021").latest.isoformat() == "2021-12-31"
    assert WikiDate.parse("2021-02").latest.isoformat() == "2021-02-28"


def test_terms_are_read_forgivingly_and_suggested_strictly() -> None:
    assert parse_term(" Under review ", HubStatus) is HubStatus.UNDER_REVIEW
    assert suggest("CEE", Region) == "cee-central-asia"
    assert suggest("zzzz", Region) is None
    with pytest.raises(ValueError, match="did you mean 'sub-saharan-africa'"):
        parse_term("sub-saharan africa.", Region)


def _hub(**changes: object) -> Hub:
    data = {"id": "h", "names": {"en": "H"}, "hub_kind": ["regional"], "status": "pilot",
            "regions": ["eseap"], **changes}
    return Hub.model_validate(data)


def test_entries_are_frozen_and_normalised() -> None:
    hub = _hub(names={"en": "  Cafe\u0301 Hub "})
    assert hub.names["en"] == "Café Hub"  # NFC, trimmed: what MediaWiki and Wikibase store
    with pytest.raises(ValidationError):
        hub.status = HubStatus.CLOSED  # type: ignore[misc]


@pytest.mark.parametrize(("changes", "message"), [
    ({"id": "CEE_Hub"}, "not a registry id"),
    ({"id": "a" * 65}, "at most 64"),
    ({"names": {}}, "at least 1"),
    ({"names": {"en": "x\ny"}}, "single line"),
    ({"names": {"EN": "x"}}, "not a language code"),
    ({"names": {"en": "x" * 251}}, "at most 250"),
    ({"countries": ["PL", "XX"]}, "ISO 3166-1"),
    ({"regions": ["eseap", "eseap"]}, "listed twice"),
    ({"regions": []}, "needs regions or countries"),
    ({"hub_kind": ["language"]}, "needs languages"),
    ({"website": "ftp://x.org"}, "not an http"),
    ({"item": "P12"}, "not an item id"),
    ({"host": "h"}, "cannot host itself"),
    ({"page": "Hubs/[bad]"}, "not a page title"),
])
def test_invalid_hubs_are_refused_with_a_reason(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _hub(**changes)


def test_partnership_coherence() -> None:
    base = {"id": "p", "names": {"en": "P"}, "partner": "o", "partnership_type": ["content"],
            "scope": "global", "status": "active"}
    Partnership.model_validate(base)
    for changes, message in [
        ({"scope": "regional"}, "needs regions"),
        ({"scope": "national"}, "needs countries"),
        ({"status": "ended"}, "needs an end date"),
        ({"start": "2022-05", "end": "2022-04-30"}, "before it starts"),
    ]:
        with pytest.raises(ValidationError, match=message):
            Partnership.model_validate({**base, **changes})
    # same month, day precision on one side only: not before
    Partnership.model_validate({**base, "start": "2022-05", "end": "2022-05-01"})


def test_cross_entry_checks() -> None:
    org = Organization(id="o", names={"en": "O"}, type="chapter")
    hub = _hub(host="o", members=("o", "ghost"))
    partnership = Partnership.model_validate({
        "id": "p", "names": {"en": "P"}, "partner": "h", "partnership_type": ["content"],
        "scope": "global", "status": "active", "stewards": ["h", "o"]})
    claims = [Claim(e.id, e.kind, SourceRef("T", i), e) for i, e in enumerate([org, hub, partnership], 1)]
    claims.append(Claim("o", EntryKind.ORGANIZATION, SourceRef("U", 9), None))
    claims.append(Claim("old", EntryKind.ORGANIZATION, SourceRef("U", 10), None))
    problems = {(p.source.line, p.field, str(p.code)) for p in check_registry(claims, retired_ids=["old"])}
    assert problems == {
        (2, "members", "unknown-reference"),
        (3, "partner", "wrong-reference-kind"),  # a hub is no partner; a hub may steward
        (9, "id", "duplicate-id"),
        (10, "id", "reused-id"),
    }
