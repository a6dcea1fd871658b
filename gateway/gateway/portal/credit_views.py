"""What the credit pages share: the API's paths, products by name, the service's problems
and a report's codes in the page's words.

The credit service answers with stable codes (problem types, field codes, a rating class,
a person's risk band, a remark's kind, a subject's status); these helpers turn them into
the catalogs' words (``credit.*`` keys, ``gateway/locale``), and fall back to the code
itself, never to a sentence of the service's.
"""

from __future__ import annotations

import re
from typing import Any

from gateway.portal import formatting
from gateway.portal.api import ApiProblem
from gateway.portal.i18n import Translator
from gateway.portal.problems import message

CREDIT = "/api/v1/credit"
ORDERS = f"{CREDIT}/orders"
PRODUCTS = f"{CREDIT}/products"
PRICE_LISTS = f"{CREDIT}/price-lists"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_or_this(text: str) -> str:
    """``YYYY-MM`` if ``text`` is a month, else this month (Europe/Oslo)."""
    match = _MONTH.match(text)
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return text
    return formatting.today_oslo().strftime("%Y-%m")


def credit_message(problem: ApiProblem, t: Translator) -> str:
    """The sentence for a refused order or price list, by the problem's type."""
    kind = problem.type.rsplit("/", 1)[-1]
    key = "problem." + kind.replace("-", "_")
    if kind and t.has(key):
        return t(key, seconds=problem.retry_after or 60)
    if problem.status == 409:
        return t("problem.conflict")
    return message(problem, t)


def product_name(product: dict[str, Any], t: Translator) -> str:
    key = f"credit.product.{product['code']}"
    if t.has(key):
        return t(key)
    return str(product.get("name_en" if t.lang == "en" else "name_nb") or product["code"])


def product_names(products: list[dict[str, Any]], t: Translator) -> dict[str, str]:
    """Product code → its name in the page's language."""
    return {str(p["code"]): product_name(p, t) for p in products}


def offered(products: list[dict[str, Any]], t: Translator) -> list[dict[str, Any]]:
    """The products with a price for the visitor, each with its name."""
    return [{**p, "name": product_name(p, t)} for p in products if p.get("price") is not None]


def coded(t: Translator, prefix: str, code: str | None) -> str:
    """A code from a report in the page's words (``credit.remark.inkasso``), else as sent."""
    if not code:
        return ""
    key = f"{prefix}.{code}"
    return t(key) if t.has(key) else code
