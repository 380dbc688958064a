"""user-config.py.sample is a configuration pywikibot accepts, for the sites the README names."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Only the configuration is loaded: building an APISite would already ask the wiki who we are,
# and tests never reach a live wiki.
CHECK = """
import pywikibot
from pywikibot.comms import http
from pywikibot.family import Family
from wikibot.adapters.wikibase_live import names_wikibot

config = pywikibot.config
assert config.family == "meta" and config.mylang == "meta"
meta, registry = Family.load("meta"), Family.load("registry")
assert meta.hostname("meta") == "meta.wikimedia.org", meta.hostname("meta")
assert registry.hostname("registry") == "registry.wikibase.cloud", registry.hostname("registry")
assert registry.apipath("registry") == "/w/api.php"
assert config.usernames["registry"]["registry"] == "ExampleRegistryBot"
assert config.usernames["meta"]["meta"] == "ExampleRegistryBot"
assert config.write_maxlag == 5 and config.put_throttle == 10
agent = http.user_agent()
assert names_wikibot(agent), agent  # the live store refuses a User-Agent that does not name wikibot
print("ok", agent)
"""


def test_the_sample_configures_meta_and_the_custom_wikibase(tmp_path: Path) -> None:
    shutil.copy(ROOT / "user-config.py.sample", tmp_path / "user-config.py")
    (tmp_path / "user-password.py").write_text("('ExampleRegistryBot', BotPassword('wikibot', '" + "a" * 32 + "'))\n")
    (tmp_path / "user-password.py").chmod(0o600)
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYWIKIBOT_DIR": str(tmp_path),
                                 "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok ") and "wikibot" in result.stdout
