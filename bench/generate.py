"""A deterministic synthetic registry: N entries written over pages as people write them.

``generate_entries(n, seed)`` makes the entries (about 60% organisations, 15% hubs and 25%
partnerships) as validated models, with hosts, members, partners and stewards that name
generated organisations (and, for stewards, hubs), every member of every vocabulary in
use (once N is a few dozen), names in several languages and scripts on part of the
entries, and dates of all three precisions.

``generate_registry(n, seed)`` writes the same entries over pages of at most
``per_page`` (500) entries, ``Organizations/Registry/1``, ``/2``, ...: each page opens
with a header template and a short introduction, groups its entries under headings, and
writes them the way editors do: mostly one parameter a line, but with aligned ``=``
signs, tight ``|name=value`` calls, one-line calls, indented pipes, blank optional
parameters, lists without spaces, slugs typed as words (``User group``), ``&amp;`` and
``{{!}}``, comments inside and between calls, and now and then two parameters in a
different order.

Everything is drawn from ``random.Random`` seeded with ``seed``, so the same arguments give
the same bytes on every run and platform.  The result is meant to be clean: for every
``n``, ``parse_registry(generate_registry(n))`` reports no problem, finds exactly
``generate_entries(n)``, and a no-change ``update_entry`` of any entry on its page returns
the page byte for byte (see ``check_round_trip``).
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TypeVar

from wikibot.registry.check import term_clashes
from wikibot.registry.dates import WikiDate
from wikibot.registry.models import MAX_LABEL_LENGTH, Entry, EntryKind, Hub, Organization, Partnership
from wikibot.registry.vocab import (
    HubKind,
    HubStatus,
    OrganizationType,
    PartnershipStatus,
    PartnershipType,
    PartnerType,
    Region,
    Scope,
    ThematicArea,
)
from wikibot.wikitext.escape import escape_value
from wikibot.wikitext.params import entry_params, param_specs, split_param
from wikibot.wikitext.registry_page import TemplateNames

__all__ = ["PAGE_PREFIX", "PER_PAGE", "check_round_trip", "generate_entries",
           "generate_registry", "page_titles"]

PAGE_PREFIX = "Organizations/Registry/"
PER_PAGE = 500
SHARES = {EntryKind.ORGANIZATION: 0.60, EntryKind.HUB: 0.15, EntryKind.PARTNERSHIP: 0.25}

T = TypeVar("T")

# --------------------------------------------------------------------------------------
# Source material
# --------------------------------------------------------------------------------------

_R = Region
# country code, region, English name, language code, name in that language, cities
COUNTRIES: tuple[tuple[str, Region, str, str, str, tuple[str, ...]], ...] = (
    ("PL", _R.CEE_CENTRAL_ASIA, "Poland", "pl", "Polska", ("Kraków", "Gdańsk", "Łódź")),
    ("UA", _R.CEE_CENTRAL_ASIA, "Ukraine", "uk", "Україна", ("Kyiv", "Lviv", "Kharkiv")),
    ("AM", _R.CEE_CENTRAL_ASIA, "Armenia", "hy", "Հայաստան", ("Yerevan", "Gyumri")),
    ("GE", _R.CEE_CENTRAL_ASIA, "Georgia", "ka", "საქართველო", ("Tbilisi", "Batumi")),
    ("KZ", _R.CEE_CENTRAL_ASIA, "Kazakhstan", "kk", "Қазақстан", ("Almaty", "Astana")),
    ("RS", _R.CEE_CENTRAL_ASIA, "Serbia", "sr", "Србија", ("Belgrade", "Novi Sad")),
    ("CZ", _R.CEE_CENTRAL_ASIA, "Czech Republic", "cs", "Česko", ("Prague", "Brno")),
    ("TR", _R.CEE_CENTRAL_ASIA, "Türkiye", "tr", "Türkiye", ("Istanbul", "İzmir")),
    ("DE", _R.NORTHERN_WESTERN_EUROPE, "Germany", "de", "Deutschland", ("Berlin", "Köln")),
    ("FR", _R.NORTHERN_WESTERN_EUROPE, "France", "fr", "France", ("Lyon", "Marseille")),
    ("NL", _R.NORTHERN_WESTERN_EUROPE, "the Netherlands", "nl", "Nederland", ("Utrecht",)),
    ("SE", _R.NORTHERN_WESTERN_EUROPE, "Sweden", "sv", "Sverige", ("Göteborg", "Malmö")),
    ("NO", _R.NORTHERN_WESTERN_EUROPE, "Norway", "nb", "Norge", ("Bergen", "Tromsø")),
    ("IE", _R.NORTHERN_WESTERN_EUROPE, "Ireland", "ga", "Éire", ("Cork", "Galway")),
    ("ES", _R.NORTHERN_WESTERN_EUROPE, "Spain", "es", "España", ("Sevilla", "Bilbao")),
    ("IT", _R.NORTHERN_WESTERN_EUROPE, "Italy", "it", "Italia", ("Torino", "Napoli")),
    ("PT", _R.NORTHERN_WESTERN_EUROPE, "Portugal", "pt", "Portugal", ("Porto", "Coimbra")),
    ("GB", _R.NORTHERN_WESTERN_EUROPE, "the United Kingdom", "cy", "Y Deyrnas Unedig",
     ("Cardiff", "Leeds")),
    ("US", _R.NORTH_AMERICA, "the United States", "es", "Estados Unidos",
     ("New York City", "Chicago", "Houston")),
    ("CA", _R.NORTH_AMERICA, "Canada", "fr", "Canada", ("Montréal", "Toronto")),
    ("MX", _R.LATIN_AMERICA_CARIBBEAN, "Mexico", "es", "México", ("Guadalajara", "Puebla")),
    ("BR", _R.LATIN_AMERICA_CARIBBEAN, "Brazil", "pt-br", "Brasil", ("São Paulo", "Recife")),
    ("AR", _R.LATIN_AMERICA_CARIBBEAN, "Argentina", "es", "Argentina", ("Córdoba", "Rosario")),
    ("CL", _R.LATIN_AMERICA_CARIBBEAN, "Chile", "es", "Chile", ("Valparaíso",)),
    ("CO", _R.LATIN_AMERICA_CARIBBEAN, "Colombia", "es", "Colombia", ("Medellín", "Cali")),
    ("PE", _R.LATIN_AMERICA_CARIBBEAN, "Peru", "qu", "Piruw", ("Cusco", "Arequipa")),
    ("HT", _R.LATIN_AMERICA_CARIBBEAN, "Haiti", "ht", "Ayiti", ("Cap-Haïtien",)),
    ("NG", _R.SUB_SAHARAN_AFRICA, "Nigeria", "yo", "Nàìjíríà", ("Lagos", "Ibadan", "Kano")),
    ("GH", _R.SUB_SAHARAN_AFRICA, "Ghana", "ak", "Gaana", ("Accra", "Kumasi")),
    ("KE", _R.SUB_SAHARAN_AFRICA, "Kenya", "sw", "Kenya", ("Nairobi", "Mombasa")),
    ("TZ", _R.SUB_SAHARAN_AFRICA, "Tanzania", "sw", "Tanzania", ("Arusha", "Dodoma")),
    ("ZA", _R.SUB_SAHARAN_AFRICA, "South Africa", "zu", "iNingizimu Afrika",
     ("Johannesburg", "Durban")),
    ("CM", _R.SUB_SAHARAN_AFRICA, "Cameroon", "fr", "Cameroun", ("Douala", "Yaoundé")),
    ("SN", _R.SUB_SAHARAN_AFRICA, "Senegal", "wo", "Senegaal", ("Dakar", "Saint-Louis")),
    ("CD", _R.SUB_SAHARAN_AFRICA, "the DR Congo", "ln", "Kongó-Kinsásá", ("Kinshasa",)),
    ("EG", _R.MENA, "Egypt", "ar", "مصر", ("Cairo", "Alexandria")),
    ("MA", _R.MENA, "Morocco", "zgh", "ⵍⵎⵖⵔⵉⴱ", ("Rabat", "Agadir")),
    ("TN", _R.MENA, "Tunisia", "ar", "تونس", ("Sfax", "Sousse")),
    ("JO", _R.MENA, "Jordan", "ar", "الأردن", ("Amman", "Irbid")),
    ("IL", _R.MENA, "Israel", "he", "ישראל", ("Haifa", "Be'er Sheva")),
    ("IR", _R.MENA, "Iran", "fa", "ایران", ("Tabriz", "Shiraz")),
    ("IN", _R.SOUTH_ASIA, "India", "hi", "भारत", ("Pune", "Kolkata", "Chennai")),
    ("BD", _R.SOUTH_ASIA, "Bangladesh", "bn", "বাংলাদেশ", ("Dhaka", "Sylhet")),
    ("NP", _R.SOUTH_ASIA, "Nepal", "ne", "नेपाल", ("Kathmandu", "Pokhara")),
    ("LK", _R.SOUTH_ASIA, "Sri Lanka", "si", "ශ්‍රී ලංකාව", ("Kandy", "Galle")),
    ("PK", _R.SOUTH_ASIA, "Pakistan", "ur", "پاکستان", ("Lahore", "Karachi")),
    ("ID", _R.ESEAP, "Indonesia", "id", "Indonesia", ("Bandung", "Yogyakarta")),
    ("PH", _R.ESEAP, "the Philippines", "tl", "Pilipinas", ("Cebu", "Davao")),
    ("JP", _R.ESEAP, "Japan", "ja", "日本", ("Osaka", "Sapporo")),
    ("KR", _R.ESEAP, "South Korea", "ko", "대한민국", ("Busan", "Daegu")),
    ("TW", _R.ESEAP, "Taiwan", "zh-hant", "臺灣", ("Taipei", "Tainan")),
    ("HK", _R.ESEAP, "Hong Kong", "zh-hant", "香港", ("Kowloon",)),
    ("VN", _R.ESEAP, "Vietnam", "vi", "Việt Nam", ("Hà Nội", "Huế")),
    ("TH", _R.ESEAP, "Thailand", "th", "ประเทศไทย", ("Chiang Mai",)),
    ("AU", _R.ESEAP, "Australia", "en", "Australia", ("Perth", "Hobart")),
    ("NZ", _R.ESEAP, "Aotearoa New Zealand", "mi", "Aotearoa", ("Wellington", "Ōtautahi")),
)

TOPICS = ("Medicine", "Climate", "Women in Red", "Music", "Built Heritage", "Sport", "Law",
          "Linguistics", "Botany", "Folklore", "Cartography", "Open Science", "Film",
          "Indigenous Languages", "Astronomy", "Poetry", "Architecture", "Photography")
SURNAMES = ("Okafor", "Kowalska", "Nguyen", "Haddad", "Silva", "Tanaka", "Mwangi", "Ivanova",
            "Fernández", "O'Brien", "Chatterjee", "Müller", "Abebe", "Kim", "Rossi")

ORG_NAMES: dict[OrganizationType, tuple[str, ...]] = {
    OrganizationType.CHAPTER: ("Wikimedia {country}", "Wikimedia {country} e.V.",
                               "Wikimedia {city}"),
    OrganizationType.THEMATIC_ORGANIZATION: ("Wiki {topic} Foundation",
                                             "{topic} Wikimedians", "Wikimedia {topic}"),
    OrganizationType.USER_GROUP: ("Wikimedians of {city}",
                                  "Wikimedia Community User Group {country}",
                                  "{topic} Wikimedians of {country}", "Wiki Loves {topic} {city}"),
    OrganizationType.FOUNDATION: ("{surname} Foundation for Free Knowledge",
                                  "{topic} Foundation of {country}"),
    OrganizationType.GLAM_INSTITUTION: ("National Library of {country}",
                                        "{city} City Museum", "National Archives of {country}",
                                        "{city} Museum of {topic}"),
    OrganizationType.UNIVERSITY: ("University of {city}", "{city} Institute of Technology",
                                  "Open University of {country}"),
    OrganizationType.GOVERNMENT: ("Ministry of Culture of {country}", "{city} City Council"),
    OrganizationType.OPEN_KNOWLEDGE: ("Open Knowledge {country}", "Creative Commons {country}",
                                      "OpenStreetMap {city}"),
    OrganizationType.CIVIL_SOCIETY: ("{country} Digital Rights Association",
                                     "Friends of the {city} Libraries"),
    OrganizationType.COMPANY: ("{surname} & Partners", "{city} Data Labs Ltd.",
                               "{surname} Digitisation Services"),
    OrganizationType.OTHER: ("{city} Language Academy", "{topic} Heritage Trust"),
}
# the same names in the language of the country, for some types
LOCAL_NAMES: dict[OrganizationType, str] = {
    OrganizationType.CHAPTER: "Wikimedia {local}",
    OrganizationType.USER_GROUP: "Wikimedia {local} (User Group)",
    OrganizationType.GLAM_INSTITUTION: "{local} — {en}",
    OrganizationType.UNIVERSITY: "{local}: {en}",
}
TRANSLATED_DESCRIPTIONS = {
    "de": "Gemeinnützige Organisation in {place}",
    "fr": "Organisation à but non lucratif à {place}",
    "es": "Organización sin ánimo de lucro en {place}",
    "ar": "منظمة غير ربحية في {place}",
    "zh-hans": "位于{place}的非营利组织",
    "ru": "Некоммерческая организация, {place}",
}
ORG_DESCRIPTIONS: dict[OrganizationType, str] = {
    OrganizationType.CHAPTER: "Wikimedia chapter for {country}",
    OrganizationType.THEMATIC_ORGANIZATION: "Wikimedia thematic organisation for {topic}",
    OrganizationType.USER_GROUP: "Wikimedia user group in {city}",
    OrganizationType.FOUNDATION: "Grant-making foundation supporting free knowledge",
    OrganizationType.GLAM_INSTITUTION: "Memory institution in {city}, {country}",
    OrganizationType.UNIVERSITY: "Public university in {city}",
    OrganizationType.GOVERNMENT: "Public body of {country}",
    OrganizationType.OPEN_KNOWLEDGE: "Open-knowledge network in {country}",
    OrganizationType.CIVIL_SOCIETY: "Non-profit association in {country}",
    OrganizationType.COMPANY: "Company based in {city} (digitisation & hosting)",
    OrganizationType.OTHER: "Organisation in {city}",
}
HUB_NAMES = ("{region} Hub", "{topic} Hub", "{language} Language Hub", "Hub for {topic} in {region}",
             "{country} Regional Hub")
PARTNERSHIP_NAMES = ("{partner}: {type} partnership", "Wiki Loves {topic} with {partner}",
                     "{partner} digitisation project", "{topic} data donation by {partner}",
                     "{partner} residency")
LANGUAGES = ("en", "fr", "es", "ar", "pt", "de", "ru", "zh-hans", "hi", "sw", "id", "ja",
             "yo", "ha", "ig", "bn", "ta", "ur", "pl", "uk", "tr", "fa", "ko", "vi", "qu",
             "gn", "ay", "mi", "smn", "sat", "zgh", "ckb", "nb", "nn", "se", "zh-hant",
             "sr-el", "be-tarask")
SPARE_COUNTRIES = ("AD", "BT", "FJ", "GL", "IS", "LU", "MN", "MT", "NA", "PG", "SB", "UY",
                   "VU", "XK", "ZM", "ZW")
COMMENTS = ("checked 2024-03", "see talk page", "per the annual report",
            "please keep in sync with Wikidata", "TODO: confirm", "updated by AffCom",
            "source: grant report", "contact on the talk page")

# --------------------------------------------------------------------------------------
# Entries
# --------------------------------------------------------------------------------------


def _slug(text: str, limit: int = 56) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].strip("-") or "entry"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _Ids:
    """Unique registry ids from names: ``wikimedia-kenya``, ``wikimedia-kenya-2``, ..."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.last: dict[str, int] = {}  # base -> last suffix tried (keeps this O(1) per id)

    def make(self, name: str) -> str:
        base = _slug(name)
        candidate, k = base, self.last.get(base, 0)
        while candidate in self.used:
            k = max(k, 1) + 1
            candidate = f"{base}-{k}"
        self.last[base] = k
        self.used.add(candidate)
        return candidate


