"""The registry's controlled vocabularies.

Every value an editor may type into an enum-valued template parameter is a member
of one of these enums; the member's value is the slug written in wikitext, its
``label`` the English name shown to people.  Slugs never change once published:
they are the join key between pages, Wikibase vocabulary items and SPARQL results.
"""

from __future__ import annotations

import difflib
from enum import StrEnum
from typing import TypeVar


class Term(StrEnum):
    """A vocabulary member: ``value`` is the wikitext slug, ``label`` the display name."""

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("-", " ").capitalize())

    @classmethod
    def vocabulary_name(cls) -> str:
        """The vocabulary's name, as its terms' slugs are: ``hub-status`` (the ids file's item keys,
        ``hub-status:pilot``; the queries' value tables; the mapping)."""
        return _VOCABULARIES[cls][0]

    @classmethod
    def vocabulary_label(cls) -> str:
        """The vocabulary's name in words, for people: ``hub status``."""
        return _VOCABULARIES[cls][1]


class HubKind(Term):
    REGIONAL = "regional"
    THEMATIC = "thematic"
    LANGUAGE = "language"


class HubStatus(Term):
    """Lifecycle of a hub, in the order Meta's ``Hubs/Ongoing`` table uses."""

    RESEARCH = "research"
    PLANNING = "planning"
    PILOT = "pilot"
    IMPLEMENTATION = "implementation"
    UNDER_REVIEW = "under-review"
    DORMANT = "dormant"
    CLOSED = "closed"

    @property
    def is_pilot_or_beyond(self) -> bool:
        """True for hubs that operate (pilot, implementation, under review)."""
        return self in (HubStatus.PILOT, HubStatus.IMPLEMENTATION, HubStatus.UNDER_REVIEW)


class ThematicArea(Term):
    GLAM = "glam"
    EDUCATION = "education"
    ADVOCACY = "advocacy"
    CAPACITY_BUILDING = "capacity-building"
    TECHNOLOGY = "technology"
    COMMUNITY_HEALTH = "community-health"
    PARTNERSHIPS = "partnerships"
    RESEARCH = "research"
    LANGUAGE_DIVERSITY = "language-diversity"


class Region(Term):
    """The eight regions Wikimedia uses for grants and affiliations."""

    ESEAP = "eseap"
    SOUTH_ASIA = "south-asia"
    SUB_SAHARAN_AFRICA = "sub-saharan-africa"
    MENA = "mena"
    CEE_CENTRAL_ASIA = "cee-central-asia"
    NORTHERN_WESTERN_EUROPE = "northern-western-europe"
    LATIN_AMERICA_CARIBBEAN = "latin-america-caribbean"
    NORTH_AMERICA = "north-america"


class OrganizationType(Term):
    CHAPTER = "chapter"
    THEMATIC_ORGANIZATION = "thematic-organization"
    USER_GROUP = "user-group"
    FOUNDATION = "foundation"
    GLAM_INSTITUTION = "glam-institution"
    UNIVERSITY = "university"
    GOVERNMENT = "government"
    OPEN_KNOWLEDGE = "open-knowledge"
    CIVIL_SOCIETY = "civil-society"
    COMPANY = "company"
    OTHER = "other"

    @property
    def is_affiliate(self) -> bool:
        return self in (
            OrganizationType.CHAPTER,
            OrganizationType.THEMATIC_ORGANIZATION,
            OrganizationType.USER_GROUP,
        )

    @property
    def is_movement(self) -> bool:
        return self.is_affiliate or self is OrganizationType.FOUNDATION


class PartnerType(Term):
    GLAM = "glam"
    EDUCATION = "education"
    GOVERNMENT = "government"
    OPEN_KNOWLEDGE = "open-knowledge"
    CIVIL_SOCIETY = "civil-society"
    COMPANY = "company"
    INTERGOVERNMENTAL = "intergovernmental"
    MOVEMENT = "movement"
    OTHER = "other"


class PartnershipType(Term):
    CONTENT = "content"
    TECHNOLOGY = "technology"
    FINANCIAL = "financial"
    ADVOCACY = "advocacy"
    EDUCATION = "education"
    RESEARCH = "research"


