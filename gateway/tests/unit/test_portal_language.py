"""One language per page: the catalogs are whole, no message is in the other language, every
page template rendered in bokmål and in English shows no word of the other language and no
raw key, and every problem code the portal knows is said in the page's language."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from gateway.portal import problems
from gateway.portal.api import ApiProblem
from gateway.portal.i18n import CATALOGUES, LANGUAGES, Translator, catalog_path
from gateway.portal.render import templates
from jinja2 import ChainableUndefined, Environment, UndefinedError
from servicekit.testing.language import PREFIX, raw_keys, visible_text, wrong_words

TEMPLATES = Path(templates.env.loader.searchpath[0]) / "portal"  # type: ignore[union-attr]
PAGES = sorted(p.name for p in TEMPLATES.glob("*.html") if not p.name.startswith("_"))
NAMESPACES = frozenset(key.split(".", 1)[0] for key in CATALOGUES["nb"].keys if "." in key)

SAME_IN_BOTH = {
    "lang.other",  # the switch names the other language in that language: «English», «Norsk»
}
"""Keys whose words are meant to be in the other language."""


def _catalog(lang: str) -> Catalog:
    with catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def _texts(message: Any) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_in_its_language(lang: str) -> None:
    catalog = _catalog(lang)
    other = _catalog("en" if lang == "nb" else "nb")
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    missing = sorted(str(m.id) for m in other if m.id and catalog.get(m.id) is None)
    assert missing == [], f"keys with no {lang} entry"
    empty = sorted(str(m.id) for m in catalog if m.id and not all(t.strip() for t in _texts(m)))
    assert empty == [], f"untranslated keys in {lang}"
    assert sorted(str(m.id) for m in catalog if m.id and m.fuzzy) == []
    leaks = {
        str(m.id): found
        for m in catalog
        if m.id and str(m.id if isinstance(m.id, str) else m.id[0]) not in SAME_IN_BOTH
        for found in [wrong_words(" ".join(_texts(m)), lang)]
        if found
    }
    assert leaks == {}


_EMPTY = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError, UndefinedError)
"""What a formatter raises on a value that is not there: the test shows nothing instead."""


class _Lenient(ChainableUndefined):
    """A value a service would have sent: empty whatever a template does with it."""

    def __call__(self, *args: Any, **kwargs: Any) -> _Lenient:  # type: ignore[override]
        return self

    def __int__(self) -> int:  # type: ignore[override]
        return 0

    def __index__(self) -> int:
        return 0

    def __float__(self) -> float:  # type: ignore[override]
        return 0.0

    def _nothing(self, *args: Any) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _nothing  # type: ignore[assignment]

    def _same(self, *args: Any) -> _Lenient:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same  # type: ignore[assignment]
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __neg__ = _same  # type: ignore[assignment]


def _environment(lang: str) -> Environment:
    """The portal's templates as the pages render them, but with every value a page gets
    from a service left undefined (loops empty, conditions false): the page's own words."""
    env = templates.env.overlay(undefined=_Lenient)

    def safe(function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except _EMPTY:
                return ""

        call.jinja_pass_arg = getattr(function, "jinja_pass_arg", None)  # type: ignore[attr-defined]
        return call

    env.filters = {name: safe(f) for name, f in templates.env.filters.items()}
    env.globals.update(lang=lang, t=Translator(lang), csrf="csrf", path="/", here="/")
    return env


def _visitor() -> SimpleNamespace:
    """A signed-in person who may see every menu item."""
    flags = (
        "is_agency is_agency_admin is_creditor is_creditor_admin is_case_handler is_ops "
        "manages_api_clients manages_users orders_credit_reports reads_credit_reports"
    )
    return SimpleNamespace(**dict.fromkeys(flags.split(), True), roles=frozenset(), principal=None)


def _raw_keys(text: str) -> list[str]:
    return raw_keys(text, NAMESPACES)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_speaks_one_language(page: str, lang: str) -> None:
    env = _environment(lang)
    template = env.get_template(f"portal/{page}")
    for visitor in (None, _visitor()):
        html = template.render(visitor=visitor, request=SimpleNamespace(url=SimpleNamespace()))
        assert f'lang="{lang}"' in html or page.startswith("_")
        texts = visible_text(html)
        assert len(texts) > 3, page
        assert [k for text in texts for k in _raw_keys(text)] == [], f"raw keys on {page}"
        leaks = [w for text in texts for w in wrong_words(PREFIX.sub(" ", text), lang)]
        assert leaks == [], f"{page} in {lang}: {texts}"


def _known_codes() -> list[str]:
    return sorted(problems._TYPES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_known_problem_code_is_said_in_the_pages_language(lang: str) -> None:
    t = Translator(lang)
    said: dict[str, str] = {}
    for code in _known_codes():
        refusal = ApiProblem(
            status=422, type=f"https://infocenter.no/problems/{code}", detail="Some detail."
        )
        said[code] = problems.message(refusal, t)
    for status in problems._STATUSES:
        refusal = ApiProblem(status=status, type="about:blank", detail="Some English detail.")
        said[str(status)] = problems.message(refusal, t)
    assert len(said) > 40
    raw = {code: text for code, text in said.items() if _raw_keys(text) or not text.strip()}
    assert raw == {}
    leaks = {code: found for code, text in said.items() if (found := wrong_words(text, lang))}
    assert leaks == {}


ISSUE_EXAMPLES = [
    "This creditor reference is already registered as case IC-0000007.",
    "The first row is not the header of the import layout (missing columns: amount)",
    "A user with this e-mail address already exists.",
    "limitation interrupted: acknowledgement",
]


def test_the_word_list_finds_the_leaks_the_walkthrough_found() -> None:
    for sentence in ISSUE_EXAMPLES:
        assert wrong_words(sentence, "nb"), sentence
    assert wrong_words("Dette kolliderer med noe som finnes", "en")
    assert wrong_words("Kystfisk Ålesund", "en") == []  # a name is the same in both
    assert _raw_keys("Se problem.no_such_code her") == ["problem.no_such_code"]
    assert _raw_keys("epost@infocenter.example") == []


SERVICES = Path(__file__).resolve().parents[3] / "services"
LIBS = SERVICES.parent / "libs"
_CODE = re.compile(
    r"(?:\btype(?:: str)? = |type, title = |status, type, title = \d{3}, "
    r'|problem\(\s*\d{3},\s*)"([a-z0-9-]+)"'
)


def _service_codes() -> set[str]:
    """Every problem type a service declares (``type = "user-exists"`` …)."""
    codes: set[str] = set()
    for path in [*SERVICES.glob("*/*/**/*.py"), *LIBS.glob("servicekit/servicekit/*.py")]:
        codes |= set(_CODE.findall(path.read_text(encoding="utf-8")))
    return codes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_service_sentence_reaches_a_page_whatever_the_code(lang: str) -> None:
    codes = _service_codes()
    assert {"already-registered", "user-exists", "password-rejected", "not-found"} <= codes
    t = Translator(lang)
    detail = f"{ISSUE_EXAMPLES[2]} (for developers: XYZZY)"
    said = {
        (code, status): problems.message(
            ApiProblem(status=status, type=f"https://infocenter.no/problems/{code}", detail=detail),
            t,
        )
        for code in codes
        for status in (400, 404, 409, 410, 422, 503)
    }
    assert {key: text for key, text in said.items() if "XYZZY" in text} == {}
    leaks = {key: found for key, text in said.items() if (found := wrong_words(text, lang))}
    assert leaks == {}


def _event(kind: str, step: str | None = None, to_status: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "step": step, "to_status": to_status, "occurred_at": None}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_case_history_says_every_step_in_the_pages_language(lang: str) -> None:
    steps = [k.removeprefix("case.step.") for k in CATALOGUES[lang].keys if "case.step." in k]
    kinds = [k.removeprefix("case.event.") for k in CATALOGUES[lang].keys if "case.event." in k]
    timeline = [
        *(_event("status_changed", step, "notice_sent") for step in steps),
        *(_event(kind, "acknowledgement") for kind in kinds),
        _event("limitation_warning", "limitation_90d"),
        _event("something_new", "a_step_nobody_named"),
    ]
    html = (
        _environment(lang)
        .get_template("portal/case.html")
        .render(visitor=_visitor(), case={"timeline": timeline})
    )
    history = " ".join(visible_text(html.split('id="historikk"', 1)[1]))
    assert "_" not in history  # no code shown as it is
    assert "limitation" not in history if lang == "nb" else "foreldelse" not in history
    assert wrong_words(PREFIX.sub(" ", history), lang) == []
    assert (t := Translator(lang))("case.step.limitation_days", n=90) in history
    assert t("case.event.other") in history


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_import_error_table_names_columns_as_a_person_would(lang: str) -> None:
    errors = [
        {"line": 2, "column": "national_id", "reason": "not a valid national identity number"},
        {"line": 3, "column": "principal", "reason": "something the portal does not know"},
        {
            "line": 4,
            "column": "creditor_reference",
            "reason": "not registered: the case it belongs to has errors (line 2)",
            "code": "case_has_errors",
            "values": {"line": "2"},
        },
        {"line": 5, "column": "city", "reason": "(a new check)", "code": "no_such_code"},
    ]
    html = (
        _environment(lang)
        .get_template("portal/import_job.html")
        .render(
            visitor=_visitor(),
            done=True,
            job={"job_id": "j", "status": "failed", "error": ISSUE_EXAMPLES[1]},
            report={"items": errors},
        )
    )
    text = " ".join(visible_text(html))
    t = Translator(lang)
    if t("field.national_id") not in text:
        pytest.fail(f"the column names are not shown: {text}")
    assert "national_id" not in text
    # by the code stored with the row and its values (ADR 0069), not by its sentence
    assert t("import.reason.case_has_errors", line="2") in text
    assert "(a new check)" in text if lang == "en" else t("reason.invalid") in text
    assert (ISSUE_EXAMPLES[1] in text) == (lang == "en")
    assert wrong_words(PREFIX.sub(" ", text), lang) == []
