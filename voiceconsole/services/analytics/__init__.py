"""Analytics: KPIs, trends, series and the portfolio of a period (`figures`), read from daily rollups
(organization × agent × client × UTC day) that stay exact as calls arrive and are scored (`rollups`)."""

from voiceconsole.services.analytics.figures import (
    MAX_RANGE_DAYS,
    PORTFOLIO_DAYS,
    PRESET_DAYS,
    RANGES,
    Scope,
    Window,
    analytics,
    figures_by,
    iso,
    kpis,
    parse_when,
    pct_change,
    period_figures,
    period_totals,
    portfolio,
    resolve_scope,
    resolve_window,
    round_figure,
    sum_totals,
    summary,
    usd,
    window_meta,
)

__all__ = [
    "MAX_RANGE_DAYS", "PORTFOLIO_DAYS", "PRESET_DAYS", "RANGES", "Scope", "Window", "analytics", "figures_by", "iso",
    "kpis", "parse_when", "pct_change", "period_figures", "period_totals", "portfolio", "resolve_scope",
    "resolve_window", "round_figure", "sum_totals", "summary", "usd", "window_meta",
]
