"""``wikibot coverage`` and ``wikibot sparql`` as a user runs them, on the example workspace; the
embedded query store kept current by ``wikibot sync``, one changed entity at a time."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.cli_support import run
from tests.oxigraph import Oxigraph
from tests.wikibase_support import set_hub_status
from wikibot.adapters.entity_local import LocalEntityStore
from wikibot.coverage import questions
from wikibot.wikibase.instance import InstanceIds

REPORT = "Registry/Coverage"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for args in (["init", str(root)], ["bootstrap", "--workspace", str(root)], ["sync", "--workspace", str(root)]):
        code, output = run(*args)
        assert code == 0, output
    return root


def coverage(root: Path, *args: str) -> tuple[int, str]:
    return run("coverage", "--workspace", str(root), "--today", "2026-11-21", *args)


def rows(root: Path, question: str) -> list[dict[str, object]]:
    code, output = coverage(root, question, "--format", "json")
    assert code == 0, output
    return list(json.loads(output)["questions"][0]["rows"])


def saves(root: Path) -> list[str]:
    lines = (root / "state" / "edits.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["title"] for line in lines]


def test_the_first_sync_fills_the_query_store(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (workspace / "state" / "query").is_dir()
    reviews = {row["hub"]: row["state"] for row in rows(workspace, "reviews")}
    assert reviews["eu-advocacy-hub"] == "overdue" and reviews["cee-hub"] == "due"
    assert "rebuilt" not in capsys.readouterr().err  # answered from what sync wrote


def test_sync_rewrites_only_the_entity_that_changed(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = InstanceIds.parse((workspace / "wikibase-ids.json").read_text(encoding="utf-8")).resolved()
    hubs = {row["hub"]: row for row in rows(workspace, "reviews")}
    item = hubs["cee-hub"]
    assert item["status"] == "implementation"
    entities = LocalEntityStore(workspace)
    cee = next(e for e in entities.fetch_entities(entities.entity_ids()).values()
               if e and e.data["claims"].get(mapping.pid("registry_id"), [{}])[0].get("mainsnak", {})
               .get("datavalue", {}).get("value") == "cee-hub")
    set_hub_status(entities, mapping, cee.id, "under-review")  # someone edits the Wikibase
    code, output = run("sync", "--workspace", str(workspace))
    assert code == 0, output
    assert "query store: 1 entities updated" in output
    assert {row["hub"]: row["status"] for row in rows(workspace, "reviews")}["cee-hub"] == "under-review"
    code, output = run("sync", "--workspace", str(workspace))
    assert "query store" not in output  # nothing moved: nothing rewritten
    assert "rebuilt" not in capsys.readouterr().err


def test_an_item_deleted_on_the_wikibase_leaves_the_query_store_at_the_next_sync(workspace: Path) -> None:
    assert "cee-hub" in {row["hub"] for row in rows(workspace, "reviews")}
    item = next(line.split("=")[1].strip() for line in _entry_lines(workspace, "cee-hub") if line.startswith("| item"))
    (workspace / "entities" / f"{item}.json").unlink()  # an admin deletes the item
    code, output = run("sync", "--workspace", str(workspace))
    assert f"item {item} does not exist" in output  # the sync says so; the entry is not lost
    assert "query store: 1 entities updated" in output
    assert "cee-hub" not in {row["hub"] for row in rows(workspace, "reviews")}
    code, output = coverage(workspace, "--rebuild", "--format", "json")  # the same as a store built anew
    assert code == 0 and "cee-hub" not in {row["hub"] for row in rows(workspace, "reviews")}


def _entry_lines(root: Path, registry_id: str) -> list[str]:
    text = (root / "pages" / "Hubs" / "Registry.wiki").read_text(encoding="utf-8")
    start = text.index(f"| id = {registry_id}\n")
    return text[start:text.index("}}", start)].splitlines()


def test_a_rebuild_gives_the_same_answers(workspace: Path) -> None:
    before = {name: rows(workspace, name) for name in ("regions", "themes", "completeness")}
    code, output = coverage(workspace, "--rebuild", "--format", "json")
    assert code == 0, output
    assert {q["name"]: q["rows"] for q in json.loads(output)["questions"] if q["name"] in before} == before


def test_every_question_in_each_format(workspace: Path) -> None:
    code, table = coverage(workspace)
    assert code == 0
    for title in ("Languages", "Regions", "Themes", "Partnerships", "Reviews", "Completeness", "Gaps"):
        assert any(line.startswith(title) for line in table.splitlines()), title
    code, text = coverage(workspace, "reviews", "partnerships", "--format", "csv")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][0] == "question" and {row[0] for row in parsed[1:]} == {"reviews", "partnerships"}
    code, wiki = coverage(workspace, "gaps", "--format", "wiki")
    assert '{| class="wikitable sortable"' in wiki and "mw-collapsed" in wiki and "north-america" in wiki


def test_publish_saves_only_when_the_answers_changed(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = coverage(workspace, "--publish", "--dry-run")
    assert code == 0 and REPORT not in saves(workspace)
    assert f"+++ {REPORT} (new)" in capsys.readouterr().err
    code, _ = coverage(workspace, "--publish")
    assert code == 0 and saves(workspace).count(REPORT) == 1
    assert f"report page {REPORT} saved" in capsys.readouterr().err
    page = (workspace / "pages" / f"{REPORT}.wiki").read_text(encoding="utf-8")
    assert page.count('{| class="wikitable sortable"') == 7
    code, _ = coverage(workspace, "--publish")
    assert code == 0 and saves(workspace).count(REPORT) == 1
    assert f"report page {REPORT} unchanged" in capsys.readouterr().err
    code, _ = coverage(workspace, "--publish", "--today", "2026-12-20")  # reviews move on: saved again
    assert saves(workspace).count(REPORT) == 2
    code, output = run("health", "--workspace", str(workspace), "--job", "coverage")
    assert code == 0, output


def test_the_report_page_links_the_query_service(workspace: Path) -> None:
    config = workspace / "wikibot.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[query]\nui_url = "https://query.example.org/"\n',
                      encoding="utf-8")
    code, wiki = coverage(workspace, "reviews", "--format", "wiki")
    assert code == 0 and "[https://query.example.org/#PREFIX%20" in wiki


def test_sparql_runs_a_file_with_the_instance_filled_in(workspace: Path, tmp_path: Path) -> None:
    query = tmp_path / "hubs.rq"
    query.write_text("SELECT ?id ?name WHERE {\n  ?item wdt:{{P:instance_of}} wd:{{Q:class:hub}} ;\n"
                     "        wdt:{{P:registry_id}} ?id .\n  {{LABEL ?item ?name}}\n} ORDER BY ?id\n", encoding="utf-8")
    code, output = run("sparql", "--workspace", str(workspace), str(query), "--format", "csv")
    assert code == 0, output
    lines = list(csv.reader(io.StringIO(output)))
    assert lines[0] == ["id", "name"] and len(lines) == 14 and ["cee-hub", "Wikimedia CEE Hub"] in lines
    code, shown = run("sparql", "--workspace", str(workspace), str(query), "--print-query")
    assert code == 0 and shown.startswith("PREFIX wd: <https://registry.example.org/entity/>")
    assert "{{" not in shown and "rdfs:label" in shown
    query.write_text("SELECT ?x WHERE { ?x ?y }", encoding="utf-8")
    code, output = run("sparql", "--workspace", str(workspace), str(query))
    assert code == 1
    query.write_text("SELECT ?x WHERE { ?x wdt:{{P:no_such_property}} ?y }", encoding="utf-8")
    assert run("sparql", "--workspace", str(workspace), str(query))[0] == 2


def test_usage_errors(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert coverage(workspace, "nonesuch")[0] == 2
    assert "the questions are: languages, regions" in capsys.readouterr().err
    assert coverage(workspace, "--dry-run")[0] == 2
    config = workspace / "wikibot.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[query]\nendpoint = "http://127.0.0.1:9/sparql"\n',
                      encoding="utf-8")
    assert coverage(workspace)[0] == 2
    assert "user_agent" in capsys.readouterr().err


def test_the_same_answers_from_oxigraph_serve(workspace: Path, oxigraph: Oxigraph) -> None:
    embedded = coverage(workspace, "--format", "json")[1]
    store = ox.Store(str(workspace / "state" / "query"))
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    oxigraph.clear()
    oxigraph.load_turtle(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    del store
    config = workspace / "wikibot.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\n[query]\nendpoint = "{oxigraph.query_url}"\nuser_agent = "wikibot tests (local)"\n',
                      encoding="utf-8")
    code, served = coverage(workspace, "--format", "json")
    assert code == 0, served

    def answers(text: str) -> dict[str, list[str]]:
        questions = json.loads(text)["questions"]
        return {q["name"]: sorted(json.dumps(r, sort_keys=True) for r in q["rows"]) for q in questions}

    assert answers(served) == answers(embedded)
    assert all(answers(served).values())


def _break(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *names: str) -> None:
    """The questions ``names`` made into queries no engine accepts (a brace too many)."""
    directory = tmp_path / "queries"
    shutil.copytree(questions.QUERIES_DIR, directory)
    for name in names:
        path = directory / f"{name}.rq"
        path.write_text(path.read_text(encoding="utf-8").rstrip() + " }\n", encoding="utf-8")
    monkeypatch.setattr(questions, "QUERIES_DIR", directory)


def test_a_question_not_answered_leaves_the_others_answered_and_published(
        workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _break(monkeypatch, tmp_path, "gaps")
    code, output = coverage(workspace, "--format", "json")
    assert code == 1
    document = json.loads(output)
    assert [q["name"] for q in document["questions"]] == [name for name in questions.NAMES if name != "gaps"]
    assert all(q["rows"] for q in document["questions"])
    (failed,) = document["failed"]
    not_valid = "the query is not valid SPARQL: at line "
    assert failed["name"] == "gaps" and failed["error"].startswith(not_valid) and "\n" not in failed["error"]
    stderr = capsys.readouterr().err
    assert f"wikibot: coverage: gaps not answered: {not_valid}" in stderr and "Traceback" not in stderr

    code, _ = coverage(workspace, "--publish")
    assert code == 1 and saves(workspace).count(REPORT) == 1
    page = (workspace / "pages" / f"{REPORT}.wiki").read_text(encoding="utf-8")
    assert page.count('{| class="wikitable sortable"') == 6
    gaps = page[page.index("== Gaps:"):]
    assert gaps.startswith("== Gaps:") and "'''Not answered this time'''" in gaps and "not valid SPARQL" in gaps
    code, output = run("health", "--workspace", str(workspace), "--job", "coverage")
    assert code == 1 and "gaps" in output  # the heartbeat says which question failed

    monkeypatch.undo()  # the query is mended: the next run answers it and publishes the page again
    code, _ = coverage(workspace, "--publish")
    assert code == 0 and saves(workspace).count(REPORT) == 2
    assert "Not answered" not in (workspace / "pages" / f"{REPORT}.wiki").read_text(encoding="utf-8")
    assert run("health", "--workspace", str(workspace), "--job", "coverage")[0] == 0


def test_when_no_question_is_answered_nothing_is_published(workspace: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    _break(monkeypatch, tmp_path, *questions.NAMES)
    code, output = coverage(workspace, "--publish")
    assert code == 1 and output == "" and REPORT not in saves(workspace)
    stderr = capsys.readouterr().err
    assert "wikibot: coverage stopped: languages: the query is not valid SPARQL: at line " in stderr
    assert "gaps: the query is not valid SPARQL" in stderr
    assert "Traceback" not in stderr and "SELECT" not in stderr
