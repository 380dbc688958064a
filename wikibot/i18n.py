"""The reader's language (``[wiki] language``): the fixed text of what the bot writes on the wiki,
and the values it shows, in that language, with fallbacks.  Pure: no I/O.

- Fixed text (captions, row labels, headings, prose) comes from ``MESSAGES``: each message in
  English and in the languages it has been translated into; a message missing in the reader's
  language falls back along ``Reader.fallbacks`` (the language, its base language, English).
- Vocabulary terms (statuses, regions, themes...) from ``TERM_LABELS`` the same way (English:
  ``Term.label``).
- Language names from the ``langcodes`` library (CLDR data, ``language_data``), in the reader's
  language; the code itself when the library does not know it.
- Entries' names are the registry's own (``Entry.label(language)``: the Wikibase's label in that
  language, else English).
- Writing direction from the language's usual script (``langcodes``): Arabic, Hebrew, Persian,
  Urdu... are right-to-left; what the bot writes carries ``dir`` and ``lang`` so that it reads
  right on a wiki of either direction.

Adding a language: its messages here (``MESSAGES``, ``TERM_LABELS``; a test checks that every
message of a language listed in ``TRANSLATED`` is there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import langcodes

from .registry.language_codes import LANGUAGE_CODES
from .registry.vocab import (
    HubKind,
    HubStatus,
    OrganizationType,
    PartnershipStatus,
    PartnershipType,
    PartnerType,
    Region,
    Scope,
    Term,
    ThematicArea,
)

DEFAULT = "en"
TRANSLATED = ("en", "ar", "fr")  # languages every message is translated into (a test checks it)
_RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg", "Mand", "Samr", "Yezi"})


@dataclass(frozen=True)
class Reader:
    """Whom the pages are written for: a language code MediaWiki knows."""

    code: str = DEFAULT

    @property
    def fallbacks(self) -> tuple[str, ...]:
        """The languages tried in turn: the reader's, its base language (``de-at`` -> ``de``), English."""
        chain = [self.code]
        base = self.code.split("-")[0]
        chain += [base, DEFAULT]
        return tuple(dict.fromkeys(chain))

    @property
    def direction(self) -> str:
        """``rtl`` or ``ltr``: the direction of the language's usual script."""
        return direction(self.code)

    @property
    def attributes(self) -> str:
        """The ``lang`` and ``dir`` attributes of an element holding text in this language."""
        return f'lang="{self.code}" dir="{self.direction}"'

    def text(self, key: str, **values: object) -> str:
        """Message ``key`` in the reader's language (else a fallback), ``{name}`` filled in."""
        forms = MESSAGES[key]
        template = next(forms[code] for code in (*self.fallbacks, DEFAULT) if code in forms)
        return template.format(**values) if values else template

    def pick(self, forms: Mapping[str, str], default: str = "") -> str:
        """Of ``forms`` (language -> text), the one in the reader's language or a fallback."""
        return next((forms[code] for code in self.fallbacks if code in forms), default)

    def term(self, term: Term) -> str:
        """A vocabulary term by its name in the reader's language (else English)."""
        for code in self.fallbacks:
            if code == DEFAULT:
                return term.label
            label = TERM_LABELS.get(code, {}).get(term)
            if label:
                return label
        return term.label

    def terms(self, terms: tuple[Term, ...] | list[Term]) -> str:
        return self.text("list-separator").join(self.term(term) for term in terms)

    def language(self, code: str) -> str:
        """A language's name in the reader's language (the code when it is not known)."""
        return language_name(code, self.code)

    def count(self, key: str, number: int) -> str:
        """``3 items created``: a counted message (``key`` has a singular form ``key-1`` where the
        language needs one)."""
        one = f"{key}-1"
        if number == 1 and one in MESSAGES:
            return self.text(one, n=number)
        return self.text(key, n=number)

    def time(self, iso: str | None) -> str:
        """An ISO 8601 UTC time (``2026-11-21T07:17:39Z``) as people read it: ``2026-11-21 07:17 UTC``."""
        if not iso:
            return ""
        try:
            moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
        except ValueError:
            return iso
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC)
        return self.text("time", date=moment.strftime("%Y-%m-%d"), time=moment.strftime("%H:%M"))


ENGLISH = Reader()


@cache
def direction(code: str) -> str:
    try:
        script = langcodes.Language.get(code).maximize().script
    except (ValueError, LookupError):
        return "ltr"
    return "rtl" if script in _RTL_SCRIPTS else "ltr"


@cache
def language_name(code: str, in_language: str) -> str:
    """``id`` in ``ar``: ``الإندونيسية``; the code itself when unknown."""
    try:
        language = langcodes.Language.get(code)
        if not language.is_valid():
            return code
        name = language.display_name(in_language)
    except (ValueError, LookupError):
        return code
    if not name or name.lower().startswith("unknown language"):
        return code
    return str(name)


def reader_problem(code: str) -> str | None:
    """Why ``code`` cannot be ``[wiki] language`` (None: it can)."""
    if code not in LANGUAGE_CODES:
        return f"{code!r} is not a language code MediaWiki knows"
    return None


