"""Every error of a form at once: one mechanism for all the portal's forms (pure).

A form is read whole before anything is sent: each rule adds its error to a
:class:`FormErrors` and the reading goes on, so a person sees every mistake together —
in the error summary at the top of the page (GOV.UK's pattern: each error names its
field and links to it) and again at the field (``portal/_forms.html``). A service's
refusal is merged into the same object (:meth:`FormErrors.merge_problem`), its field
codes translated like the portal's own.

The rules here are the only place the portal decides what an amount or a date must be,
so the same input gets the same words on every form: zero *and* a negative amount get
«Må være et beløp over null», an unreadable one «Skriv beløpet som …».
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from gateway.portal.api import ApiProblem
from gateway.portal.formatting import InvalidInput, parse_amount, parse_day
from gateway.portal.i18n import Translator
from gateway.portal.problems import field_errors, message


class FormErrors(dict[str, str]):
    """Field name → what is wrong with it, in the order found (which is the form's order).

    A plain ``dict`` to the templates (``errors.get(name)``), with :attr:`labels` (field
    → its label as the page shows it) so that the summary can name each field. Keys
    starting with ``_`` are errors of the whole form (shown in the summary only).
    """

    def __init__(self, labels: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.labels: dict[str, str] = dict(labels or {})

    def add(self, name: str, text: str) -> None:
        """The first error found for a field is the one shown (it is the most basic)."""
        self.setdefault(name, text)

    def general(self, text: str) -> None:
        """An error of the whole form, not of one field (kept first: it says most)."""
        if text in self.values():
            return
        key = "_" if "_" not in self else f"_{len(self)}"
        items = list(self.items())
        self.clear()
        self[key] = text
        self.update(items)

    def label(self, name: str) -> str:
        return self.labels.get(name, "")

    def copy(self) -> FormErrors:
        """The same errors and labels (more may be added to the copy)."""
        result = FormErrors(self.labels)
        result.update(self)
        return result

    def summary(self) -> list[tuple[str, str, str]]:
        """``(field, label, message)`` per error; ``field`` is ``""`` for the whole form."""
        rows = []
        for name, text in self.items():
            whole = name.startswith("_")
            rows.append(("" if whole else name, "" if whole else self.label(name), text))
        return rows

    def merge_problem(
        self,
        problem: ApiProblem,
        t: Translator,
        *,
        fields: Iterable[str] | None = None,
        renames: Mapping[str, str] | None = None,
        whole: bool = False,
    ) -> None:
        """A service's refusal: each field error at its field (``renames`` maps the API's
        name to the form's), anything else in the summary; ``whole`` also adds the
        answer's own message (a conflict says more than its fields)."""
        known = set(fields) if fields is not None else None
        found = field_errors(problem, t, known, dict(renames or {}))
        for name, text in found.items():
            if name.startswith("_"):
                self.general(text)
            else:
                self.add(name, text)
        if whole:
            self.general(message(problem, t))

    def ordered(self, names: Iterable[str]) -> FormErrors:
        """The same errors in the form's field order (whole-form errors first)."""
        rank = {name: i for i, name in enumerate(names)}
        result = FormErrors(self.labels)
        keys = sorted(self, key=lambda k: (not k.startswith("_"), rank.get(k, len(rank))))
        for key in keys:
            result[key] = self[key]
        return result


# -- the rules every form shares ------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def looks_like_email(text: str) -> bool:
    """``navn@domene.no``: one ``@``, a dot in the domain, no spaces (the services decide
    the rest; this catches what a person mistypes, with the other errors of the form)."""
    return len(text) <= 254 and _EMAIL.match(text) is not None


def required(errors: FormErrors, name: str, value: str, t: Translator) -> str:
    """``value`` stripped; «Må fylles ut» when empty."""
    text = value.strip()
    if not text:
        errors.add(name, t("reason.is_required"))
    return text


def amount(
    errors: FormErrors,
    name: str,
    value: str,
    t: Translator,
    *,
    required: bool = True,
    zero_allowed: bool = False,
) -> int | None:
    """An amount typed in kroner, in øre; ``None`` when missing or wrong (with its error).

    An empty optional field is 0. A negative amount is refused with the same words as
    zero («Må være et beløp over null»); where zero is allowed, a negative one gets
    «Kan ikke være negativt».
    """
    text = value.strip()
    if not text:
        if required:
            errors.add(name, t("reason.is_required"))
            return None
        return 0
    try:
        ore = parse_amount(text)
    except InvalidInput as refused:
        if str(refused) == "negative":
            key = "must_not_be_negative" if zero_allowed else "must_be_a_positive_amount"
            errors.add(name, t(f"reason.{key}"))
        else:
            errors.add(name, t("form.amount_invalid"))
        return None
    if ore == 0 and not zero_allowed:
        errors.add(name, t("reason.must_be_a_positive_amount"))
        return None
    return ore


def day(
    errors: FormErrors,
    name: str,
    value: str,
    t: Translator,
    *,
    required: bool = True,
    not_after: date | None = None,
) -> date | None:
    """A date typed as ``dd.mm.åååå``; ``not_after``: a later date is «fram i tid»."""
    text = value.strip()
    if not text:
        if required:
            errors.add(name, t("reason.is_required"))
        return None
    try:
        parsed = parse_day(text)
    except InvalidInput:
        errors.add(name, t("form.date_invalid"))
        return None
    if not_after is not None and parsed > not_after:
        errors.add(name, t("reason.is_in_the_future"))
        return None
    return parsed