def _pick(rng: random.Random, options: Sequence[T], i: int) -> T:
    """Member ``i`` for the first ``len(options)`` entries (so every one is used), else random."""
    return options[i] if i < len(options) else rng.choice(options)


def _some(rng: random.Random, options: Sequence[T], low: int, high: int,
          first: T | None = None) -> tuple[T, ...]:
    """Between ``low`` and ``high`` distinct members, starting with ``first`` when given."""
    count = rng.randint(low, min(high, len(options)))
    chosen = rng.sample(list(options), count)
    if first is not None:
        chosen = [first] + [c for c in chosen if c != first]
        chosen = chosen[: max(count, 1)]
    return tuple(chosen)


def _date(rng: random.Random, first_year: int, last_year: int, precision: int | None = None
          ) -> WikiDate:
    year = rng.randint(first_year, last_year)
    precision = rng.randint(0, 2) if precision is None else precision
    if precision == 0:
        return WikiDate(year)
    month = rng.randint(1, 12)
    if precision == 1:
        return WikiDate(year, month)
    return WikiDate(year, month, rng.randint(1, 28))


def _counts(n: int) -> dict[EntryKind, int]:
    if n < 3:
        raise ValueError("a registry needs at least 3 entries (one of each kind)")
    orgs = max(1, round(n * SHARES[EntryKind.ORGANIZATION]))
    hubs = max(1, round(n * SHARES[EntryKind.HUB]))
    return {EntryKind.ORGANIZATION: orgs, EntryKind.HUB: hubs,
            EntryKind.PARTNERSHIP: n - orgs - hubs}


