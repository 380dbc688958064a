"""Issue 16: nothing an editor's mistake, a crash or a stray value can do corrupts an item, a page or
another entry.  Each class of defect is tried with generated members of the class, on the local
workspace through the ``wikibot`` command (as a user runs it), from one synced example workspace
copied per example.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_support import run
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.adapters.state_sqlite import SqliteStateStore
from wikibot.adapters.workspace import LocalPageStore
from wikibot.registry.models import EntryKind
from wikibot.wikibase.entity import registry_ids_of, statements
from wikibot.wikibase.instance import InstanceIds
from wikibot.wikibase.mapping import ResolvedMapping
from wikibot.wikitext.registry_edit import patch_entry
from wikibot.wikitext.registry_page import parse_registry_page

TITLES = ("Organizations/Registry", "Hubs/Registry", "Partnerships/Registry")
ORGS, HUBS, PARTNERSHIPS = TITLES
REPORT = "Registry/Sync report"
EXAMPLES = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example registry, bootstrapped and synced once (every entry has its item)."""
    root = tmp_path_factory.mktemp("synced") / "ws"
    assert run("init", str(root))[0] == 0
    assert run("bootstrap", "--workspace", str(root))[0] == 0
    assert run("sync", "--workspace", str(root))[0] == 0
    return root


