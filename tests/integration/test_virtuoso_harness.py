"""The Virtuoso harness (tests/virtuoso.py): a private server's configuration, the server itself,
and what happens without Virtuoso (skipped here, failed in CI)."""

import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests import virtuoso as harness
from tests.virtuoso import Virtuoso

ROOT = Path(__file__).resolve().parents[2]
A_VIRTUOSO_TEST = "tests/integration/test_virtuoso_harness.py::test_the_server_answers_sparql_on_loopback_only"


def test_the_ini_makes_every_file_and_port_private(tmp_path: Path) -> None:
    package = harness.PACKAGE_INI[0]
    if not package.is_file():
        pytest.skip(f"no {package} to rewrite (Debian's virtuoso-opensource is not installed)")
    text = harness.private_ini(package.read_text(encoding="utf-8", errors="replace"), tmp_path, 40001, 40002)
    values = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[] ")
        elif "=" in line and not line.lstrip().startswith(";"):
            key, _, value = line.partition("=")
            values.setdefault((section, key.strip()), value.split(";")[0].strip())
    assert values[("Parameters", "ServerPort")] == "127.0.0.1:40001"
    assert values[("HTTPServer", "ServerPort")] == "127.0.0.1:40002"
    assert values[("Parameters", "DirsAllowed")] == f"., {tmp_path / 'load'}"
    files = [value for (section, key), value in values.items()
             if section in ("Database", "TempDatabase") and (key.endswith("File") or key == "xa_persistent_file")]
    assert len(files) == 7 and all(value.startswith(f"{tmp_path}/db/") for value in files), files
    assert not [key for section, key in values if section == "Plugins" and key[4:].isdigit()]  # Load1, Load2, …
    assert "/var/lib/virtuoso" not in text  # nothing of the package's own database or web root


def test_sql_strings_are_escaped() -> None:
    assert harness.sql_string("it's") == "'it''s'"
    assert harness.sql_string("a\\b") == "'a\\\\b'"
    with pytest.raises(ValueError):
        harness.sql_string("two\nlines")


def test_the_server_answers_sparql_on_loopback_only(virtuoso: Virtuoso) -> None:
    virtuoso.load_ntriples(b'<http://example.org/s> <http://example.org/p> "o" .\n', "http://example.org/harness")
    query = urllib.parse.urlencode({"query": "SELECT ?o WHERE { <http://example.org/s> ?p ?o }",
                                    "default-graph-uri": "http://example.org/harness"})
    request = urllib.request.Request(f"{virtuoso.query_url}?{query}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
        assert b'"value": "o"' in response.read()
    assert virtuoso.version().startswith("07.20.")
    listening = Path("/proc/net/tcp").read_text(encoding="ascii")
    for port in (virtuoso.sql_port, virtuoso.http_port):  # bound to 127.0.0.1 (0100007F), not to every address
        assert f"0100007F:{port:04X} 00000000:0000 0A" in listening
        assert f"00000000:{port:04X} 00000000:0000 0A" not in listening
    with pytest.raises(RuntimeError, match="SQ"):
        virtuoso.sql("SELECT * FROM no_such_table;")


def _run_without_virtuoso(*, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(Path(sys.executable).parent)  # no virtuoso-t, no isql-vt
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rsf", A_VIRTUOSO_TEST],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_without_virtuoso_its_tests_are_skipped_saying_what_to_install() -> None:
    result = _run_without_virtuoso(ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout and "virtuoso-opensource" in result.stdout


def test_without_virtuoso_its_tests_fail_in_ci() -> None:
    result = _run_without_virtuoso(ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CI=true and no Virtuoso server to test against" in result.stdout