def _labels(rng: random.Random, en: str, local: tuple[str, str] | None, multilingual: bool
            ) -> dict[str, str]:
    names = {"en": _nfc(en)}
    if multilingual and local is not None and local[0] != "en":
        names[local[0]] = _nfc(local[1])
    if multilingual and rng.random() < 0.3:
        for language in rng.sample(["fr", "es", "de", "ar", "zh-hans", "ru", "ja", "hi"], 2):
            names.setdefault(language, _nfc(_translate(language, en)))
    return names


def _translate(language: str, en: str) -> str:
    """A stand-in for a translated name: the English name in the language's own frame."""
    frames = {"fr": "{} (France)", "es": "{} (en español)", "de": "{} (deutsch)",
              "ar": "{} (بالعربية)", "zh-hans": "{}（中文）", "ru": "{} (по-русски)",
              "ja": "{}（日本語）", "hi": "{} (हिन्दी)"}
    return frames[language].format(en)


def _organization(rng: random.Random, i: int, ids: _Ids) -> Organization:
    org_type = _pick(rng, list(OrganizationType), i)
    if i < len(Region):  # one organisation in each region first
        code, region, country, language, local, cities = rng.choice(
            [c for c in COUNTRIES if c[1] is list(Region)[i]])
    else:
        code, region, country, language, local, cities = rng.choice(COUNTRIES)
    city = rng.choice(cities)
    topic = rng.choice(TOPICS)
    fields = {"country": country, "city": city, "topic": topic, "surname": rng.choice(SURNAMES)}
    name = rng.choice(ORG_NAMES[org_type]).format(**fields)
    multilingual = rng.random() < 0.35
    local_name = None
    if org_type in LOCAL_NAMES:
        local_name = (language, LOCAL_NAMES[org_type].format(local=local, en=name))
    names = _labels(rng, name, local_name, multilingual)
    descriptions: dict[str, str] = {}
    if rng.random() < 0.5:
        descriptions["en"] = ORG_DESCRIPTIONS[org_type].format(**fields)
        if rng.random() < 0.3:
            other = rng.choice(sorted(TRANSLATED_DESCRIPTIONS))
            descriptions[other] = TRANSLATED_DESCRIPTIONS[other].format(place=city)
    regions: tuple[Region, ...] = ()
    if org_type is not OrganizationType.FOUNDATION or rng.random() < 0.3:
        regions = (region,)
        if rng.random() < 0.1:
            regions += tuple(r for r in _some(rng, list(Region), 1, 2) if r not in regions)
    countries = (code,) + (tuple(c for c in _some(rng, SPARE_COUNTRIES, 0, 2))
                           if rng.random() < 0.15 else ())
    languages = _some(rng, LANGUAGES, 0, 3, first=language if rng.random() < 0.7 else None)
    registry_id = ids.make(name)
    return Organization(
        id=registry_id,
        names=names,
        descriptions=descriptions,
        type=org_type,
        regions=regions,
        countries=countries if rng.random() < 0.9 else (),
        languages=languages,
        established=_date(rng, 1995, 2025) if rng.random() < 0.8 else None,
        page=(name if org_type.is_movement and rng.random() < 0.8 else None),
        website=(f"https://{registry_id[:40]}.example.org/" + rng.choice(["", "en", "about"])
                 if rng.random() < 0.7 else None),
        item=f"Q{rng.randint(1, 130_000_000)}" if rng.random() < 0.5 else None,
    )


