"""The traffic benchmark runs, and wikibot's syncs send the limit's requests (``bench/sync_traffic.py``).

Not a timing test: the figures compared are request counts, which do not depend on the machine.
The benchmark runs as its ``--child`` does, at a small size, in a process of its own (real
pywikibot on the replayed Wikibase), with the change query's overlap shortened so that the
"minute later" between scheduled runs takes two seconds.  Every scenario (first sync, full
reconciliation, no-op, 5% changed in three rounds, new entries) is compared with the limit of a
change-aware sync, request kind by request kind; the later rounds of the 5% sync too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.sync_traffic import SCENARIOS, limit

ROOT = Path(__file__).resolve().parents[2]
RUN = """
import datetime as dt, runpy, sys
import wikibot.adapters.recent_changes as recent_changes
recent_changes.OVERLAP = dt.timedelta(seconds=1)
sys.argv = ["bench/sync_traffic.py", "--child", "60", "--no-usual", "--memory-max", "100"]
runpy.run_path("bench/sync_traffic.py", run_name="__main__")
"""


def _kinds(requests: dict[str, int]) -> dict[str, int]:
    return {kind: count for kind, count in requests.items() if count}


def test_every_sync_of_the_benchmark_sends_the_limits_requests() -> None:
    done = subprocess.run([sys.executable, "-c", RUN], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result["wikibot"]) == set(SCENARIOS)
    for scenario in SCENARIOS:
        figures = result["wikibot"][scenario]
        assert figures["clean"], scenario
        assert _kinds(figures["requests"]) == _kinds(limit(result, scenario)), scenario
    assert result["new_entries"] >= 1 and result["wikibot"]["new"]["counts"]["created"] == result["new_entries"]
    assert result["wikibot"]["changed"]["counts"]["items_updated"] == result["changed_entries"]
    rounds = result["wikibot"]["changed"]["later_rounds"]
    assert len(rounds) == 2
    for later in rounds:  # the items the round before wrote are not read again
        assert _kinds(later["requests"]) == _kinds(limit(result, "changed"))
