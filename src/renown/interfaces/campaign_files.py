"""A campaign report as a file: CSV and JSON for scripts, an HTML page and PNG for people.

The HTML page is one self-contained file (inline CSS, charts as inline SVG, no
script, no network) so a brand can mail it or open it offline.  The charts are
Altair specs rendered by vl-convert, which runs Vega in-process: no browser
and no CDN are needed to draw them.  Altair, vl-convert and the report (SciPy)
are imported when a file is written, so the CLI's quick commands can share the
wording here (facts, the prediction sentence) without loading them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from renown.store.campaigns import GOALS, Campaign, CampaignError

if TYPE_CHECKING:
    import altair as alt

    from renown.scoring.campaigns.report import CampaignReport, PersonResult

#: The report formats, by file extension.
FORMATS: Final = (".csv", ".json", ".html", ".png")
_CSS: Final = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1d2430; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #d8dde6; text-align: right;
         white-space: nowrap; }
.wide { overflow-x: auto; }
th:first-child, td:first-child { text-align: left; }
.prediction { font-size: 1.1rem; padding: .6rem .9rem; background: #eef3fb; }
.charts { display: flex; flex-wrap: wrap; gap: 2rem; }
"""


def write_report(report: CampaignReport, path: Path) -> Path:
    """Write ``report`` in the format ``path``'s extension names; returns the path."""
    writer = _WRITERS.get(path.suffix.lower())
    if writer is None:
        shown = repr(path.suffix) if path.suffix else "no extension"
        raise CampaignError(f"{path}: cannot write a campaign report with {shown}; "
                            f"use one of {', '.join(FORMATS)}")
    writer(report, path)
    return path


def outcome_label(campaign: Campaign) -> str:
    """What the goal counts, as a brand says it: ``sales``, ``clicks``, or the custom name."""
    return campaign.goal if campaign.goal in GOALS else campaign.outcome


def prediction_sentence(report: CampaignReport) -> str:
    """Whether the pre-campaign score predicted the outcomes, in one sentence."""
    from renown.scoring.campaigns.report import MIN_PREDICTION_PEOPLE

    p = report.prediction
    head = f"Pre-campaign score vs {outcome_label(report.campaign)}:"
    people = f"{p.people} accepted {'person' if p.people == 1 else 'people'}"
    if p.people < MIN_PREDICTION_PEOPLE:
        return (f"{head} not computed, {people} with a score "
                f"(it needs at least {MIN_PREDICTION_PEOPLE})")
    if p.spearman is None:
        return (f"{head} undefined over {people}: their scores or their outcomes "
                "are all the same")
    interval = "" if p.low is None or p.high is None else f" [{p.low:.2f}, {p.high:.2f}]"
    return f"{head} Spearman {p.spearman:.2f}{interval} over {people}"


# -- CSV and JSON -----------------------------------------------------------------


def _write_csv(report: CampaignReport, path: Path) -> None:
    from renown.scoring.campaigns.report import PersonResult, report_rows

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(PersonResult)])
        writer.writeheader()
        writer.writerows(report_rows(report))
        writer.writerow(asdict(report.totals))


def report_document(report: CampaignReport) -> dict[str, Any]:
    """The report as plain data (what ``.json`` holds; dates stay date objects)."""
    from renown.scoring.campaigns.report import report_rows

    return {"campaign": {**asdict(report.campaign), "outcome": report.campaign.outcome,
                         "is_open": report.campaign.is_open},
            "as_of": report.as_of, "totals": asdict(report.totals),
            "prediction": {**asdict(report.prediction),
                           "sentence": prediction_sentence(report)},
            "people": report_rows(report)}