def _hub(rng: random.Random, i: int, ids: _Ids, movement: Sequence[str],
         affiliates: Sequence[str]) -> Hub:
    kinds = list(HubKind)
    first = _pick(rng, kinds, i)
    hub_kind = (first,) + (tuple(k for k in _some(rng, kinds, 0, 1) if k != first)
                           if rng.random() < 0.3 else ())
    code, region, country, language, local, _ = rng.choice(COUNTRIES)
    topic = rng.choice(TOPICS)
    themes = _some(rng, list(ThematicArea), 1, 3,
                   first=_pick(rng, list(ThematicArea), i) if i < len(ThematicArea) else None)
    if HubKind.THEMATIC not in hub_kind and rng.random() < 0.5:
        themes = ()
    languages = _some(rng, LANGUAGES, 1, 4, first=language)
    if HubKind.LANGUAGE not in hub_kind and rng.random() < 0.5:
        languages = ()
    regions = (region, *(r for r in _some(rng, list(Region), 0, 2) if r != region))
    if HubKind.REGIONAL not in hub_kind and rng.random() < 0.5:
        regions = ()
    countries = (code,) if rng.random() < 0.6 else ()
    template = rng.choice(HUB_NAMES)
    name = template.format(region=region.label, topic=topic, country=country,
                           language=rng.choice(["Arabic", "Swahili", "Spanish", "Tamil",
                                                "Portuguese", "Igbo", "Kazakh", "Bengali"]))
    status = _pick(rng, list(HubStatus), i)
    established = _date(rng, 2019, 2025) if rng.random() < 0.7 else None
    pilot_start = None
    if status.is_pilot_or_beyond or rng.random() < 0.2:
        pilot_start = _date(rng, 2020, 2025)
    next_review = _date(rng, 2025, 2028) if rng.random() < 0.5 else None
    members = tuple(rng.sample(affiliates, min(len(affiliates), rng.randint(0, 8))))
    host = rng.choice(movement) if movement and rng.random() < 0.7 else None
    names = _labels(rng, name, (language, f"{local} — {name}"), rng.random() < 0.3)
    return Hub(
        id=ids.make(name),
        names=names,
        descriptions={"en": f"A {' and '.join(k.value for k in hub_kind)} hub"}
        if rng.random() < 0.6 else {},
        hub_kind=hub_kind,
        status=status,
        regions=regions,
        countries=countries,
        languages=languages,
        themes=themes,
        host=host,
        members=members,
        established=established,
        pilot_start=pilot_start,
        next_review=next_review,
        page=f"Hubs/{name}" if rng.random() < 0.8 else None,
        website=None if rng.random() < 0.7 else f"https://hub-{i}.example.net/",
        item=f"Q{rng.randint(1, 130_000_000)}" if rng.random() < 0.4 else None,
    )