class PartnershipStatus(Term):
    POTENTIAL = "potential"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Scope(Term):
    GLOBAL = "global"
    REGIONAL = "regional"
    NATIONAL = "national"


_LABELS: dict[Term, str] = {
    HubStatus.UNDER_REVIEW: "Under review",
    ThematicArea.GLAM: "GLAM",
    Region.ESEAP: "East, Southeast Asia and Pacific (ESEAP)",
    Region.SOUTH_ASIA: "South Asia",
    Region.SUB_SAHARAN_AFRICA: "Sub-Saharan Africa",
    Region.MENA: "Middle East and North Africa (MENA)",
    Region.CEE_CENTRAL_ASIA: "Central and Eastern Europe and Central Asia (CEE)",
    Region.NORTHERN_WESTERN_EUROPE: "Northern and Western Europe",
    Region.LATIN_AMERICA_CARIBBEAN: "Latin America and the Caribbean",
    Region.NORTH_AMERICA: "North America",
    OrganizationType.GLAM_INSTITUTION: "GLAM institution",
    OrganizationType.OPEN_KNOWLEDGE: "Open-knowledge organisation",
    OrganizationType.THEMATIC_ORGANIZATION: "Thematic organisation",
    PartnerType.GLAM: "GLAM",
    PartnerType.OPEN_KNOWLEDGE: "Open-knowledge organisation",
    PartnerType.MOVEMENT: "Wikimedia movement organisation",
}

# Each vocabulary's name (a slug, like its terms') and its label for people.
_VOCABULARIES: dict[type[Term], tuple[str, str]] = {
    HubKind: ("hub-kind", "hub kind"),
    HubStatus: ("hub-status", "hub status"),
    Region: ("region", "region"),
    ThematicArea: ("theme", "thematic area"),
    OrganizationType: ("organization-type", "organisation type"),
    PartnerType: ("partner-type", "partner type"),
    PartnershipType: ("partnership-type", "partnership type"),
    PartnershipStatus: ("partnership-status", "partnership status"),
    Scope: ("scope", "scope"),
}

# Words people type for a slug; used only to suggest the right value, never to accept it.
_SYNONYMS: dict[str, str] = {
    "active": "implementation",
    "implemented": "implementation",
    "discussion": "planning",
    "review": "under-review",
    "linguistic": "language",
    "cee": "cee-central-asia",
    "ssa": "sub-saharan-africa",
    "africa": "sub-saharan-africa",
    "lac": "latin-america-caribbean",
    "nwe": "northern-western-europe",
    "inactive": "dormant",
    "ongoing": "active",
    "finished": "ended",
}

T = TypeVar("T", bound=Term)


def suggest(value: str, vocabulary: type[Term]) -> str | None:
    """The valid slug closest to ``value``, or None when nothing is close."""
    allowed = [m.value for m in vocabulary]
    key = value.strip().lower().replace("_", "-").replace(" ", "-")
    if key in allowed:
        return key
    synonyms = {word: slug for word, slug in _SYNONYMS.items() if slug in allowed}
    close = difflib.get_close_matches(key, allowed + list(synonyms), n=1, cutoff=0.6)
    if not close:
        return None
    return synonyms.get(close[0], close[0])


def parse_term(value: str, vocabulary: type[T]) -> T:
    """The member whose slug is ``value`` (case and spacing forgiven); ValueError otherwise."""
    key = value.strip().lower().replace("_", "-").replace(" ", "-")
    try:
        return vocabulary(key)
    except ValueError:
        hint = suggest(value, vocabulary)
        allowed = ", ".join(m.value for m in vocabulary)
        message = f"{value!r} is not a {vocabulary.vocabulary_label()}"
        message += f" (did you mean {hint!r}?)" if hint else f"; allowed: {allowed}"
        raise ValueError(message) from None


VOCABULARIES: tuple[type[Term], ...] = tuple(_VOCABULARIES)

# ISO 3166-1 alpha-2, officially assigned codes (249), plus XK (Kosovo, user-assigned but
# used by Wikimedia and the EU).
COUNTRY_CODES: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK
    """.split()
)