# -- fixed text ------------------------------------------------------------------------------------
MESSAGES: dict[str, dict[str, str]] = {
    "list-separator": {"en": ", ", "ar": "، ", "fr": ", "},
    "time": {"en": "{date} {time} UTC", "ar": "{date} {time} (ت ع م)", "fr": "{date} à {time} UTC"},
    "none": {"en": "none", "ar": "لا شيء", "fr": "aucun"},
    "yes": {"en": "yes", "ar": "نعم", "fr": "oui"},
    "no": {"en": "no", "ar": "لا", "fr": "non"},
    # status boxes and entry templates
    "box-hub": {"en": "Hub status", "ar": "حالة المركز", "fr": "Statut du hub"},
    "box-partnership": {"en": "Partnership status", "ar": "حالة الشراكة", "fr": "Statut du partenariat"},
    "field-name": {"en": "Name", "ar": "الاسم", "fr": "Nom"},
    "field-status": {"en": "Status", "ar": "الحالة", "fr": "Statut"},
    "field-kind": {"en": "Kind", "ar": "النوع", "fr": "Genre"},
    "field-type": {"en": "Type", "ar": "النوع", "fr": "Type"},
    "field-host": {"en": "Host", "ar": "المضيف", "fr": "Hôte"},
    "field-regions": {"en": "Regions", "ar": "المناطق", "fr": "Régions"},
    "field-countries": {"en": "Countries", "ar": "البلدان", "fr": "Pays"},
    "field-languages": {"en": "Languages", "ar": "اللغات", "fr": "Langues"},
    "field-themes": {"en": "Themes", "ar": "المجالات", "fr": "Thèmes"},
    "field-members": {"en": "Members", "ar": "الأعضاء", "fr": "Membres"},
    "field-partnerships": {"en": "Partnerships", "ar": "الشراكات", "fr": "Partenariats"},
    "field-next_review": {"en": "Next review", "ar": "المراجعة القادمة", "fr": "Prochaine revue"},
    "field-item": {"en": "Item", "ar": "العنصر", "fr": "Élément"},
    "field-partner": {"en": "Partner", "ar": "الشريك", "fr": "Partenaire"},
    "field-partner_type": {"en": "Partner type", "ar": "نوع الشريك", "fr": "Type de partenaire"},
    "field-stewards": {"en": "Stewards", "ar": "المسؤولون", "fr": "Responsables"},
    "field-scope": {"en": "Scope", "ar": "النطاق", "fr": "Portée"},
    "field-start": {"en": "Start", "ar": "البداية", "fr": "Début"},
    "field-end": {"en": "End", "ar": "النهاية", "fr": "Fin"},
    "field-pilot_start": {"en": "Pilot start", "ar": "بداية المرحلة التجريبية", "fr": "Début du pilote"},
    "field-established": {"en": "Established", "ar": "التأسيس", "fr": "Création"},
    "field-website": {"en": "Website", "ar": "الموقع", "fr": "Site web"},
    "field-description": {"en": "Description", "ar": "الوصف", "fr": "Description"},
    "field-page": {"en": "Page", "ar": "الصفحة", "fr": "Page"},
    "field-id": {"en": "Registry id", "ar": "معرّف السجل", "fr": "Identifiant"},
    "overdue": {"en": "(overdue)", "ar": "(متأخرة)", "fr": "(en retard)"},
    "kind-hub": {"en": "Hub", "ar": "مركز", "fr": "Hub"},
    "kind-partnership": {"en": "Partnership", "ar": "شراكة", "fr": "Partenariat"},
    "kind-organization": {"en": "Organisation", "ar": "منظمة", "fr": "Organisation"},
    "not-synced-yet": {"en": "not in the Wikibase yet", "ar": "ليس في ويكي بيس بعد",
                       "fr": "pas encore dans le Wikibase"},
    # the sync report page
    "report-intro": {"en": "This page lists what the registry sync could not do by itself.",
                     "ar": "تسرد هذه الصفحة ما لم تستطع مزامنة السجل القيام به وحدها.",
                     "fr": "Cette page liste ce que la synchronisation du registre n’a pas pu faire seule."},
    "report-comment": {"en": "Written by wikibot on every sync that changes what it reports. Edit the registry "
                             "pages, not this page.",
                       "ar": "يكتبها wikibot عند كل مزامنة تغيّر ما تذكره. عدّل صفحات السجل، لا هذه الصفحة.",
                       "fr": "Écrite par wikibot à chaque synchronisation qui change ce qu’elle rapporte. Modifiez "
                             "les pages du registre, pas cette page."},
    "report-conflicts": {"en": "Conflicts", "ar": "التعارضات", "fr": "Conflits"},
    "report-conflicts-intro": {
        "en": "The same field was changed on the page and in the Wikibase since the last sync. Neither side was "
              "written: make them agree, on either side.",
        "ar": "تغيّر الحقل نفسه في الصفحة وفي ويكي بيس منذ آخر مزامنة. لم يُكتب أي من الجانبين: اجعلهما متفقين "
              "من أي جانب.",
        "fr": "Le même champ a été modifié sur la page et dans le Wikibase depuis la dernière synchronisation. "
              "Aucun des deux côtés n’a été écrit : mettez-les d’accord, d’un côté ou de l’autre."},
    "col-entry": {"en": "Entry", "ar": "المُدخل", "fr": "Entrée"},
    "col-page": {"en": "Page", "ar": "الصفحة", "fr": "Page"},
    "col-field": {"en": "Field", "ar": "الحقل", "fr": "Champ"},
    "col-on-page": {"en": "On the page", "ar": "في الصفحة", "fr": "Sur la page"},
    "col-in-wikibase": {"en": "In the Wikibase", "ar": "في ويكي بيس", "fr": "Dans le Wikibase"},
    "col-last-synced": {"en": "Last synced", "ar": "آخر مزامنة", "fr": "Dernière synchronisation"},
    "report-none": {"en": "None.", "ar": "لا شيء.", "fr": "Aucun."},
    "report-not-synced": {"en": "Entries not synced", "ar": "مدخلات لم تُزامَن", "fr": "Entrées non synchronisées"},
    "report-invalid": {"en": "Invalid entries", "ar": "مدخلات غير صالحة", "fr": "Entrées non valides"},
    "report-removed": {"en": "Removed from the registry", "ar": "أزيلت من السجل", "fr": "Retirées du registre"},
    "report-unlisted": {"en": "On pages that are no registry page now", "ar": "في صفحات لم تعد صفحات سجل",
                        "fr": "Sur des pages qui ne sont plus des pages du registre"},
    "report-wikibase-only": {"en": "In the Wikibase only", "ar": "في ويكي بيس فقط",
                             "fr": "Dans le Wikibase seulement"},
    "report-guards": {"en": "Pages not acted on", "ar": "صفحات لم يُتصرَّف فيها", "fr": "Pages laissées telles quelles"},
    "report-refused": {"en": "Pages the wiki refused to save", "ar": "صفحات رفض الويكي حفظها",
                       "fr": "Pages que le wiki a refusé d’enregistrer"},
    "report-line": {"en": "line {line}", "ar": "السطر {line}", "fr": "ligne {line}"},
    "report-removed-line": {"en": "its item {item} is kept (run with --retire to mark it closed)",
                            "ar": "عنصره {item} محفوظ (شغّل مع ‎--retire لوسمه مغلقًا)",
                            "fr": "son élément {item} est conservé (lancer avec --retire pour le marquer fermé)"},
    "report-unlisted-line": {"en": "was on {page}; not taken for removed", "ar": "كان في {page}؛ لم يُعدّ مُزالًا",
                             "fr": "était sur {page} ; pas considéré comme retiré"},
    "report-wikibase-only-line": {"en": "a registry item that no page names", "ar": "عنصر سجل لا تذكره أي صفحة",
                                  "fr": "un élément du registre qu’aucune page ne nomme"},
    "no-page": {"en": "no page", "ar": "لا صفحة", "fr": "aucune page"},
    "no-id": {"en": "(no id)", "ar": "(بلا معرّف)", "fr": "(sans identifiant)"},
    "more": {"en": "… and {n} more{more}.", "ar": "… و{n} أخرى{more}.", "fr": "… et {n} de plus{more}."},
    # the heartbeat page
    "beat-comment": {"en": "Written by wikibot at the end of every run. Edits here are overwritten.",
                     "ar": "يكتبها wikibot في نهاية كل تشغيل. التعديلات هنا تُستبدل.",
                     "fr": "Écrite par wikibot à la fin de chaque exécution. Les modifications ici sont écrasées."},
    "beat-intro": {"en": "When each job of the registry bot last succeeded and last failed. A job whose last "
                         "success is old has stalled: see its last failure.",
                   "ar": "متى نجحت كل مهمة من مهام بوت السجل آخر مرة ومتى فشلت آخر مرة. المهمة التي مضى "
                         "وقت طويل على آخر نجاح لها متوقفة: انظر آخر فشل لها.",
                   "fr": "Quand chaque tâche du robot du registre a réussi et échoué pour la dernière fois. Une "
                         "tâche dont le dernier succès est ancien est bloquée : voir son dernier échec."},
    "col-job": {"en": "Job", "ar": "المهمة", "fr": "Tâche"},
    "col-last-success": {"en": "Last success", "ar": "آخر نجاح", "fr": "Dernier succès"},
    "col-did": {"en": "What it did", "ar": "ما فعلته", "fr": "Ce qu’elle a fait"},
    "col-last-failure": {"en": "Last failure", "ar": "آخر فشل", "fr": "Dernier échec"},
    "col-why": {"en": "Why", "ar": "السبب", "fr": "Pourquoi"},
    "job-sync": {"en": "sync (registry pages and Wikibase)", "ar": "المزامنة (صفحات السجل وويكي بيس)",
                 "fr": "synchronisation (pages du registre et Wikibase)"},
    "job-status": {"en": "status boxes", "ar": "صناديق الحالة", "fr": "boîtes de statut"},
    "job-coverage": {"en": "coverage report", "ar": "تقرير التغطية", "fr": "rapport de couverture"},
    "job-templates": {"en": "templates", "ar": "القوالب", "fr": "modèles"},
    "nothing-to-do": {"en": "nothing to do", "ar": "لا شيء للقيام به", "fr": "rien à faire"},
    "count-created": {"en": "{n} items created", "ar": "أُنشئ {n} عنصرًا", "fr": "{n} éléments créés"},
    "count-created-1": {"en": "1 item created", "ar": "أُنشئ عنصر واحد", "fr": "1 élément créé"},
    "count-adopted": {"en": "{n} items found", "ar": "وُجد {n} عنصرًا", "fr": "{n} éléments retrouvés"},
    "count-items_updated": {"en": "{n} items updated", "ar": "حُدّث {n} عنصرًا", "fr": "{n} éléments mis à jour"},
    "count-items_updated-1": {"en": "1 item updated", "ar": "حُدّث عنصر واحد", "fr": "1 élément mis à jour"},
    "count-retired": {"en": "{n} items retired", "ar": "أُحيل {n} عنصرًا", "fr": "{n} éléments retirés"},
    "count-pages_edited": {"en": "{n} pages edited", "ar": "عُدّلت {n} صفحات", "fr": "{n} pages modifiées"},
    "count-pages_edited-1": {"en": "1 page edited", "ar": "عُدّلت صفحة واحدة", "fr": "1 page modifiée"},
    "count-written_back": {"en": "{n} item ids written back", "ar": "كُتب {n} معرّفًا في الصفحات",
                           "fr": "{n} identifiants réécrits sur les pages"},
    "count-conflicts": {"en": "{n} conflicts", "ar": "{n} تعارضات", "fr": "{n} conflits"},
    "count-conflicts-1": {"en": "1 conflict", "ar": "تعارض واحد", "fr": "1 conflit"},
    "count-problems": {"en": "{n} problems", "ar": "{n} مشكلات", "fr": "{n} problèmes"},
    "count-problems-1": {"en": "1 problem", "ar": "مشكلة واحدة", "fr": "1 problème"},
    "count-invalid": {"en": "{n} invalid entries", "ar": "{n} مدخلات غير صالحة", "fr": "{n} entrées non valides"},
    "count-invalid-1": {"en": "1 invalid entry", "ar": "مدخل واحد غير صالح", "fr": "1 entrée non valide"},
    "count-refused": {"en": "{n} pages refused", "ar": "رُفضت {n} صفحات", "fr": "{n} pages refusées"},
    "count-simulated": {"en": "{n} simulated", "ar": "{n} محاكاة", "fr": "{n} simulées"},
    "count-query_store": {"en": "{n} items indexed for queries", "ar": "فُهرس {n} عنصرًا للاستعلامات",
                          "fr": "{n} éléments indexés pour les requêtes"},
    "count-pages": {"en": "{n} pages", "ar": "{n} صفحات", "fr": "{n} pages"},
    "count-pages-1": {"en": "1 page", "ar": "صفحة واحدة", "fr": "1 page"},
    "count-saved": {"en": "{n} saved", "ar": "حُفظ {n}", "fr": "{n} enregistrées"},
    "count-to_save": {"en": "{n} to save", "ar": "{n} للحفظ", "fr": "{n} à enregistrer"},
    "count-current": {"en": "{n} already current", "ar": "{n} محدّثة أصلًا", "fr": "{n} déjà à jour"},
    "count-denied": {"en": "{n} refusing bots", "ar": "{n} ترفض البوتات", "fr": "{n} refusant les robots"},
    "count-no_box": {"en": "{n} without a box", "ar": "{n} بلا صندوق", "fr": "{n} sans boîte"},
    "count-no_page": {"en": "{n} entry pages missing", "ar": "{n} صفحات مفقودة", "fr": "{n} pages absentes"},
    "count-redirect": {"en": "{n} redirects", "ar": "{n} تحويلات", "fr": "{n} redirections"},
    "count-questions": {"en": "{n} questions answered", "ar": "أُجيب عن {n} أسئلة",
                        "fr": "{n} questions répondues"},
    "count-rows": {"en": "{n} rows", "ar": "{n} صفوف", "fr": "{n} lignes"},
    "count-failed": {"en": "{n} not answered", "ar": "{n} بلا إجابة", "fr": "{n} sans réponse"},
    "count-installed": {"en": "{n} installed", "ar": "ثُبّت {n}", "fr": "{n} installés"},
    "count-updated": {"en": "{n} updated", "ar": "حُدّث {n}", "fr": "{n} mis à jour"},
    "count-edited_by_others": {"en": "{n} edited by others", "ar": "{n} عدّلها آخرون",
                               "fr": "{n} modifiés par d’autres"},
    "outcome-failed": {"en": "failed", "ar": "فشل", "fr": "échec"},
    "outcome-blocked": {"en": "blocked", "ar": "محجوب", "fr": "bloqué"},
    # the coverage report page
    "coverage-intro": {
        "en": "This page is written by wikibot ('wikibot coverage --publish'): the answers to the registry's "
              "coverage questions, from the Wikibase's query service. Edits here are overwritten by the next "
              "run; change the questions in wikibot's query files instead.",
        "ar": "يكتب wikibot هذه الصفحة ('wikibot coverage --publish'): إجابات أسئلة التغطية في السجل، من خدمة "
              "الاستعلام في ويكي بيس. التعديلات هنا يستبدلها التشغيل التالي؛ غيّر الأسئلة في ملفات استعلامات "
              "wikibot بدلًا من ذلك.",
        "fr": "Cette page est écrite par wikibot (« wikibot coverage --publish ») : les réponses aux questions de "
              "couverture du registre, depuis le service de requêtes du Wikibase. Les modifications ici sont "
              "écrasées à la prochaine exécution ; changez plutôt les questions dans les fichiers de requêtes."},
    "coverage-no-rows": {"en": "No rows.", "ar": "لا صفوف.", "fr": "Aucune ligne."},
    "coverage-the-query": {"en": "The query:", "ar": "الاستعلام:", "fr": "La requête :"},
    "coverage-open-query": {"en": "Open it in the query service", "ar": "افتحه في خدمة الاستعلام",
                            "fr": "L’ouvrir dans le service de requêtes"},
    "coverage-not-answered": {
        "en": "'''Not answered this time''': the query service did not answer this question ({message}). The "
              "other questions are answered; the next run asks it again.",
        "ar": "'''لم يُجب عنه هذه المرة''': لم تُجب خدمة الاستعلام عن هذا السؤال ({message}). أُجيب عن الأسئلة "
              "الأخرى؛ التشغيل التالي يسأله مرة أخرى.",
        "fr": "'''Pas de réponse cette fois''' : le service de requêtes n’a pas répondu à cette question "
              "({message}). Les autres questions ont une réponse ; la prochaine exécution la pose à nouveau."},
    "coverage-more-rows": {"en": "… and {n} more rows (all of them: wikibot coverage {name} --format csv).",
                           "ar": "… و{n} صفًا آخر (كلها: wikibot coverage {name} --format csv).",
                           "fr": "… et {n} lignes de plus (toutes : wikibot coverage {name} --format csv)."},
}