_PARTNER_TYPES = {
    OrganizationType.GLAM_INSTITUTION: PartnerType.GLAM,
    OrganizationType.UNIVERSITY: PartnerType.EDUCATION,
    OrganizationType.GOVERNMENT: PartnerType.GOVERNMENT,
    OrganizationType.OPEN_KNOWLEDGE: PartnerType.OPEN_KNOWLEDGE,
    OrganizationType.CIVIL_SOCIETY: PartnerType.CIVIL_SOCIETY,
    OrganizationType.COMPANY: PartnerType.COMPANY,
    OrganizationType.OTHER: PartnerType.OTHER,
}


def _partnership(rng: random.Random, i: int, ids: _Ids, orgs: Sequence[Organization],
                 partners: Sequence[Organization], stewards: Sequence[str]) -> Partnership:
    partner = rng.choice(partners or orgs)
    partner_type: PartnerType | None
    if i < len(PartnerType):
        partner_type = list(PartnerType)[i]
    else:
        partner_type = (PartnerType.MOVEMENT if partner.type.is_movement
                        else _PARTNER_TYPES.get(partner.type, PartnerType.INTERGOVERNMENTAL))
        if rng.random() < 0.1:
            partner_type = None
    types = _some(rng, list(PartnershipType), 1, 3, first=_pick(rng, list(PartnershipType), i))
    scope = _pick(rng, list(Scope), i)
    code, region, _, language, _, _ = rng.choice(COUNTRIES)
    regions = (region,) if scope is not Scope.GLOBAL or rng.random() < 0.2 else ()
    countries: tuple[str, ...] = (code,) if scope is Scope.NATIONAL or rng.random() < 0.2 else ()
    if scope is Scope.NATIONAL and rng.random() < 0.2:
        countries += tuple(c for c in _some(rng, SPARE_COUNTRIES, 1, 2) if c != code)
    status = _pick(rng, list(PartnershipStatus), i)
    start = _date(rng, 2010, 2025) if status is not PartnershipStatus.POTENTIAL else None
    end = None
    if status is PartnershipStatus.ENDED or (start is not None and rng.random() < 0.2):
        first_year = start.year if start is not None else 2012
        end = _date(rng, first_year + 1, first_year + 5)
        if rng.random() < 0.3:  # same year as the start: only the year is safe
            end = WikiDate(first_year)
    topic = rng.choice(TOPICS)
    name = rng.choice(PARTNERSHIP_NAMES).format(partner=partner.label(), topic=topic,
                                                type=types[0].label)
    if i % 997 == 13:  # the odd name with a character that must be escaped
        name = f"{topic} | {partner.label()}"
    return Partnership(
        id=ids.make(name),
        names=_labels(rng, name, None, rng.random() < 0.25),
        descriptions={"en": f"{types[0].label} partnership ({scope.value})"}
        if rng.random() < 0.4 else {},
        partner=partner.id,
        partner_type=partner_type,
        partnership_type=types,
        stewards=tuple(rng.sample(stewards, min(len(stewards), rng.randint(0, 3)))),
        themes=_some(rng, list(ThematicArea), 0, 3),
        scope=scope,
        regions=regions,
        countries=countries,
        languages=_some(rng, LANGUAGES, 0, 2, first=language if rng.random() < 0.5 else None),
        status=status,
        start=start,
        end=end,
        page=f"Partnerships/{name}" if "|" not in name and rng.random() < 0.5 else None,
        website=f"https://partners.example.org/{i}" if rng.random() < 0.3 else None,
        item=f"Q{rng.randint(1, 130_000_000)}" if rng.random() < 0.3 else None,
    )


