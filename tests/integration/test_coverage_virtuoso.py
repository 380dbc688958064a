"""``wikibot coverage`` against a real Virtuoso, configured as the README says ([query] endpoint,
user_agent and default_graph): every question answered with the embedded store's rows, and a
question the engine refuses reported in short while the others are answered."""

from __future__ import annotations

import json
import shutil
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from tests.cli_support import run
from tests.coverage_support import same_row, unmatched
from tests.virtuoso import Virtuoso
from wikibot.coverage import questions
from wikibot.wikibase.instance import InstanceIds

README = Path(__file__).resolve().parents[2] / "README.md"
ELSEWHERE = "http://example.org/wikibot-tests/elsewhere"
TODAY = "2026-11-21"


def readme_query_section() -> dict[str, str]:
    """The [query] section the README shows for Virtuoso (the indented block after "for Virtuoso:")."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("is in; for Virtuoso:\n\n") + len("is in; for Virtuoso:\n\n"):].split("\n\n")[0]
    section: dict[str, str] = tomllib.loads(textwrap.dedent(block))["query"]
    assert set(section) == {"endpoint", "user_agent", "default_graph"}, section
    return section


GRAPH = readme_query_section()["default_graph"]  # the data goes where the README's example looks


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, virtuoso: Virtuoso) -> Path:
    """A synced example workspace whose embedded store's triples are in Virtuoso's graph GRAPH; in
    another graph, a hub the workspace does not have (English, at pilot)."""
    root = tmp_path_factory.mktemp("virtuoso-cli") / "ws"
    for args in (["init", str(root)], ["bootstrap", "--workspace", str(root)], ["sync", "--workspace", str(root)]):
        code, output = run(*args)
        assert code == 0, output
    store = ox.Store(str(root / "state" / "query"))
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    virtuoso.load_ntriples(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), graph=GRAPH)
    del store
    ids = InstanceIds.parse((root / "wikibase-ids.json").read_text(encoding="utf-8")).resolved()
    entity, direct = "https://registry.example.org/entity/", "https://registry.example.org/prop/direct/"
    other = (f'<{entity}Q999999> <{direct}{ids.pid("instance_of")}> <{entity}{ids.qid("class:hub")}> ;\n'
             f'  <{direct}{ids.pid("registry_id")}> "elsewhere-hub" ; <{direct}{ids.pid("language")}> "en" ;\n'
             f'  <{direct}{ids.pid("status")}> <{entity}{ids.qid("hub-status:pilot")}> .\n')
    virtuoso.load_ntriples(other.encode(), graph=ELSEWHERE)
    return root


def configure(root: Path, virtuoso: Virtuoso, *, default_graph: str | None) -> None:
    """wikibot.toml's [query] section as the README shows it for Virtuoso, at this server (and
    with another default_graph, or none, when told)."""
    section = {**readme_query_section(), "endpoint": virtuoso.query_url, "default_graph": default_graph}
    config = root / "wikibot.toml"
    text = config.read_text(encoding="utf-8").split("\n[query]\n")[0] + "\n[query]\n"
    text += "".join(f"{key} = {json.dumps(value)}\n" for key, value in section.items() if value is not None)
    config.write_text(text, encoding="utf-8")


def unconfigure(root: Path) -> None:
    config = root / "wikibot.toml"
    config.write_text(config.read_text(encoding="utf-8").split("\n[query]\n")[0], encoding="utf-8")


def coverage(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, output = run("coverage", "--workspace", str(root), "--today", TODAY, "--format", "json", *args)
    return code, json.loads(output) if output else {}


def json_rows(question: dict[str, Any]) -> list[tuple[object, ...]]:
    """A question's rows from ``--format json`` as tuples in the order of its columns (lists as
    tuples, unbound as None): numbers stay numbers, compared as numbers by ``same_row``."""
    return [tuple(tuple(v) if isinstance(v := row.get(c), list) else v for c in question["columns"])
            for row in question["rows"]]


def test_every_question_gets_the_embedded_stores_rows_from_virtuoso(served: Path, virtuoso: Virtuoso) -> None:
    unconfigure(served)
    code, embedded = coverage(served)
    assert code == 0 and [q["name"] for q in embedded["questions"]] == list(questions.NAMES)
    configure(served, virtuoso, default_graph=GRAPH)
    code, answered = coverage(served)
    assert code == 0, answered
    assert answered["failed"] == []
    assert [q["name"] for q in answered["questions"]] == list(questions.NAMES)
    for mine, theirs in zip(embedded["questions"], answered["questions"], strict=True):
        assert theirs["query"] == mine["query"] and theirs["columns"] == mine["columns"]
        expected, got = json_rows(mine), json_rows(theirs)
        assert expected, f"{mine['name']}: no rows: nothing compared"
        assert unmatched(expected, got) == ([], []), mine["name"]
        assert all(same_row(a, b) for a, b in zip(expected, got, strict=True)), f"{mine['name']}: another order"


def test_without_default_graph_virtuoso_answers_from_every_graph(served: Path, virtuoso: Virtuoso) -> None:
    configure(served, virtuoso, default_graph=GRAPH)
    english = {"operating": [], "verdict": "no open hub"}  # the example registry has no hub for English
    code, chosen = coverage(served, "languages")
    assert code == 0 and {k: chosen["questions"][0]["rows"][0][k] for k in english} == english
    configure(served, virtuoso, default_graph=None)
    code, everything = coverage(served, "languages")
    assert code == 0
    assert {k: everything["questions"][0]["rows"][0][k] for k in english} == {
        "operating": ["elsewhere-hub (pilot)"], "verdict": "operating hub"}  # the other graph's hub
    configure(served, virtuoso, default_graph=ELSEWHERE)
    code, elsewhere = coverage(served, "languages")
    assert code == 0 and elsewhere["questions"][0]["rows"][0]["operating"] == ["elsewhere-hub (pilot)"]


def test_a_question_virtuoso_refuses_is_reported_in_short(served: Path, virtuoso: Virtuoso, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    configure(served, virtuoso, default_graph=GRAPH)
    directory = tmp_path / "queries"
    shutil.copytree(questions.QUERIES_DIR, directory)
    broken = directory / "languages.rq"
    broken.write_text(broken.read_text(encoding="utf-8").rstrip() + " }\n", encoding="utf-8")
    monkeypatch.setattr(questions, "QUERIES_DIR", directory)
    code, document = coverage(served)
    assert code == 1
    assert [q["name"] for q in document["questions"]] == list(questions.NAMES[1:])
    (failed,) = document["failed"]
    # Virtuoso's answer repeats the whole query after its message; only the message is kept
    assert failed["name"] == "languages" and failed["error"].startswith("Virtuoso 37000 Error SP030")
    assert "SPARQL query" not in failed["error"] and "PREFIX" not in failed["error"] and len(failed["error"]) <= 300
    stderr = capsys.readouterr().err
    assert "wikibot: coverage: languages not answered: Virtuoso 37000 Error SP030" in stderr
    assert "PREFIX" not in stderr and "Traceback" not in stderr


def test_default_graph_without_an_endpoint_is_a_configuration_error(served: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    unconfigure(served)
    config = served / "wikibot.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[query]\ndefault_graph = "{GRAPH}"\n',
                      encoding="utf-8")
    code, output = run("coverage", "--workspace", str(served))
    assert code == 2 and output == ""
    assert "[query] default_graph is for [query] endpoint" in capsys.readouterr().err
    unconfigure(served)
