"""The reader's language: every message translated into each listed language, terms, language names
from langcodes, the writing direction, fallbacks, and a language MediaWiki does not know refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikibot.errors import ConfigError
from wikibot.i18n import COLUMNS, MESSAGES, QUESTIONS, TERM_LABELS, TRANSLATED, VALUE_WORDS, Reader
from wikibot.registry.vocab import VOCABULARIES, HubStatus
from wikibot.settings import parse_settings


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_term_column_and_question_is_translated(language: str) -> None:
    assert [key for key, forms in MESSAGES.items() if not forms.get(language)] == []
    assert [key for key, forms in {**COLUMNS, **VALUE_WORDS}.items() if not forms.get(language)] == []
    assert all(forms[0].get(language) and forms[1].get(language) for forms in QUESTIONS.values())
    if language != "en":
        missing = [term for vocabulary in VOCABULARIES for term in vocabulary if term not in TERM_LABELS[language]]
        assert missing == []


def test_fallbacks_direction_and_language_names() -> None:
    assert Reader("de-at").fallbacks == ("de-at", "de", "en")
    assert Reader("de").text("box-hub") == "Hub status"  # not translated: English
    assert Reader("ar").term(HubStatus.PILOT) == "تجريبي" and Reader("de").term(HubStatus.PILOT) == "Pilot"
    assert [Reader(code).direction for code in ("ar", "he", "fa", "ur", "en", "fr", "zh")] == [
        "rtl", "rtl", "rtl", "rtl", "ltr", "ltr", "ltr"]
    assert Reader("fr").language("de") == "allemand" and Reader("ar").language("fr") == "الفرنسية"
    assert Reader("en").language("qqq-unknown") == "qqq-unknown"
    assert Reader("en").time("2026-11-21T07:17:39Z") == "2026-11-21 07:17 UTC"


def test_a_language_mediawiki_does_not_know_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"wiki.language: 'klingon' is not a language code MediaWiki knows"):
        parse_settings({"wiki": {"language": "klingon"}}, tmp_path / "wikibot.toml")
    assert parse_settings({"wiki": {"language": "ar"}}, tmp_path / "wikibot.toml").wiki.reader().direction == "rtl"