def generate_entries(n: int, seed: int = 0) -> list[Entry]:
    """``n`` valid entries: organisations first, then hubs, then partnerships."""
    rng = random.Random(seed)
    counts = _counts(n)
    ids = _Ids()
    orgs = [_organization(rng, i, ids) for i in range(counts[EntryKind.ORGANIZATION])]
    movement = [o.id for o in orgs if o.type.is_movement] or [o.id for o in orgs]
    affiliates = [o.id for o in orgs if o.type.is_affiliate] or movement
    partners = [o for o in orgs if not o.type.is_movement]
    hubs = [_hub(rng, i, ids, movement, affiliates) for i in range(counts[EntryKind.HUB])]
    stewards = movement + [h.id for h in hubs]
    partnerships = [_partnership(rng, i, ids, orgs, partners, stewards)
                    for i in range(counts[EntryKind.PARTNERSHIP])]
    return _distinct_terms([*orgs, *hubs, *partnerships])


def _distinct_terms(entries: list[Entry]) -> list[Entry]:
    """The entries, each name and description pair told apart from another entry's in its language
    by the entry's id (the Wikibase refuses two items with the same label and description)."""
    by_id = {e.id: e for e in entries}
    for key, entry, language, _ in list(term_clashes((e.id, e) for e in entries)):
        current = by_id[key]
        told = f"{current.descriptions[language]} ({entry.id})"[-MAX_LABEL_LENGTH:]
        by_id[key] = current.model_copy(update={"descriptions": {**current.descriptions, language: told}})
    return [by_id[e.id] for e in entries]


