"""The registry's entries: hubs, partnerships and organisations, as frozen pydantic models.

A model holds facts only; where they are written (template parameters, Wikibase
statements, RDF) is decided by ``wikitext/`` and ``wikibase/``.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from .dates import WikiDate
from .iri import iri_problem
from .language_codes import LANGUAGE_CODES
from .titles import normalize_title, title_problem
from .vocab import (
    COUNTRY_CODES,
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

REGISTRY_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ITEM_ID_PATTERN = r"^Q[1-9][0-9]*$"
LANGUAGE_CODE_PATTERN = r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$"
MAX_LABEL_LENGTH = 250  # Wikibase's default limit for labels and descriptions
MAX_URL_LENGTH = 500  # Wikibase's default limit for values of the url datatype


def _registry_id(value: str) -> str:
    if len(value) > 64:
        raise ValueError("registry ids are at most 64 characters")
    if not re.fullmatch(REGISTRY_ID_PATTERN, value):
        raise ValueError(
            f"{value!r} is not a registry id: lowercase letters, digits and single hyphens"
        )
    return value


def _item_id(value: str) -> str:
    if not re.fullmatch(ITEM_ID_PATTERN, value):
        raise ValueError(f"{value!r} is not an item id like Q123")
    return value


def _language_code(value: str) -> str:
    if not re.fullmatch(LANGUAGE_CODE_PATTERN, value) or value not in LANGUAGE_CODES:
        raise ValueError(f"{value!r} is not a language code MediaWiki knows (like 'pl' or 'zh-hant')")
    return value


def _country_code(value: str) -> str:
    if value not in COUNTRY_CODES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code like 'PL'")
    return value


# Unicode's categories Cs (surrogates), and Cc, Zl, Zp (control characters, line and paragraph
# separators) as the fixed ranges they are: one regular-expression scan instead of a look-up a character.
_NOT_TEXT = re.compile("[\ud800-\udfff\ufffd]")
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _text(value: str) -> str:
    if _NOT_TEXT.search(value):
        raise ValueError("holds characters that are not valid Unicode text")
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueError("must not be empty")
    if len(value) > MAX_LABEL_LENGTH:
        raise ValueError(f"is {len(value)} characters long; at most {MAX_LABEL_LENGTH}")
    if _NOT_ONE_LINE.search(value):
        raise ValueError("must be a single line without control characters")
    return value


def _alias(value: str) -> str:
    value = _text(value)
    if "," in value:  # aliases are written as a comma-separated list
        raise ValueError("must not contain a comma")
    return value


def _url(value: str) -> str:
    parts = urllib.parse.urlsplit(value) if value.isprintable() else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"is {len(value)} characters long; a URL in the Wikibase is at most {MAX_URL_LENGTH}")
    problem = iri_problem(value)
    if problem:
        raise ValueError(f"{value!r} is not a URL the Wikibase and its query service take: {problem}")
    return value


def _page_title(value: str) -> str:
    problem = title_problem(value)
    if problem:
        raise ValueError(f"{value!r} is not a page title: it {problem}")
    return normalize_title(value)


RegistryId = Annotated[str, AfterValidator(_registry_id),
                       WithJsonSchema({"type": "string", "pattern": REGISTRY_ID_PATTERN, "maxLength": 64})]
ItemId = Annotated[str, AfterValidator(_item_id),
                   WithJsonSchema({"type": "string", "pattern": ITEM_ID_PATTERN})]
LanguageCode = Annotated[str, AfterValidator(_language_code),
                         WithJsonSchema({"type": "string", "pattern": LANGUAGE_CODE_PATTERN})]
CountryCode = Annotated[str, AfterValidator(_country_code),
                        WithJsonSchema({"type": "string", "enum": sorted(COUNTRY_CODES)})]
Text = Annotated[str, AfterValidator(_text),
                 WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_LABEL_LENGTH})]
Alias = Annotated[str, AfterValidator(_alias),
                  WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_LABEL_LENGTH,
                                  "pattern": "^[^,]*$"})]
URL_CHECK = _url
Url = Annotated[str, AfterValidator(_url),
                WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"})]
PageTitle = Annotated[str, AfterValidator(_page_title),
                      WithJsonSchema({"type": "string", "pattern": "^[^:#<>\\[\\]{}|][^#<>\\[\\]{}|]*$"})]

T = TypeVar("T")


def _unique(values: tuple[T, ...]) -> tuple[T, ...]:
    seen: set[T] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value} is listed twice")
        seen.add(value)
    return values


# A tuple whose members are distinct (order kept: it is the editors').
Unique = Annotated[tuple[T, ...], AfterValidator(_unique)]


class EntryKind(StrEnum):
    HUB = "hub"
    PARTNERSHIP = "partnership"
    ORGANIZATION = "organization"


class Entry(BaseModel):
    """What every registry entry has: a registry id, names and the links to its other homes."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)
    kind: ClassVar[EntryKind]
    # (field, kinds the referenced entry may have)
    reference_fields: ClassVar[dict[str, tuple[EntryKind, ...]]] = {}

    id: RegistryId = Field(
        description="Registry id: a lowercase slug, unique in the registry, never changed or reused."
    )
    names: dict[LanguageCode, Text] = Field(
        min_length=1, description="Name in each language, by language code."
    )
    descriptions: dict[LanguageCode, Text] = Field(
        default_factory=dict, description="Short description in each language, by language code."
    )
    aliases: dict[LanguageCode, tuple[Alias, ...]] = Field(
        default_factory=dict, description="Other names in each language, by language code."
    )
    page: PageTitle | None = Field(default=None, description="Its own page on Meta-Wiki.")
    website: Url | None = Field(default=None, description="Official website.")
    item: ItemId | None = Field(
        default=None, description="Wikibase item id; written by the bot after the first sync."
    )

    @field_validator("aliases")
    @classmethod
    def _distinct_aliases(cls, aliases: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for language, texts in aliases.items():
            twice = sorted({text for text in texts if texts.count(text) > 1})
            if twice:
                raise ValueError(f"{', '.join(twice)} listed twice ({language})")
        return {language: texts for language, texts in aliases.items() if texts}

    @model_validator(mode="after")
    def _name_is_not_its_description(self) -> Entry:
        same = sorted(language for language, text in self.descriptions.items() if self.names.get(language) == text)
        if same:
            raise ValueError(f"the name and the description are the same ({', '.join(same)}); the Wikibase "
                             "refuses an item whose label equals its description")
        return self

    def references(self) -> Iterator[tuple[str, str]]:
        """(field, registry id) for every other entry this one names."""
        for name in self.reference_fields:
            value = getattr(self, name)
            if value is None:
                continue
            for target in value if isinstance(value, tuple) else (value,):
                yield name, target

    def label(self, language: str = "en") -> str:
        """The name in ``language``, else English, else any."""
        return self.names.get(language) or self.names.get("en") or next(iter(self.names.values()))


class Organization(Entry):
    """An affiliate, the Foundation, or an external partner."""

    kind: ClassVar[EntryKind] = EntryKind.ORGANIZATION

    type: OrganizationType = Field(description="What kind of organisation it is.")
    regions: Unique[Region] = Field(default=(), description="Regions where it is based or works.")
    countries: Unique[CountryCode] = Field(
        default=(), description="Countries where it is based (ISO 3166-1 alpha-2)."
    )
    languages: Unique[LanguageCode] = Field(default=(), description="Languages it works in.")
    established: WikiDate | None = Field(default=None, description="Date of founding or recognition.")


class Hub(Entry):
    """A regional, thematic or language hub (or a hybrid of these)."""

    kind: ClassVar[EntryKind] = EntryKind.HUB
    reference_fields: ClassVar[dict[str, tuple[EntryKind, ...]]] = {
        "host": (EntryKind.ORGANIZATION,),
        "members": (EntryKind.ORGANIZATION,),
    }

    hub_kind: Unique[HubKind] = Field(
        min_length=1, description="Regional, thematic and/or language hub."
    )
    status: HubStatus = Field(description="Lifecycle stage.")
    regions: Unique[Region] = Field(default=(), description="Regions the hub covers.")
    countries: Unique[CountryCode] = Field(
        default=(), description="Countries the hub covers (ISO 3166-1 alpha-2)."
    )
    languages: Unique[LanguageCode] = Field(default=(), description="Languages the hub covers.")
    themes: Unique[ThematicArea] = Field(default=(), description="Thematic areas the hub covers.")
    host: RegistryId | None = Field(
        default=None, description="Registry id of the host or fiscal sponsor organisation."
    )
    members: Unique[RegistryId] = Field(
        default=(), description="Registry ids of the member organisations."
    )
    established: WikiDate | None = Field(default=None, description="Date the hub was established.")
    pilot_start: WikiDate | None = Field(default=None, description="Start of the pilot phase.")
    next_review: WikiDate | None = Field(default=None, description="Date of the next reassessment.")

    @model_validator(mode="after")
    def _coherent(self) -> Hub:
        if HubKind.REGIONAL in self.hub_kind and not (self.regions or self.countries):
            raise ValueError("a regional hub needs regions or countries")
        if HubKind.LANGUAGE in self.hub_kind and not self.languages:
            raise ValueError("a language hub needs languages")
        if HubKind.THEMATIC in self.hub_kind and not self.themes:
            raise ValueError("a thematic hub needs themes")
        if self.host is not None and self.host == self.id:
            raise ValueError("a hub cannot host itself")
        return self


class Partnership(Entry):
    """A partnership with an organisation, stewarded by one or more movement organisations."""

    kind: ClassVar[EntryKind] = EntryKind.PARTNERSHIP
    reference_fields: ClassVar[dict[str, tuple[EntryKind, ...]]] = {
        "partner": (EntryKind.ORGANIZATION,),
        "stewards": (EntryKind.ORGANIZATION, EntryKind.HUB),
    }

    partner: RegistryId = Field(description="Registry id of the partner organisation.")
    partner_type: PartnerType | None = Field(default=None, description="What kind of partner it is.")
    partnership_type: Unique[PartnershipType] = Field(
        min_length=1, description="Content, technology, financial, advocacy, education, research."
    )
    stewards: Unique[RegistryId] = Field(
        default=(), description="Registry ids of the organisations leading and stewarding it."
    )
    themes: Unique[ThematicArea] = Field(default=(), description="Thematic areas it serves.")
    scope: Scope = Field(description="Global, regional or national.")
    regions: Unique[Region] = Field(default=(), description="Regions in scope.")
    countries: Unique[CountryCode] = Field(default=(), description="Countries in scope.")
    languages: Unique[LanguageCode] = Field(default=(), description="Languages it works in.")
    status: PartnershipStatus = Field(description="Potential, active, paused or ended.")
    start: WikiDate | None = Field(default=None, description="Start date.")
    end: WikiDate | None = Field(default=None, description="End date.")

    @model_validator(mode="after")
    def _coherent(self) -> Partnership:
        if self.scope is Scope.REGIONAL and not self.regions:
            raise ValueError("a regional partnership needs regions")
        if self.scope is Scope.NATIONAL and not self.countries:
            raise ValueError("a national partnership needs countries")
        if self.start and self.end and self.end.latest < self.start.earliest:
            raise ValueError(f"ends ({self.end}) before it starts ({self.start})")
        if self.status is PartnershipStatus.ENDED and self.end is None:
            raise ValueError("an ended partnership needs an end date")
        return self

