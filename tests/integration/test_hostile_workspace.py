"""A workspace whose registry pages are full of hostile values, run through every command.

Valid entries with hostile names (template, link, tag, magic-word, signature and SPARQL syntax;
RTL text with bidi marks) are written as the bot writes them; invalid ones are typed raw as
an editor would.  ``validate`` reports each invalid one as ``page:line  id  field  reason``;
``sync`` syncs the valid ones and changes nothing on the pages but the ``item`` parameters it
writes back; ``status`` writes the hostile labels into status boxes without changing their
structure; ``coverage`` and ``sparql`` show them without breaking a table.  No traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import mwparserfromhell
import pytest

from tests.cli_support import run
from wikibot.coverage.report import Presentation
from wikibot.registry.models import EntryKind, Hub, Organization, Partnership
from wikibot.status.boxes import OWNED
from wikibot.wikitext.escape import unescape_value
from wikibot.wikitext.registry_edit import render_entry
from wikibot.wikitext.registry_page import read_param_value, template_name

EVIL = "}}{{subst:evil}} [[Category:X]] <script>alert(1)</script> __NOTOC__ '''b''' ~~~~"
SPARQL_EVIL = '" } ; DROP \\" |} |- ! x || y {{!}} &amp; <!-- c -->'
RTL = "ويكيميديا\u200f العربية \u202bעברית\u202c"
ORG = Organization(id="hostile-org", names={"en": EVIL, "ar": RTL}, descriptions={"en": SPARQL_EVIL},
                   aliases={"en": ("x}}", "[[y]]")}, type="chapter", countries=("PL",), regions=("cee-central-asia",))
HUB = Hub(id="hostile-hub", names={"en": SPARQL_EVIL, "he": RTL}, hub_kind=("regional",), status="pilot",
          regions=("cee-central-asia",), host="hostile-org", members=("hostile-org",), page="Hostile Hub",
          next_review="2026-11-01")
PARTNERSHIP = Partnership(id="hostile-partnership", names={"en": RTL + " " + EVIL}, partner="wmpl",
                          partnership_type=("content",), stewards=("hostile-org",), scope="global", status="active",
                          page="Hostile Partnership")
# Raw, as typed by an editor: each reported, on its line, with its field.
INVALID = {
    "markup-org": ("name", "[[Category:Spam]] <script>alert(1)</script>"),
    "magic-org": ("name", "__NOTOC__"),
    "signed-org": ("description", "Signed ~~~~"),
    "long-org": ("name", "ש" * 10240),
    "date-org": ("established", "2023-02-30"),
    "enum-org": ("type", "chapter; DROP"),
}
PROBLEM = re.compile(r"^(?P<page>[^:\n]+):(?P<line>\d+)  (?P<id>\S+)  (?P<field>\S+)  (?P<reason>\S.*)$")
ITEM = re.compile(r"^Q[1-9][0-9]*$")


def _invalid_entries() -> tuple[str, dict[str, int]]:
    """The raw invalid entries, and the line of each hostile parameter within them (from 1)."""
    text, lines = "", {}
    for registry_id, (param, value) in INVALID.items():
        params = {"id": registry_id, "name": "Invalid", "type": "chapter", param: value}
        block = ["{{Organization registry entry"] + [f"| {k} = {v}" for k, v in params.items()] + ["}}"]
        lines[registry_id] = text.count("\n") + 1 + list(params).index(param) + 1
        text += "\n".join(block) + "\n"
    return text, lines


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("hostile") / "ws"
    assert run("init", str(root))[0] == 0
    pages = root / "pages"
    orgs = pages / "Organizations" / "Registry.wiki"
    invalid, lines = _invalid_entries()
    before = orgs.read_text(encoding="utf-8") + "\n== Hostile ==\n" + render_entry(ORG) + "\n"
    offset = before.count("\n")
    orgs.write_text(before + invalid + "After the entries. [[Category:Registry]]\n", encoding="utf-8")
    for title, entry in (("Hubs/Registry", HUB), ("Partnerships/Registry", PARTNERSHIP)):
        path = pages / f"{title}.wiki"
        path.write_text(path.read_text(encoding="utf-8") + "\n" + render_entry(entry) + "\nTail {{Other|x=1}}\n",
                        encoding="utf-8")
    (pages / "Hostile Hub.wiki").write_text(
        "{{Hub status\n| status = Research\n| note = an editor's parameter, kept\n}}\n"
        "About the hub. [[Category:Hubs]]\n", encoding="utf-8")
    (pages / "Hostile Partnership.wiki").write_text("About the partnership.\n", encoding="utf-8")
    return {"root": root, "lines": {k: offset + v for k, v in lines.items()}}


def _root(workspace: dict[str, object]) -> Path:
    root = workspace["root"]
    assert isinstance(root, Path)
    return root


def _read(root: Path, title: str) -> str:
    return (root / "pages" / f"{title}.wiki").read_text(encoding="utf-8")


def test_validate_reports_every_invalid_entry_on_its_line(workspace: dict[str, object],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run("validate", "--workspace", str(_root(workspace)))
    assert code == 1
    problems = [shown for shown in out.splitlines() if PROBLEM.match(shown)]
    found: dict[str, tuple[str, int, str, str]] = {}
    for shown in problems:
        match = PROBLEM.match(shown)
        assert match
        found[match["id"]] = (match["page"], int(match["line"]), match["field"], match["reason"])
    lines = workspace["lines"]
    assert isinstance(lines, dict)
    assert set(found) == set(INVALID), out
    for registry_id, (param, _) in INVALID.items():
        page, line, field, reason = found[registry_id]
        assert (page, line, field) == ("Organizations/Registry", lines[registry_id], param), found[registry_id]
        assert reason and len(reason) < 300  # a 10 kB value is described, not repeated
    assert "markup" in found["magic-org"][3] and "markup" in found["signed-org"][3]
    assert "10240 characters" in found["long-org"][3]
    code, out = run("validate", "--workspace", str(_root(workspace)), "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert json.dumps(document, ensure_ascii=False).count("hostile-") == 0  # the valid ones are not problems
    assert "Traceback" not in capsys.readouterr().err


def _without_items(text: str) -> str:
    """The page with the item parameters of registry entries taken out."""
    code = mwparserfromhell.parse(text)
    for template in code.filter_templates(recursive=True):
        if template_name(template).endswith("registry entry") and template.has("item"):
            template.remove("item")
    return str(code)


def test_sync_status_coverage_and_sparql_keep_every_structure(workspace: dict[str, object],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = _root(workspace)
    registry_pages = ("Organizations/Registry", "Hubs/Registry", "Partnerships/Registry")
    before = {title: _read(root, title) for title in registry_pages}
    assert run("bootstrap", "--workspace", str(root))[0] == 0
    code, out = run("sync", "--workspace", str(root), "--format", "json")
    assert code == 1  # invalid entries were found
    result = json.loads(out)["result"]
    assert len(result["written_back"]) == len(re.findall(r"\{\{\s*\w+ registry entry", "".join(before.values()))) \
        - len(INVALID)
    after = {title: _read(root, title) for title in registry_pages}
    for title in registry_pages:
        assert _without_items(after[title]) == before[title], title
    # The hostile entries synced: their item ids were written back, and they read back as they were.
    code, out = run("validate", "--workspace", str(root), "--format", "json")
    items = {}
    for text in after.values():
        for template in mwparserfromhell.parse(text).filter_templates():
            if template.has("item") and template.has("id"):
                items[read_param_value(template.get("id").value)] = read_param_value(template.get("item").value)
    for entry in (ORG, HUB, PARTNERSHIP):
        assert ITEM.match(items[entry.id]), entry.id
    for registry_id in INVALID:
        assert registry_id not in items

    # A second sync changes nothing.
    assert run("sync", "--workspace", str(root))[0] == 1
    assert {title: _read(root, title) for title in registry_pages} == after

    code, out = run("status", "--workspace", str(root), "--today", "2026-11-21")
    assert code == 0, out
    hub_page = _read(root, "Hostile Hub")
    boxes = mwparserfromhell.parse(hub_page).filter_templates(recursive=True)
    assert [template_name(t) for t in boxes] == ["Hub status"]  # no template, link or tag came in
    names = [str(p.name).strip() for p in boxes[0].params]
    assert names[names.index("note")] == "note" and set(names) - {"note"} <= set(OWNED[EntryKind.HUB])
    assert read_param_value(boxes[0].get("host").value) == EVIL
    assert read_param_value(boxes[0].get("note").value) == "an editor's parameter, kept"
    assert hub_page.endswith("}}\nAbout the hub. [[Category:Hubs]]\n") and hub_page.count("[[") == 1
    partnership_page = _read(root, "Hostile Partnership")
    boxes = mwparserfromhell.parse(partnership_page).filter_templates(recursive=True)
    assert [template_name(t) for t in boxes] == ["Partnership status"]
    assert {str(p.name).strip() for p in boxes[0].params} <= set(OWNED[EntryKind.PARTNERSHIP])
    assert read_param_value(boxes[0].get("stewards").value) == EVIL
    assert partnership_page.endswith("}}\nAbout the partnership.\n")
    assert run("status", "--workspace", str(root), "--today", "2026-11-21")[0] == 0  # current now
    assert _read(root, "Hostile Hub") == hub_page

    # Coverage: the hostile hub label (reviews) and steward label (partnerships) in a wiki table.
    code, out = run("coverage", "reviews", "partnerships", "--workspace", str(root), "--today", "2026-11-21",
                    "--format", "json")
    assert code == 0
    answers = json.loads(out)["questions"]
    code, wiki = run("coverage", "reviews", "partnerships", "--workspace", str(root), "--today", "2026-11-21",
                     "--format", "wiki")
    assert code == 0
    tables = _wiki_tables(wiki)
    assert len(tables) == len(answers) == 2
    shown = []
    for answer, (header, rows) in zip(answers, tables, strict=True):
        assert header == [Presentation().header(column) for column in answer["columns"]]  # in words
        assert len(rows) == len(answer["rows"])
        for row in rows:
            assert len(row) == len(header), row
        shown += [unescape_value(cell) for row in rows for cell in row]
    assert SPARQL_EVIL in shown and EVIL in shown

    # sparql: labels of every registry item, whatever they hold, one row each.
    query = root / "labels.rq"
    query.write_text("# title: Labels\nSELECT ?id ?label WHERE {\n  ?item wdt:{{P:registry_id}} ?id ;\n"
                     "        rdfs:label ?label .\n  FILTER(LANG(?label) = \"en\")\n} ORDER BY ?id\n",
                     encoding="utf-8")
    code, out = run("sparql", str(query), "--workspace", str(root), "--format", "json")
    assert code == 0, out
    (answer,) = json.loads(out)["questions"]
    labels = {row["id"]: row["label"] for row in answer["rows"]}
    assert labels["hostile-org"] == EVIL and labels["hostile-hub"] == SPARQL_EVIL
    assert labels["hostile-partnership"] == RTL + " " + EVIL
    assert not set(INVALID) & set(labels)
    code, table = run("sparql", str(query), "--workspace", str(root))
    assert code == 0
    assert len(table.splitlines()) == 3 + len(answer["rows"])
    assert "Traceback" not in capsys.readouterr().err


def test_a_value_that_closes_its_entry_early_leaves_the_page_alone(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "ws"
    assert run("init", str(root))[0] == 0
    assert run("bootstrap", "--workspace", str(root))[0] == 0
    path = root / "pages" / "Organizations" / "Registry.wiki"
    text = path.read_text(encoding="utf-8") + "{{Organization registry entry\n| id = cut\n| type = chapter\n" \
        "| name = Cut}}{{subst:evil}}\n}}\n"
    path.write_text(text, encoding="utf-8")
    line = text.count("\n")
    code, out = run("validate", "--workspace", str(root))
    assert code == 1
    assert f"Organizations/Registry:{line}  -  -  this '}}}}' closes no call: the entry on line {line - 4} may end " \
        "early" in out
    code, out = run("sync", "--workspace", str(root))
    assert code == 1 and "Organizations/Registry" in out
    assert path.read_text(encoding="utf-8") == text  # a page that does not parse is not written
    assert "Traceback" not in capsys.readouterr().err


def _wiki_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each ``{| ... |}`` table of the page: header cells and the rows' cells, split as MediaWiki does."""
    tables = []
    for block in re.findall(r"^\{\|.*?\n(.*?)^\|\}$", text, flags=re.S | re.M):
        header: list[str] = []
        rows: list[list[str]] = []
        for line in block.splitlines():
            if line.startswith("!"):
                header = [c.strip() for c in line[1:].split("!!")]
            elif line.startswith("|-"):
                rows.append([])
            elif line.startswith("|"):
                rows[-1] += [c.strip() for c in line[1:].split("||")]
            else:
                raise AssertionError(f"a line of the table that is no header, row or cell: {line!r}")
        tables.append((header, rows))
    return tables