# --------------------------------------------------------------------------------------
# Wikitext, as people write it
# --------------------------------------------------------------------------------------

_NAMES = TemplateNames()
_KIND_ORDER = {EntryKind.ORGANIZATION: 0, EntryKind.HUB: 1, EntryKind.PARTNERSHIP: 2}
_SECTION = {EntryKind.ORGANIZATION: "Organisations", EntryKind.HUB: "Hubs",
            EntryKind.PARTNERSHIP: "Partnerships"}
_STYLES = ("canonical", "aligned", "tight", "indented", "oneline")


def _group(entry: Entry) -> str:
    if isinstance(entry, Organization):
        return entry.regions[0].label if entry.regions else "International"
    if isinstance(entry, (Hub, Partnership)):
        return entry.status.label
    return "Other"


def _template_name(rng: random.Random, kind: EntryKind) -> str:
    name = _NAMES.for_kind(kind)
    roll = rng.random()
    if roll < 0.03:
        return name[0].lower() + name[1:]
    if roll < 0.05:
        return name.replace(" ", "_")
    if roll < 0.06:
        return "Template:" + name
    if roll < 0.07:
        return " " + name + " "
    return name


def _write_value(rng: random.Random, kind: EntryKind, param: str, plain: str) -> str:
    """``plain`` as an editor might type it (it always reads back as ``plain``)."""
    found = split_param(kind, param)
    assert found is not None
    spec, _ = found
    if spec.vocabulary is not None and rng.random() < 0.03:  # "User group" for user-group
        parts = [p.replace("-", " ").capitalize() for p in plain.split(", ")]
        return ", ".join(parts)
    if spec.many and ", " in plain:
        roll = rng.random()
        if roll < 0.15:
            return ",".join(plain.split(", "))
        if roll < 0.18:
            return " , ".join(plain.split(", "))
    written = escape_value(plain)
    if written == plain and "&" in plain and rng.random() < 0.5:
        written = plain.replace("&", "&amp;")
    if "&#124;" in written and rng.random() < 0.5:
        written = written.replace("&#124;", "{{!}}")
    return written


def _blank_params(rng: random.Random, entry: Entry, present: set[str]) -> list[tuple[str, str]]:
    """The empty parameters left over from a copied blank template."""
    optional = [s.param for s in param_specs(entry.kind)
                if not s.required and s.param not in present and s.param != "description"]
    return [(p, "") for p in rng.sample(optional, min(len(optional), rng.randint(1, 3)))]


def _rank(kind: EntryKind, param: str) -> int:
    found = split_param(kind, param)
    assert found is not None
    return param_specs(kind).index(found[0])


def format_entry(rng: random.Random, entry: Entry, house: str) -> str:
    """One template call for ``entry``, in ``house`` style or, now and then, another."""
    style = house if rng.random() < 0.8 else rng.choice(_STYLES)
    params = [(p, _write_value(rng, entry.kind, p, v)) for p, v in entry_params(entry)]
    if rng.random() < 0.15:
        blanks = _blank_params(rng, entry, {p for p, _ in params})
        params = sorted(params + blanks, key=lambda pv: _rank(entry.kind, pv[0]))
    if len(params) > 3 and rng.random() < 0.08:  # two parameters the other way round
        k = rng.randrange(1, len(params) - 1)
        params[k], params[k + 1] = params[k + 1], params[k]
    if rng.random() < 0.05:  # a remark after a value
        k = rng.randrange(len(params))
        param, value = params[k]
        params[k] = (param, f"{value} <!-- {rng.choice(COMMENTS)} -->")
    name = _template_name(rng, entry.kind)
    if style == "oneline" and len(params) > 6:
        style = "canonical"
    if style == "oneline":
        body = " | ".join(f"{p} = {v}" if v else f"{p} =" for p, v in params)
        return f"{{{{{name} | {body} }}}}"
    width = max(len(p) for p, _ in params)
    lines = [f"{{{{{name}"]
    for k, (param, value) in enumerate(params):
        # (not before the first parameter: that comment would be part of the template's name)
        if k and rng.random() < 0.02:
            lines.append(f"<!-- {rng.choice(COMMENTS)} -->")
        if style == "aligned":
            line = f"| {param.ljust(width)} = {value}"
        elif style == "tight":
            line = f"|{param}={value}"
        elif style == "indented":
            line = f" |{param} = {value}"
        else:
            line = f"| {param} = {value}"
        lines.append(line if value or rng.random() < 0.5 else line.rstrip())
    if style == "tight" and rng.random() < 0.5:  # "|item=Q42}}"
        return "\n".join(lines) + "}}"
    return "\n".join(lines) + "\n}}"