# Vocabulary terms in languages other than English (English: ``Term.label``).
TERM_LABELS: dict[str, Mapping[Term, str]] = {
    "ar": {
        HubKind.REGIONAL: "إقليمي", HubKind.THEMATIC: "موضوعي", HubKind.LANGUAGE: "لغوي",
        HubStatus.RESEARCH: "بحث", HubStatus.PLANNING: "تخطيط", HubStatus.PILOT: "تجريبي",
        HubStatus.IMPLEMENTATION: "تنفيذ", HubStatus.UNDER_REVIEW: "قيد المراجعة", HubStatus.DORMANT: "خامل",
        HubStatus.CLOSED: "مغلق",
        ThematicArea.GLAM: "المعارض والمكتبات والأرشيفات والمتاحف", ThematicArea.EDUCATION: "التعليم",
        ThematicArea.ADVOCACY: "المناصرة", ThematicArea.CAPACITY_BUILDING: "بناء القدرات",
        ThematicArea.TECHNOLOGY: "التقنية", ThematicArea.COMMUNITY_HEALTH: "صحة المجتمع",
        ThematicArea.PARTNERSHIPS: "الشراكات", ThematicArea.RESEARCH: "البحث",
        ThematicArea.LANGUAGE_DIVERSITY: "التنوع اللغوي",
        Region.ESEAP: "شرق وجنوب شرق آسيا والمحيط الهادئ", Region.SOUTH_ASIA: "جنوب آسيا",
        Region.SUB_SAHARAN_AFRICA: "أفريقيا جنوب الصحراء", Region.MENA: "الشرق الأوسط وشمال أفريقيا",
        Region.CEE_CENTRAL_ASIA: "وسط وشرق أوروبا وآسيا الوسطى", Region.NORTHERN_WESTERN_EUROPE: "شمال وغرب أوروبا",
        Region.LATIN_AMERICA_CARIBBEAN: "أمريكا اللاتينية والكاريبي", Region.NORTH_AMERICA: "أمريكا الشمالية",
        OrganizationType.CHAPTER: "فرع", OrganizationType.THEMATIC_ORGANIZATION: "منظمة موضوعية",
        OrganizationType.USER_GROUP: "مجموعة مستخدمين", OrganizationType.FOUNDATION: "مؤسسة",
        OrganizationType.GLAM_INSTITUTION: "مؤسسة ثقافية", OrganizationType.UNIVERSITY: "جامعة",
        OrganizationType.GOVERNMENT: "جهة حكومية", OrganizationType.OPEN_KNOWLEDGE: "منظمة معرفة حرة",
        OrganizationType.CIVIL_SOCIETY: "مجتمع مدني", OrganizationType.COMPANY: "شركة", OrganizationType.OTHER: "أخرى",
        PartnerType.GLAM: "مؤسسة ثقافية", PartnerType.EDUCATION: "تعليم", PartnerType.GOVERNMENT: "جهة حكومية",
        PartnerType.OPEN_KNOWLEDGE: "منظمة معرفة حرة", PartnerType.CIVIL_SOCIETY: "مجتمع مدني",
        PartnerType.COMPANY: "شركة", PartnerType.INTERGOVERNMENTAL: "منظمة حكومية دولية",
        PartnerType.MOVEMENT: "منظمة من حركة ويكيميديا", PartnerType.OTHER: "أخرى",
        PartnershipType.CONTENT: "محتوى", PartnershipType.TECHNOLOGY: "تقنية", PartnershipType.FINANCIAL: "تمويل",
        PartnershipType.ADVOCACY: "مناصرة", PartnershipType.EDUCATION: "تعليم", PartnershipType.RESEARCH: "بحث",
        PartnershipStatus.POTENTIAL: "محتملة", PartnershipStatus.ACTIVE: "نشطة", PartnershipStatus.PAUSED: "متوقفة",
        PartnershipStatus.ENDED: "منتهية",
        Scope.GLOBAL: "عالمي", Scope.REGIONAL: "إقليمي", Scope.NATIONAL: "وطني",
    },
    "fr": {
        HubKind.REGIONAL: "Régional", HubKind.THEMATIC: "Thématique", HubKind.LANGUAGE: "Linguistique",
        HubStatus.RESEARCH: "Recherche", HubStatus.PLANNING: "Planification", HubStatus.PILOT: "Pilote",
        HubStatus.IMPLEMENTATION: "Mise en œuvre", HubStatus.UNDER_REVIEW: "En revue", HubStatus.DORMANT: "En sommeil",
        HubStatus.CLOSED: "Fermé",
        ThematicArea.GLAM: "GLAM", ThematicArea.EDUCATION: "Éducation", ThematicArea.ADVOCACY: "Plaidoyer",
        ThematicArea.CAPACITY_BUILDING: "Renforcement des capacités", ThematicArea.TECHNOLOGY: "Technologie",
        ThematicArea.COMMUNITY_HEALTH: "Santé de la communauté", ThematicArea.PARTNERSHIPS: "Partenariats",
        ThematicArea.RESEARCH: "Recherche", ThematicArea.LANGUAGE_DIVERSITY: "Diversité linguistique",
        Region.ESEAP: "Asie de l’Est, du Sud-Est et Pacifique (ESEAP)", Region.SOUTH_ASIA: "Asie du Sud",
        Region.SUB_SAHARAN_AFRICA: "Afrique subsaharienne", Region.MENA: "Moyen-Orient et Afrique du Nord (MENA)",
        Region.CEE_CENTRAL_ASIA: "Europe centrale et orientale et Asie centrale (CEE)",
        Region.NORTHERN_WESTERN_EUROPE: "Europe du Nord et de l’Ouest",
        Region.LATIN_AMERICA_CARIBBEAN: "Amérique latine et Caraïbes", Region.NORTH_AMERICA: "Amérique du Nord",
        OrganizationType.CHAPTER: "Chapitre", OrganizationType.THEMATIC_ORGANIZATION: "Organisation thématique",
        OrganizationType.USER_GROUP: "Groupe d’utilisateurs", OrganizationType.FOUNDATION: "Fondation",
        OrganizationType.GLAM_INSTITUTION: "Institution GLAM", OrganizationType.UNIVERSITY: "Université",
        OrganizationType.GOVERNMENT: "Administration", OrganizationType.OPEN_KNOWLEDGE: "Organisation du savoir libre",
        OrganizationType.CIVIL_SOCIETY: "Société civile", OrganizationType.COMPANY: "Entreprise",
        OrganizationType.OTHER: "Autre",
        PartnerType.GLAM: "GLAM", PartnerType.EDUCATION: "Éducation", PartnerType.GOVERNMENT: "Administration",
        PartnerType.OPEN_KNOWLEDGE: "Organisation du savoir libre", PartnerType.CIVIL_SOCIETY: "Société civile",
        PartnerType.COMPANY: "Entreprise", PartnerType.INTERGOVERNMENTAL: "Intergouvernemental",
        PartnerType.MOVEMENT: "Organisation du mouvement Wikimedia", PartnerType.OTHER: "Autre",
        PartnershipType.CONTENT: "Contenu", PartnershipType.TECHNOLOGY: "Technologie",
        PartnershipType.FINANCIAL: "Financier", PartnershipType.ADVOCACY: "Plaidoyer",
        PartnershipType.EDUCATION: "Éducation", PartnershipType.RESEARCH: "Recherche",
        PartnershipStatus.POTENTIAL: "Potentiel", PartnershipStatus.ACTIVE: "Actif",
        PartnershipStatus.PAUSED: "En pause",
        PartnershipStatus.ENDED: "Terminé",
        Scope.GLOBAL: "Mondial", Scope.REGIONAL: "Régional", Scope.NATIONAL: "National",
    },
}

