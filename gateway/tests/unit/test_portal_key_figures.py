"""The start page's key figures laid out from a ``/kpis`` answer."""

from __future__ import annotations

from gateway.portal.i18n import Translator
from gateway.portal.key_figures import lay_out, month_label


def test_the_figures_become_charts_with_the_page_s_words() -> None:
    figures = {
        "recovery": {"rate_percent": 51.6},
        "collected_per_month": [
            {"month": "2026-02", "collected_ore": 0},
            {"month": "2026-03", "collected_ore": 115_000},
            {"month": "2026-04", "collected_ore": 50_000},
        ],
        "ageing": [
            {"bucket": "0-30", "cases": 1, "outstanding_principal_ore": 300_000},
            {"bucket": "365+", "cases": 2, "outstanding_principal_ore": 150_000},
        ],
    }
    laid = lay_out(figures, Translator("nb"), "nb")
    assert laid.rate_text == "51,6\u00a0%"
    assert laid.collected_ore == 165_000
    assert laid.open_cases == 3
    assert [b.label for b in laid.collected_chart.bars] == ["feb 26", "mar 26", "apr 26"]
    widths = [b.width for b in laid.collected_chart.bars]
    assert widths[0] == 0
    assert widths[1] > widths[2] > 0
    assert [b.label for b in laid.ageing_chart.bars] == ["0\u201330 dager", "over 365 dager"]
    assert laid.ageing_chart.bars[1].text == "kr\u00a01\u00a0500,00"
    assert month_label("2026-12", "en") == "Dec 26"
