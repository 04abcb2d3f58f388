"""Terminal rendering shared by commands: sparklines, explanations."""

from __future__ import annotations

import numpy as np
from rich.table import Table

from renown.interfaces.cli.common import console
from renown.scoring.combine import round_preserving_sum
from renown.scoring.explain import Explanation
from renown.scoring.percentiles import format_percentile

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """A one-line chart of ``values`` (flat series draw as a flat line)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = high - low
    if span == 0:
        return _BARS[3] * len(values)
    return "".join(_BARS[min(7, int((v - low) / span * 7.999))] for v in values)


def print_explanation(result: Explanation) -> None:
    console.print(f"[bold]{result.person_id}[/]  score [bold]{result.score:.1f}[/] "
                  f"(percentile {format_percentile(result.percentile)})  "
                  f"as of {result.as_of}, model {result.model_version}")
    shown = round_preserving_sum(np.array([c.points for c in result.contributions]),
                                 result.score)
    table = Table(title="What adds up to the score")
    table.add_column("part")
    table.add_column("points", justify="right")
    for part, points in zip(result.contributions, shown, strict=True):
        table.add_row(part.label + (f" (@{part.account})" if part.account else ""),
                      f"{points:.1f}")
    table.add_row("[bold]total[/]", f"[bold]{result.score:.1f}[/]")
    console.print(table)
    if result.top_reactors:
        reactors = Table(title="People whose reactions weigh most")
        for column in ("network", "reactor", "reactions", "counts as (people)",
                       "reactor influence"):
            reactors.add_column(column, justify="left" if column in ("network", "reactor")
                                else "right")
        for r in result.top_reactors:
            reactors.add_row(r.network, r.reactor, str(r.reactions), f"{r.reach:.2f}",
                             f"{r.reactor_influence:.2f}")
        console.print(reactors)
    if result.top_posts:
        posts = Table(title="Posts that drew the most people")
        for column in ("network", "post", "distinct reactors", "reactions", "text"):
            posts.add_column(column, overflow="fold")
        for p in result.top_posts:
            posts.add_row(p.network, p.post_id, str(p.reactors), str(p.reactions),
                          (p.text or "")[:60])
        console.print(posts)
    if result.since is not None and result.previous_score is not None:
        console.print(f"\n[bold]Since {result.since}[/] ({result.previous_score:.1f} → "
                      f"{result.score:.1f}): " + "; ".join(result.drivers))