# Coverage: column headers (by result variable), values the queries say in words, the questions.
COLUMNS: dict[str, dict[str, str]] = {
    "affiliates": {"en": "Affiliates", "ar": "المنتسبون", "fr": "Affiliés"},
    "belowPilot": {"en": "Hubs below pilot", "ar": "مراكز قبل المرحلة التجريبية", "fr": "Hubs avant le pilote"},
    "class": {"en": "Class", "ar": "الصنف", "fr": "Classe"},
    "code": {"en": "Code", "ar": "الرمز", "fr": "Code"},
    "count": {"en": "Partnerships", "ar": "الشراكات", "fr": "Partenariats"},
    "dimension": {"en": "What", "ar": "البُعد", "fr": "Dimension"},
    "field": {"en": "Field", "ar": "الحقل", "fr": "Champ"},
    "hub": {"en": "Hub", "ar": "المركز", "fr": "Hub"},
    "hubLabel": {"en": "Name", "ar": "الاسم", "fr": "Nom"},
    "hubs": {"en": "Hubs", "ar": "المراكز", "fr": "Hubs"},
    "inNoHub": {"en": "Affiliates in no open hub", "ar": "منتسبون خارج أي مركز مفتوح", "fr": "Affiliés hors de tout hub ouvert"},
    "inNoHubCount": {"en": "How many", "ar": "العدد", "fr": "Combien"},
    "inactive": {"en": "Inactive hubs", "ar": "مراكز غير نشطة", "fr": "Hubs inactifs"},
    "items": {"en": "Items", "ar": "العناصر", "fr": "Éléments"},
    "label": {"en": "Name", "ar": "الاسم", "fr": "Nom"},
    "language": {"en": "Language", "ar": "اللغة", "fr": "Langue"},
    "largest": {"en": "Largest steward", "ar": "أكبر مسؤول", "fr": "Principal responsable"},
    "leads": {"en": "Partnerships it leads", "ar": "الشراكات التي يقودها", "fr": "Partenariats qu’il mène"},
    "nextReview": {"en": "Next review", "ar": "المراجعة القادمة", "fr": "Prochaine revue"},
    "openHubs": {"en": "Open hubs", "ar": "مراكز مفتوحة", "fr": "Hubs ouverts"},
    "operating": {"en": "Operating hubs", "ar": "مراكز عاملة", "fr": "Hubs en activité"},
    "partnerships": {"en": "Partnerships", "ar": "الشراكات", "fr": "Partenariats"},
    "property": {"en": "Property", "ar": "الخاصية", "fr": "Propriété"},
    "propertyLabel": {"en": "Property name", "ar": "اسم الخاصية", "fr": "Nom de la propriété"},
    "rank": {"en": "Rank", "ar": "الترتيب", "fr": "Rang"},
    "region": {"en": "Region", "ar": "المنطقة", "fr": "Région"},
    "regionLabel": {"en": "Name", "ar": "الاسم", "fr": "Nom"},
    "share": {"en": "Share", "ar": "النسبة", "fr": "Part"},
    "speakers": {"en": "Speakers (millions)", "ar": "المتحدثون (بالملايين)", "fr": "Locuteurs (millions)"},
    "state": {"en": "Review", "ar": "المراجعة", "fr": "Revue"},
    "status": {"en": "Status", "ar": "الحالة", "fr": "Statut"},
    "steward": {"en": "Steward", "ar": "المسؤول", "fr": "Responsable"},
    "stewardLabel": {"en": "Name", "ar": "الاسم", "fr": "Nom"},
    "stewards": {"en": "Stewards", "ar": "المسؤولون", "fr": "Responsables"},
    "theme": {"en": "Theme", "ar": "المجال", "fr": "Thème"},
    "themeLabel": {"en": "Name", "ar": "الاسم", "fr": "Nom"},
    "type": {"en": "Type", "ar": "النوع", "fr": "Type"},
    "typeLabel": {"en": "Name", "ar": "الاسم", "fr": "Nom"},
    "verdict": {"en": "Verdict", "ar": "الحكم", "fr": "Verdict"},
    "with": {"en": "With the field", "ar": "بها الحقل", "fr": "Avec le champ"},
}
VALUE_WORDS: dict[str, dict[str, str]] = {
    "hub below pilot only": {"en": "hub below pilot only", "ar": "مركز قبل المرحلة التجريبية فقط", "fr": "hub avant le pilote seulement"},
    "no open hub": {"en": "no open hub", "ar": "لا مركز مفتوح", "fr": "aucun hub ouvert"},
    "operating hub": {"en": "operating hub", "ar": "مركز عامل", "fr": "hub en activité"},
    "in no open hub": {"en": "in no open hub", "ar": "خارج أي مركز مفتوح", "fr": "hors de tout hub ouvert"},
    "no region": {"en": "no region", "ar": "بلا منطقة", "fr": "aucune région"},
    "no status": {"en": "no status", "ar": "بلا حالة", "fr": "aucun statut"},
    "overdue": {"en": "overdue", "ar": "متأخرة", "fr": "en retard"},
    "due": {"en": "due", "ar": "مستحقة", "fr": "à faire"},
    "due within": {"en": "due within", "ar": "مستحقة قريبًا", "fr": "à faire bientôt"},
    "(none)": {"en": "(none)", "ar": "(لا شيء)", "fr": "(aucun)"},
}
QUESTIONS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "languages": ({"en": "Languages: the most spoken languages and the hubs that cover them", "ar": "اللغات: اللغات الأكثر تحدثًا والمراكز التي تغطيها", "fr": "Langues : les langues les plus parlées et les hubs qui les couvrent"},
             {"en": "The most spoken languages, most spoken first, with the hubs that cover each: operating ones (pilot or beyond), ones below pilot (research, planning) and inactive ones (dormant, closed).", "ar": "اللغات الأكثر تحدثًا، الأكثر أولًا، مع المراكز التي تغطي كل لغة: العاملة (تجريبية أو أبعد)، وما قبل التجريبية (بحث، تخطيط)، وغير النشطة (خاملة، مغلقة).", "fr": "Les langues les plus parlées, la plus parlée d’abord, avec les hubs qui couvrent chacune : en activité (pilote ou au-delà), avant le pilote (recherche, planification) et inactifs (en sommeil, fermés)."}),
    "regions": ({"en": "Regions: hubs and affiliates in each Wikimedia region", "ar": "المناطق: المراكز والمنتسبون في كل منطقة من مناطق ويكيميديا", "fr": "Régions : hubs et affiliés dans chaque région Wikimedia"},
             {"en": "Every Wikimedia region: the hubs that name it with their status, how many operate, its affiliates, and the affiliates in no open hub.", "ar": "كل منطقة من مناطق ويكيميديا: المراكز التي تذكرها مع حالتها، وكم منها يعمل، ومنتسبوها، والمنتسبون خارج أي مركز مفتوح.", "fr": "Chaque région Wikimedia : les hubs qui la nomment avec leur statut, combien sont en activité, ses affiliés, et les affiliés hors de tout hub ouvert."}),
    "themes": ({"en": "Themes: hubs and partnerships in each thematic area", "ar": "المجالات: المراكز والشراكات في كل مجال", "fr": "Thèmes : hubs et partenariats de chaque domaine"},
             {"en": "Every thematic area: its hubs, its partnerships and their stewards, and the largest steward with its share of the theme's partnerships.", "ar": "كل مجال: مراكزه وشراكاته والمسؤولون عنها، وأكبر مسؤول ونسبته من شراكات المجال.", "fr": "Chaque domaine : ses hubs, ses partenariats et leurs responsables, et le principal responsable avec sa part des partenariats du thème."}),
    "partnerships": ({"en": "Partnerships: by partnership type and steward", "ar": "الشراكات: حسب نوع الشراكة والمسؤول", "fr": "Partenariats : par type et par responsable"},
             {"en": "Every partnership counted under its type and each of its stewards.", "ar": "كل شراكة محسوبة تحت نوعها وتحت كل مسؤول عنها.", "fr": "Chaque partenariat compté sous son type et sous chacun de ses responsables."}),
    "reviews": ({"en": "Reviews: hubs whose next review is overdue or due soon", "ar": "المراجعات: المراكز التي تأخرت مراجعتها القادمة أو اقتربت", "fr": "Revues : hubs dont la prochaine revue est en retard ou proche"},
             {"en": "Hubs whose next review date has passed, or comes within the next days.", "ar": "المراكز التي مضى موعد مراجعتها القادمة أو يحل خلال الأيام القادمة.", "fr": "Les hubs dont la date de prochaine revue est passée, ou arrive dans les jours qui viennent."}),
    "completeness": ({"en": "Completeness: how many items of each class have each field", "ar": "الاكتمال: كم عنصرًا من كل صنف لديه كل حقل", "fr": "Complétude : combien d’éléments de chaque classe ont chaque champ"},
             {"en": "For every class and field, how many items have the field, and that share.", "ar": "لكل صنف وحقل، كم عنصرًا لديه الحقل، وما نسبته.", "fr": "Pour chaque classe et chaque champ, combien d’éléments ont le champ, et quelle part."}),
    "gaps": ({"en": "Gaps: regions, languages and themes no open hub covers", "ar": "الفجوات: مناطق ولغات ومجالات لا يغطيها أي مركز مفتوح", "fr": "Lacunes : régions, langues et thèmes qu’aucun hub ouvert ne couvre"},
             {"en": "Every region, most spoken language and thematic area that no open hub covers.", "ar": "كل منطقة ولغة من الأكثر تحدثًا ومجال لا يغطيه أي مركز مفتوح.", "fr": "Chaque région, langue parmi les plus parlées et domaine qu’aucun hub ouvert ne couvre."}),
}