class Workspace:
    """A copy of the synced workspace, and what a test needs to look into it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pages = LocalPageStore(root)
        self.editor = LocalPageStore(root, user="An editor")
        self.entities = LocalEntityStore(root)
        self.mapping: ResolvedMapping = InstanceIds.parse(
            (root / "wikibase-ids.json").read_text(encoding="utf-8")).resolved()

    def cli(self, *args: str) -> tuple[int, str]:
        return run(*args, "--workspace", str(self.root))

    def text(self, title: str) -> str:
        page = self.pages.fetch_pages([title])[title]
        assert page is not None
        return page.text

    def write(self, title: str, text: str) -> None:
        page = self.editor.fetch_pages([title])[title]
        self.editor.save_page(title, text, base=page, summary="an editor")

    def patch(self, title: str, registry_id: str, changes: dict[str, str | None]) -> None:
        self.write(title, patch_entry(self.text(title), registry_id, changes))

    def entries(self, title: str) -> dict[str, Any]:
        return {e.id: e for e in parse_registry_page(self.text(title), title).entries}

    def item(self, registry_id: str) -> str:
        synced = {e.registry_id: e.item for e in self._state().entries().values()}
        return synced[registry_id]

    def entity(self, item: str) -> dict[str, Any]:
        found = self.entities.fetch_entities([item])[item]
        assert found is not None
        return found.data

    def revisions(self) -> dict[str, int]:
        return {p.stem: len(json.loads(p.read_text(encoding="utf-8")))
                for p in (self.root / "entities").glob("Q*.json")}

    def edit_item(self, item: str, data: dict[str, Any]) -> None:
        found = self.entities.fetch_entities([item])[item]
        assert found is not None
        self.entities.save_entity(item, data, base_revid=found.revid, summary="a Wikibase editor")

    def status_of(self, item: str) -> str | None:
        values = [s["mainsnak"]["datavalue"]["value"]["id"] for s in statements(self.entity(item),
                                                                                self.mapping.pid("status"))]
        keys = {qid: key for key, qid in self.mapping.items.items()}
        return keys.get(values[0]) if len(values) == 1 else None

    def kinds(self) -> dict[str, EntryKind]:
        return {e.id: e.kind for title in TITLES for e in self.entries(title).values()}

    def _state(self) -> SqliteStateStore:
        return SqliteStateStore(self.root / "state" / "sync.sqlite")


@pytest.fixture
def copy(synced: Path) -> Iterator[Any]:
    """A function giving a fresh copy of the synced workspace (several per test for hypothesis)."""
    made: list[Path] = []

    def make() -> Workspace:
        target = Path(tempfile.mkdtemp(prefix="mistake-")) / "ws"
        shutil.copytree(synced, target)
        made.append(target.parent)
        return Workspace(target)

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


def _owners(ws: Workspace) -> dict[str, list[str]]:
    """Item -> the registry ids its registry-id statements hold, for every registry item."""
    return {qid: registry_ids_of(ws.entity(qid), ws.mapping) for qid in ws.revisions()
            if registry_ids_of(ws.entity(qid), ws.mapping)}


def _ids(title: str, synced: Path) -> list[str]:
    return sorted(e.id for e in parse_registry_page(LocalPageStore(synced).fetch_pages([title])[title].text,  # type: ignore[union-attr]
                                                    title).entries)


# -- 1. Item ownership ----------------------------------------------------------------------------

@EXAMPLES
@given(st.data())
def test_an_item_named_by_two_entries_is_reported_by_validate_and_written_by_no_one(copy: Any, data: Any) -> None:
    ws = copy()
    before = ws.revisions()
    owners_before = _owners(ws)
    kinds = ws.kinds()
    taker = data.draw(st.sampled_from(sorted(kinds)), label="entry given another's item")
    owner = data.draw(st.sampled_from(sorted(set(kinds) - {taker})), label="whose item")
    title = next(t for t in TITLES if taker in ws.entries(t))
    ws.patch(title, taker, {"item": ws.item(owner)})
    code, out = ws.cli("validate")
    assert code == 1 and out.count(f"item {ws.item(owner)} is also named by") == 2, out
    code, out = ws.cli("sync")
    assert code == 1
    assert _owners(ws) == owners_before  # no item got a second registry id, none was relabelled
    assert ws.entity(ws.item(owner))["labels"] == LocalEntityStore(ws.root).fetch_entities(  # unchanged
        [ws.item(owner)])[ws.item(owner)].data["labels"]  # type: ignore[union-attr]
    changed = {q for q, n in ws.revisions().items() if before.get(q) != n}
    assert ws.item(owner) not in changed and ws.item(taker) not in changed


@EXAMPLES
@given(st.data())
def test_sync_never_writes_an_entry_into_an_item_holding_another_registry_id(copy: Any, data: Any) -> None:
    ws = copy()
    kinds = ws.kinds()
    taker = data.draw(st.sampled_from(sorted(kinds)), label="entry given another's item")
    owner = data.draw(st.sampled_from(sorted(set(kinds) - {taker})), label="whose item")
    owner_title = next(t for t in TITLES if owner in ws.entries(t))
    taker_title = next(t for t in TITLES if taker in ws.entries(t))
    ws.patch(owner_title, owner, {"item": None})  # the owner's page no longer says it; the state does
    ws.patch(taker_title, taker, {"item": ws.item(owner), "name": "A new name for everything"})
    texts = {t: ws.text(t) for t in TITLES}
    owners_before, labels_before = _owners(ws), ws.entity(ws.item(owner))["labels"]
    code, out = ws.cli("sync")
    assert code == 1 and f"{taker}" in out
    assert _owners(ws) == owners_before
    assert ws.entity(ws.item(owner))["labels"] == labels_before
    report = ws.text(REPORT)
    assert taker in report and f"belongs to {owner!r}" in report.replace("&#39;", "'")
    for t in TITLES:  # other entries' host/members/stewards/partner still name what they named
        before = {e.id: e for e in parse_registry_page(texts[t], t).entries}
        for registry_id, entry in ws.entries(t).items():
            if registry_id not in (taker, owner):
                assert entry == before[registry_id]


@EXAMPLES
@given(st.data(), st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,6}){0,2}", fullmatch=True))
def test_a_registry_id_changed_on_the_wikibase_is_reported_and_not_written_back(copy: Any, data: Any,
                                                                                new_id: str) -> None:
    ws = copy()
    kinds = ws.kinds()
    victim = data.draw(st.sampled_from(sorted(kinds)), label="entry")
    other = data.draw(st.sampled_from([new_id, *sorted(set(kinds) - {victim})]), label="the id now on its item")
    item = ws.item(victim)
    statement = statements(ws.entity(item), ws.mapping.pid("registry_id"))[0]
    changed = json.loads(json.dumps(statement))
    changed["mainsnak"]["datavalue"]["value"] = other
    ws.edit_item(item, {"claims": [changed]})
    revision = ws.revisions()[item]
    texts = {t: ws.text(t) for t in TITLES}
    code, _out = ws.cli("sync")
    assert code == 1
    assert registry_ids_of(ws.entity(item), ws.mapping) == [other]  # not written back
    assert ws.revisions()[item] == revision
    assert f"belongs to {other!r}" in ws.text(REPORT).replace("&#39;", "'")
    title = next(t for t in TITLES if victim in ws.entries(t))
    assert ws.entries(title)[victim] == {e.id: e for e in parse_registry_page(texts[title], title).entries}[victim]


@EXAMPLES
@given(st.data())
def test_a_reference_changed_on_the_wikibase_to_an_entry_of_the_wrong_kind_is_reported(copy: Any, data: Any) -> None:
    ws = copy()
    kinds = ws.kinds()
    hubs = sorted(r for r, k in kinds.items() if k is EntryKind.HUB)
    hub = data.draw(st.sampled_from(hubs), label="hub")
    wrong = data.draw(st.sampled_from(sorted(r for r, k in kinds.items() if k is not EntryKind.ORGANIZATION
                                             and r != hub)), label="another hub or a partnership as host")
    host = ws.mapping.pid("host")
    item = ws.item(hub)
    claim = {"mainsnak": {"snaktype": "value", "property": host, "datavalue": {
        "type": "wikibase-entityid", "value": {"entity-type": "item", "id": ws.item(wrong),
                                               "numeric-id": int(ws.item(wrong)[1:])}}},
             "type": "statement", "rank": "normal"}
    removals = [{"id": s["id"], "remove": ""} for s in statements(ws.entity(item), host)]
    ws.edit_item(item, {"claims": [*removals, claim]})
    before = ws.text(HUBS)
    code, _ = ws.cli("sync")
    assert code == 1
    assert ws.entries(HUBS)[hub].host == parse_registry_page(before, HUBS).entries[
        [e.id for e in parse_registry_page(before, HUBS).entries].index(hub)].host  # not written to the page
    report = ws.text(REPORT)  # the report names entries by their names, linked to their pages
    assert ws.entries(HUBS)[hub].names["en"] in report and "not an organization" in report


# -- 2. Removal only when truly removed --------------------------------------------------------------

def _break_id(draw: Any, registry_id: str) -> str:
    return draw(st.sampled_from([registry_id.replace("-", "_"), registry_id.upper(), f" {registry_id} ",
                                 registry_id + "!", "", "[[" + registry_id + "]]", registry_id.replace("-", " ")]))


@st.composite
def mistakes(draw: Any, text: str, registry_id: str, template: str) -> str:
    """The call of ``registry_id`` on a page, broken the way editors break calls (its item kept)."""
    start = text.index(f"| id = {registry_id}\n") if f"| id = {registry_id}\n" in text else text.index(
        f"|id={registry_id}")
    call_start = text.rindex("{{", 0, start)
    call_end = text.index("\n}}", start) + 3
    call = text[call_start:call_end]
    kind = draw(st.sampled_from(["id", "template", "param", "renamed", "wrapped", "no-id"]))
    if kind == "id":
        call = call.replace(f"id = {registry_id}", f"id = {_break_id(draw, registry_id)}", 1)
    elif kind == "template":
        call = call.replace(template, draw(st.sampled_from([template.lower(), template + "s", template[:-1],
                                                            "Template:" + template.upper()])), 1)
    elif kind == "param":
        call = re.sub(r"\| (name|kind|status|type|scope) ", lambda m: "| " + m.group(1)[::-1] + " ", call, count=1)
    elif kind == "renamed":
        call = call.replace(f"id = {registry_id}", f"id = {registry_id}-renamed", 1)
    elif kind == "wrapped":
        call = "{{Collapse top|content=" + call + "}}"
    else:
        call = re.sub(r"\| id = [^\n]*\n", "", call, count=1)
    return text[:call_start] + call + text[call_end:]


@EXAMPLES
@given(st.data())
def test_an_entry_whose_call_is_broken_keeps_its_item_and_is_never_retired(copy: Any, data: Any) -> None:
    ws = copy()
    title = data.draw(st.sampled_from([HUBS, PARTNERSHIPS]), label="page")
    kind = EntryKind.HUB if title == HUBS else EntryKind.PARTNERSHIP
    template = {EntryKind.HUB: "Hub registry entry", EntryKind.PARTNERSHIP: "Partnership registry entry"}[kind]
    registry_id = data.draw(st.sampled_from(sorted(ws.entries(title))), label="entry")
    item = ws.item(registry_id)
    status = ws.status_of(item)
    broken = data.draw(mistakes(ws.text(title), registry_id, template), label="broken page")
    ws.write(title, broken)
    _code, out = ws.cli("sync", "--retire")
    assert ws.status_of(item) == status, out  # not closed, not ended
    assert f"removed {registry_id} " not in out
    again = ws.text(title)
    assert "status = closed" not in again.split(registry_id)[-1][:400] if registry_id in again else True


def test_an_entry_truly_removed_is_retired_on_request(copy: Any) -> None:
    ws = copy()
    text = ws.text(HUBS)
    start = text.index("| id = eseap-hub")
    call_start, call_end = text.rindex("{{", 0, start), text.index("\n}}", start) + 3
    item = ws.item("eseap-hub")
    ws.write(HUBS, text[:call_start] + text[call_end:])
    _code, _out = ws.cli("sync", "--retire")
    assert ws.status_of(item) == "hub-status:closed"


def test_a_page_taken_out_of_the_configuration_retires_none_of_its_entries(copy: Any) -> None:
    ws = copy()
    items = {registry_id: ws.item(registry_id) for registry_id in ws.entries(PARTNERSHIPS)}
    statuses = {item: ws.status_of(item) for item in items.values()}
    (ws.root / "wikibot.toml").write_text('[registry]\npages = ["Organizations/Registry", "Hubs/Registry"]\n',
                                          encoding="utf-8")
    _code, out = ws.cli("sync", "--retire")
    assert {item: ws.status_of(item) for item in items.values()} == statuses
    assert all(f"unlisted {registry_id}" in out or registry_id in ws.text(REPORT) for registry_id in items)
    assert "removed " not in out


# -- 4. What validate accepts can be written everywhere -----------------------------------------------

URLISH = st.builds(lambda scheme, host, path: f"{scheme}://{host}{path}",
                   st.sampled_from(["http", "https", "ftp", "javascript"]),
                   st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=12),
                   st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20))


@settings(max_examples=60, deadline=None)
@given(URLISH | st.text(max_size=30))
def test_a_website_validate_accepts_is_taken_by_the_wikibase_and_the_rdf_layer(url: str) -> None:
    import pyoxigraph as ox

    from wikibot.registry.models import Organization
    from wikibot.wikibase.datatypes import DATATYPE_TABLE

    try:
        Organization(id="o", names={"en": "O"}, type="chapter", website=url)
    except ValueError:
        return
    assert DATATYPE_TABLE["url"].refuse(url) is None  # the Wikibase's url datatype takes it
    ox.NamedNode(url)  # and the RDF layer: an IRI


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=40))
def test_a_page_title_validate_accepts_is_one_mediawiki_takes(text: str) -> None:
    from wikibot.registry.titles import normalize_title, title_problem

    if title_problem(text) is not None:
        return
    title = normalize_title(text)
    assert title == title.strip() and not re.search(r"[#<>\[\]{}|\x00-\x1f\x7f]", title)
    assert len(title.encode()) <= 255 and "~~~" not in title
    assert normalize_title(title) == title  # a normalised title stays as it is


# -- 5. Titles compared as MediaWiki compares them ---------------------------------------------------

@EXAMPLES
@given(st.sampled_from(["hubs/Registry", "Hubs_Registry".replace("_", "/"), "Hubs/Registry ", " Hubs/Registry",
                        "Hubs//Registry".replace("//", "/"), "hubs_/Registry".replace("_/", "/"),
                        "Hubs/Registry".replace(" ", "_"), ":Hubs/Registry", "Registry/Sync_report",
                        "registry/Bot status"]))
def test_no_status_box_on_a_page_the_bot_keeps_whatever_the_spelling(copy: Any, spelling: str) -> None:
    ws = copy()
    ws.patch(HUBS, "eseap-hub", {"page": spelling})
    assert ws.cli("sync")[0] in (0, 1)
    before = {t: ws.text(t) for t in (*TITLES, REPORT)}
    _code, out = ws.cli("status")
    for title in TITLES:
        assert ws.text(title) == before[title]
    assert "{{Hub status" not in ws.text(HUBS)
    assert "keeps for something else" in out


def test_two_entries_naming_one_page_in_different_spellings_are_both_left_alone(copy: Any) -> None:
    ws = copy()
    page = ws.entries(HUBS)["eseap-hub"].page
    ws.patch(HUBS, "south-asia-hub", {"page": page[0].lower() + page[1:].replace(" ", "_")})
    assert ws.cli("sync")[0] in (0, 1)
    code, out = ws.cli("status")
    assert code == 1 and out.count("the page is named by several entries") == 2


def test_a_redirect_gets_no_box_and_is_reported(copy: Any) -> None:
    ws = copy()
    page = ws.entries(HUBS)["eseap-hub"].page
    ws.write(page, "#REDIRECT [[Somewhere else]]\n")
    code, out = ws.cli("status")
    assert ws.text(page) == "#REDIRECT [[Somewhere else]]\n"
    assert code == 1 and "redirect" in out


# -- 6. Configuration collisions -------------------------------------------------------------------

@pytest.mark.parametrize("config", [
    '[sync]\nreport_page = "Hubs/Registry"\n',
    '[sync]\nreport_page = "hubs/Registry"\n',
    '[heartbeat]\npage = "Hubs_Registry"\n[registry]\npages = ["Hubs Registry"]\n',
    '[query]\nreport_page = "Registry/Bot_status"\n',
    '[query]\nreport_page = "registry/Sync report"\n',
    '[registry]\npages = ["A", "a"]\n',
])
def test_pages_the_bot_keeps_must_be_distinct(copy: Any, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    ws = copy()
    (ws.root / "wikibot.toml").write_text(config, encoding="utf-8")
    before = ws.text(HUBS)
    code, _ = ws.cli("sync")
    assert code == 2 and "name the same page" in capsys.readouterr().err
    assert ws.text(HUBS) == before


# -- 7. Output cannot inject ------------------------------------------------------------------------

HOSTILE_LABELS = ["[[User:Vandal|click]]", "https://evil.example/x", "{{subst:evil}}", "~~~~", "ISBN 0123456789",
                  "mailto:a@b.example", "'''bold'''", "__NOTOC__", "<!-- hidden", "[https://evil.example c]",
                  "/* section */ x", "RFC 1234"]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(HOSTILE_LABELS), min_size=1, max_size=3).map(" ".join))
def test_values_from_the_wikibase_make_no_link_template_or_signature_anywhere(copy: Any, label: str) -> None:
    import mwparserfromhell
    from mwparserfromhell.nodes import ExternalLink, Wikilink

    ws = copy()
    host = "wmid"  # the host of the ESEAP hub: its name shows on the hub's status box
    ws.edit_item(ws.item(host), {"labels": {"en": {"language": "en", "value": label}}})
    assert ws.cli("sync")[0] in (0, 1)
    assert ws.cli("status")[0] in (0, 1)
    assert ws.cli("coverage", "--publish", "--format", "csv")[0] in (0, 1)
    log = [json.loads(line) for line in (ws.root / "state" / "edits.jsonl").read_text(encoding="utf-8").splitlines()]
    for edit in log:
        assert "[[" not in edit["summary"] or re.fullmatch(r".*\[\[(Hubs|Organizations|Partnerships)/Registry\]\].*",
                                                           edit["summary"]), edit["summary"]
        assert "/*" not in edit["summary"]
    for title in {e["title"] for e in log}:
        code = mwparserfromhell.parse(ws.text(title))
        for link in code.filter(forcetype=Wikilink):  # links the bot builds: targets from the registry only
            assert "evil" not in str(link.title) and "Vandal" not in str(link.title), (title, str(link))
            assert "[[" not in str(link.text or "") and "[" not in str(link.text or ""), (title, str(link))
        for link in code.filter(forcetype=ExternalLink):
            assert "evil" not in str(link.url) and "Vandal" not in str(link), (title, str(link))
        for template in code.filter_templates():
            assert "evil" not in str(template.name), title
        assert "~~~~" not in ws.text(title)


# -- 8. Bounded pages -----------------------------------------------------------------------------

def test_a_huge_parameter_name_gives_a_report_page_of_a_bounded_size(copy: Any) -> None:
    ws = copy()
    text = ws.text(HUBS)
    ws.write(HUBS, text.replace("| id = eseap-hub", "| " + "x" * 1_000_000 + " = 1\n| id = eseap-hub", 1))
    ws.cli("sync")
    report = ws.text(REPORT)
    assert len(report.encode()) < 100_000 and "xxxx…" in report


def test_a_long_list_is_cut_with_a_note_of_how_many_were_left_out(copy: Any) -> None:
    ws = copy()
    junk = "".join(f"{{{{Organization registry entry\n| id = junk-{n}\n| name = J\n}}}}\n" for n in range(450))
    ws.write(ORGS, ws.text(ORGS) + junk)
    ws.cli("sync")
    report = ws.text(REPORT)
    assert "… and 250 more" in report


# -- 9. Health cannot be fooled -------------------------------------------------------------------

def test_a_heartbeat_dated_in_the_future_is_not_believed(copy: Any) -> None:
    ws = copy()
    (ws.root / "wikibot.toml").write_text('[sync]\nstate_file = "state/other.sqlite"\n', encoding="utf-8")
    beat = "Registry/Bot status"
    ws.write(beat, re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "2999-01-01T00:00:00Z", ws.text(beat)))
    code, out = ws.cli("health", "--job", "sync")
    assert code == 1 and "in the future" in out


# -- 10. No traceback, ever -------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["corrupt-state", "binary-state", "state-is-a-directory", "state-dir-is-a-file",
                                  "days", "today", "service", "surrogate-label", "surrogate-argument"])
def test_no_traceback_and_a_documented_exit_code(copy: Any, case: str, capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    ws = copy()
    state = ws.root / "state" / "sync.sqlite"
    args: list[str] = ["sync"]
    expected = {2}
    if case == "corrupt-state":
        state.write_text("this is no database", encoding="utf-8")
    elif case == "binary-state":
        state.write_bytes(bytes(range(256)) * 40)
    elif case == "state-is-a-directory":
        state.unlink()
        state.mkdir()
    elif case == "state-dir-is-a-file":
        shutil.rmtree(ws.root / "state")
        (ws.root / "state").write_text("x", encoding="utf-8")
    elif case == "days":
        args, expected = ["coverage", "--days", "3000000"], {2}
    elif case == "today":
        args, expected = ["coverage", "--today", "9999-12-30"], {2}
    elif case == "service":
        query = tmp_path / "q.rq"
        query.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", encoding="utf-8")
        args, expected = ["sparql", str(query)], {1}
    elif case == "surrogate-label":  # a lone surrogate, as JSON can carry one ("\ud800")
        path = ws.root / "entities" / f"{ws.item('wmid')}.json"
        path.write_text(path.read_text(encoding="utf-8").replace('"Wikimedia Indonesia"', '"bad \\ud800 text"'),
                        encoding="utf-8")  # by hand, past the store's change log: a full sync reads it
        args, expected = ["sync", "--full"], {1}
    elif case == "surrogate-argument":  # a byte that is no UTF-8 on the command line: Python makes it a surrogate
        args, expected = ["coverage", "regions\udcff"], {2}
    try:
        code, out = ws.cli(*args)
    except SystemExit as usage:  # argparse refuses the value: its exit code
        code, out = int(usage.code or 0), ""
    err = capsys.readouterr().err
    assert code in expected, (code, out, err)
    assert "Traceback" not in err + out
    if case in ("corrupt-state", "binary-state", "state-is-a-directory"):
        assert str(state) in err
    if case == "service":
        assert "SERVICE" in err


def test_a_run_stopped_after_a_write_never_says_nothing_was_done(copy: Any, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    ws = copy()
    ws.patch(HUBS, "eseap-hub", {"status": "implementation"})
    ws.patch(ORGS, "wmpl", {"name": "Wikimedia Polska (renamed)"})
    saves: list[str | None] = []
    real = LocalEntityStore.save_entity

    def full_disk_after_one(self: LocalEntityStore, entity_id: str | None, data: Any, **kwargs: Any) -> Any:
        saves.append(entity_id)
        if len(saves) > 1:
            raise OSError(errno.ENOSPC, "No space left on device", str(ws.root / "entities"))
        return real(self, entity_id, data, **kwargs)

    monkeypatch.setattr(LocalEntityStore, "save_entity", full_disk_after_one)
    code, _ = ws.cli("sync")
    err = capsys.readouterr().err
    assert code == 1 and "stopped after" in err and "No space left on device" in err and "Traceback" not in err