def _iso(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _write_json(report: CampaignReport, path: Path) -> None:
    text = json.dumps(report_document(report), default=_iso, indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


# -- charts -----------------------------------------------------------------------


def _chart_rows(report: CampaignReport) -> list[dict[str, Any]]:
    return [{"person": p.display_name or p.person_id, "person_id": p.person_id,
             "status": p.status, "score": p.score, "outcomes": p.outcomes,
             "reach": round(p.reach, 2), "value": p.value} for p in report.people]


def outcome_charts(report: CampaignReport) -> tuple[alt.Chart, alt.Chart]:
    """Outcomes per person (bars, best first) and pre-campaign score vs outcomes (dots)."""
    import altair as alt

    counts = alt.Axis(format="d", tickMinStep=1)  # outcomes are counts: whole-number ticks
    label = outcome_label(report.campaign)
    rows = _chart_rows(report)
    data = alt.InlineData(values=rows)
    status = alt.Color("status:N", title="invite", scale=alt.Scale(
        domain=["accepted", "invited", "declined"], range=["#2f6fdb", "#9aa5b8", "#d9822b"]))
    tooltip = ["person_id:N", "status:N", "score:Q", "outcomes:Q", "reach:Q", "value:Q"]
    bars = alt.Chart(data, title=f"{label.capitalize()} per person").mark_bar().encode(
        x=alt.X("outcomes:Q", title=label, axis=counts),
        y=alt.Y("person:N", title=None, sort=[r["person"] for r in rows]),
        color=status, tooltip=tooltip)
    scored = alt.InlineData(values=[r for r in rows if r["score"] is not None])
    dots = alt.Chart(scored, title=f"Pre-campaign score vs {label}").mark_circle(
        size=90, opacity=0.8).encode(
        x=alt.X("score:Q", title="score when invited", scale=alt.Scale(zero=False)),
        y=alt.Y("outcomes:Q", title=label, axis=counts), color=status, tooltip=tooltip)
    return bars, dots


def _svg(chart: alt.Chart) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_dict())


def _write_png(report: CampaignReport, path: Path) -> None:
    import altair as alt
    import vl_convert

    bars, dots = outcome_charts(report)
    spec = alt.hconcat(bars, dots).resolve_scale(color="shared").to_dict()
    path.write_bytes(vl_convert.vegalite_to_png(spec, scale=2))


# -- HTML -------------------------------------------------------------------------


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _money(value: float | None, currency: str | None) -> str:
    return "—" if value is None else f"{value:,.2f}{f' {currency}' if currency else ''}"


def _cells(p: PersonResult, currency: str | None) -> list[str]:
    return [p.person_id if p.display_name is None else f"{p.display_name} ({p.person_id})",
            p.status, f"{p.network}:{p.account}" if p.network else "", _number(p.score),
            f"{p.posts:,}", f"{p.reactions:,}", _number(p.reach), f"{p.clicks:,}",
            f"{p.conversions:,}", _money(p.value, currency), f"{p.outcomes:,}",
            _money(p.cost, currency), _money(p.cost_per_outcome, currency)]


def _table(people: tuple[PersonResult, ...], currency: str | None, caption: str) -> str:
    heads = ("person", "status", "account", "score", "posts", "reactions", "genuine reach",
             "clicks", "conversions", "value", "outcomes", "cost", "cost per outcome")
    head = "".join(f"<th scope=\"col\">{escape(h)}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(p, currency))
                   + "</tr>" for p in people)
    return (f'<div class="wide"><table><caption>{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def campaign_facts(c: Campaign) -> list[tuple[str, str]]:
    """A campaign's facts as (label, text) pairs, for the page and for `campaign show`."""
    t = c.target
    target = [f"score {t.min_score:g}–{t.max_score:g}"]
    target += [f"topic {t.topic}"] if t.topic else []
    target += [f"audience {t.audience}"] if t.audience else []
    target += [f"networks {', '.join(t.networks)}"] if t.networks else []
    target += [f"audience quality ≥ {t.min_quality:g}"] if t.min_quality else []
    return [("campaign", c.campaign_id), ("brand", c.brand), ("goal", c.goal),
            ("landing page", c.landing_url), ("runs", f"{c.starts} to {c.ends}"),
            ("status", "open" if c.is_open else f"closed {c.closed_at:%Y-%m-%d}"),
            ("target", "; ".join(target)), ("budget", _money(c.budget, c.currency)),
            ("offer", c.offer or "—")]


def _facts(report: CampaignReport) -> str:
    facts = [*campaign_facts(report.campaign),
             ("outcomes as of", f"{report.as_of:%Y-%m-%d %H:%M}")]
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    return f"<dl>{items}</dl>"


def report_html(report: CampaignReport) -> str:
    """The whole report as one offline HTML page."""
    c = report.campaign
    bars, dots = outcome_charts(report)
    title = f"{c.name} — {c.brand}: campaign report"
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(c.name)}</h1><p>{escape(c.brand)} · campaign report</p>",
        _facts(report), "<h2>Totals</h2>",
        _table((report.totals,), c.currency, "All invitees together"),
        f'<p class="prediction">{escape(prediction_sentence(report))}</p>',
        '<h2>Charts</h2><div class="charts">',
        f"<figure>{_svg(bars)}</figure><figure>{_svg(dots)}</figure></div>",
        "<h2>Each person</h2>",
        _table(report.people, c.currency, "Best outcomes first; genuine reach counts each "
               "responder as the score does (at most 1 each)"),
        "</body></html>", ""])


def _write_html(report: CampaignReport, path: Path) -> None:
    path.write_text(report_html(report), encoding="utf-8")


_WRITERS: Final[dict[str, Callable[[CampaignReport, Path], None]]] = {
    ".csv": _write_csv, ".json": _write_json, ".html": _write_html, ".png": _write_png,
}