def page_titles(n: int, per_page: int = PER_PAGE) -> list[str]:
    return [f"{PAGE_PREFIX}{k}" for k in range(1, math.ceil(n / per_page) + 1)]


def _intro(rng: random.Random, number: int, total: int, count: int) -> str:
    return (
        f"{{{{Registry navigation|part={number}|of={total}}}}}\n"
        f"This is part {number} of {total} of the '''registry of Wikimedia hubs, partnerships "
        f"and organisations'''. It lists {count} entries, each one call of a registry template "
        "(see [[Template:Organization registry entry]], [[Template:Hub registry entry|hubs]] "
        "and [[Template:Partnership registry entry|partnerships]]). The bot reads these calls "
        "and keeps the [https://wikibase.example.org registry Wikibase] in step; please keep "
        "one call per entry, never change an <code>id</code>, and ask on the "
        "[[Talk:Organizations/Registry|talk page]] before removing anything.\n"
        + ("__NOTOC__\n" if rng.random() < 0.5 else "")
    )


def _heading(rng: random.Random, level: int, text: str) -> str:
    marks = "=" * level
    return f"{marks}{text}{marks}" if rng.random() < 0.2 else f"{marks} {text} {marks}"


def _page(rng: random.Random, entries: Iterable[Entry], number: int, total: int) -> str:
    ordered = sorted(entries, key=lambda e: (_KIND_ORDER[e.kind], _group(e), e.label().casefold()))
    house = rng.choice(_STYLES[:4])
    out = [_intro(rng, number, total, len(ordered))]
    kind: EntryKind | None = None
    group: str | None = None
    for entry in ordered:
        if entry.kind is not kind:
            kind, group = entry.kind, None
            out.append("\n" + _heading(rng, 2, _SECTION[kind]) + "\n")
        if _group(entry) != group:
            group = _group(entry)
            out.append(_heading(rng, 3, group) + "\n")
            if rng.random() < 0.3:
                out.append(f"<!-- {rng.choice(COMMENTS)} -->\n")
        roll = rng.random()
        if roll < 0.02:
            out.append(f"{{{{anchor|{entry.id}}}}}\n")
        elif roll < 0.04:
            out.append(f"''Listed since {rng.randint(2015, 2025)}.''\n")
        out.append(format_entry(rng, entry, house) + "\n")
        if rng.random() < 0.3:
            out.append("\n")
    out.append("\n[[Category:Wikimedia registry]]\n")
    return "".join(out)


def generate_registry(n: int, seed: int = 0, per_page: int = PER_PAGE) -> dict[str, str]:
    """Page title -> wikitext for a registry of ``n`` entries, at most ``per_page`` a page.

    The entries are those of ``generate_entries(n, seed)``, shuffled over
    ``ceil(n / per_page)`` pages of equal size (within one).
    """
    entries = generate_entries(n, seed)
    rng = random.Random(f"layout-{seed}")
    rng.shuffle(entries)
    titles = page_titles(n, per_page)
    pages: dict[str, str] = {}
    for k, title in enumerate(titles):
        chunk = entries[k * n // len(titles):(k + 1) * n // len(titles)]
        pages[title] = _page(rng, chunk, k + 1, len(titles))
    return pages


# --------------------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------------------


def check_round_trip(n: int, seed: int = 0, *, update_every: int = 1) -> None:
    """Raise AssertionError unless the generated pages parse cleanly into the generated entries
    and a no-change ``update_entry`` leaves each page byte-identical (for every
    ``update_every``-th entry of each page)."""
    from wikibot.wikitext.registry_edit import update_entry
    from wikibot.wikitext.registry_page import parse_registry

    pages = generate_registry(n, seed)
    registry, parsed = parse_registry(pages)
    assert not registry.problems, "\n".join(str(p) for p in registry.problems[:20])
    assert len(registry.entries) == n, (len(registry.entries), n)
    assert registry.by_id() == {e.id: e for e in generate_entries(n, seed)}
    for title, text in pages.items():
        assert len(parsed[title].claims) <= PER_PAGE, title
        for entry in parsed[title].entries[::update_every]:
            assert update_entry(text, entry) == text, (title, entry.id)


if __name__ == "__main__":
    import sys

    for size in map(int, sys.argv[1:] or ["200"]):
        check_round_trip(size)
        print(f"n={size}: clean and byte-identical")
