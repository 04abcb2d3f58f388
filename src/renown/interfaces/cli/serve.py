"""``renown serve``: the HTTP API and the dashboard on one address (uvicorn).

The server reads published snapshots of the store (`renown.store.serving`),
so `renown ingest` or `renown score` can run beside it; their results appear
on the next request after they finish.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from renown.interfaces.cli.common import DbOption, console, fail
from renown.store.database import StoreError, default_db_path

if TYPE_CHECKING:  # the server's packages load only when something is served
    from fastapi import FastAPI

HostOption = Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine "
                                              "only; 0.0.0.0: every interface).")]
PortOption = Annotated[int, typer.Option(min=0, max=65535,
                                         help="Port (0: any free port, printed).")]


def build_app(db: Path, **settings: object) -> FastAPI:
    """The app for ``db``, with store problems turned into clean CLI errors."""
    from renown.interfaces.api import Settings, create_app

    try:
        return create_app(db, Settings(**settings))  # type: ignore[arg-type]
    except StoreError as exc:
        fail(str(exc))


def url_of(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def run_server(app: FastAPI, host: str, port: int, announce: Callable[[str], None], *,
               access_log: bool = False) -> None:
    """Bind first (so the printed address is the real one, even for port 0), then serve
    until Ctrl-C."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # queue connections from now on: the printed address answers at once
    except OSError as exc:
        sock.close()
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another --port)")
    announce(url_of(host, sock.getsockname()[1]))
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=access_log))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops cleanly, then re-raises Ctrl-C
        console.print("stopped")
    finally:
        sock.close()


def announce_dashboard(url: str) -> None:
    console.print(f"Serving the dashboard at [bold]{url}[/] (API under {url}v1, docs at "
                  f"{url}docs); Ctrl-C to stop.", soft_wrap=True)


def serve_command(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    cors_origin: Annotated[list[str] | None, typer.Option(
        "--cors-origin", help="Let browser pages from this origin call the API (repeatable; "
                              "default: none, CORS closed).")] = None,
    no_dashboard: Annotated[bool, typer.Option(
        "--no-dashboard", help="Serve the API only.")] = False,
    page_rate: Annotated[int, typer.Option(
        min=1, help="Dashboard requests per minute per client address.")] = 600,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
    db: DbOption = None,
) -> None:
    """Serve the HTTP API (/v1, OpenAPI at /docs) and the dashboard."""
    app = build_app(db or default_db_path(), cors_origins=tuple(cors_origin or ()),
                    dashboard=not no_dashboard, page_rate_per_minute=page_rate)
    run_server(app, host, port, announce_dashboard, access_log=access_log)
