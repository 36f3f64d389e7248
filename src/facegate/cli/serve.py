"""`facegate serve` and `facegate init`: start the API on the local store, or only prepare it."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from facegate.cli.output import handle_errors
from facegate.errors import Unavailable

if TYPE_CHECKING:
    from facegate.bootstrap import AppContext

ExamplesOption = typer.Option(
    None, "--examples/--no-examples",
    help="Load the example deployments from FACEGATE_EXAMPLES_DIR (default: only when FACEGATE_ENV=dev).")


def bind(host: str, port: int) -> socket.socket:
    """Take the port before anything is printed, so a busy port never costs the one-time admin key."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise Unavailable(
            "port_unavailable",
            f"Cannot listen on {host}:{port} ({exc.strerror}). Stop what uses it, or pick another port "
            "with --port or FACEGATE_PORT.",
            f"无法监听{host}:{port}（{exc.strerror}）。请停止占用该端口的程序，或用--port或FACEGATE_PORT换一个端口。",
            detail={"host": host, "port": port}) from None
    return sock


def _prepare(examples: bool | None) -> AppContext:
    """Shared by serve and init: context, examples, first admin key; prints where things are."""
    from facegate.cli.context import local_context
    from facegate.node import first_admin_key, load_examples, wants_examples

    ctx = local_context()
    settings = ctx.settings
    engine = ctx.services.engine  # not loaded here: `serve` loads it in the background (node.start_schedules)
    describer = (getattr(engine, "describer_name", "") if getattr(engine, "is_loaded", True)
                 else f"{settings.engine}, loading")
    typer.echo(f"facegate ({settings.env}): engine {engine.name} ({describer}), cipher {settings.cipher}")
    typer.echo(f"  data directory: {settings.data_dir}")
    typer.echo(f"  database:       {ctx.store.engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"  keys:           {settings.keys_dir} (mode 0600)")
    for item in load_examples(ctx, wants_examples(settings, examples)):
        typer.echo(f"  example {Path(item.source).name:<45} {item.status}")
    admin = first_admin_key(ctx)
    if admin is not None and admin.path is not None:
        typer.echo(f"  admin API key:  written to {admin.path} (mode 0600, once); read it, then delete the file")
    elif admin is not None:
        typer.echo(f"  admin API key:  {admin.token}")
        typer.echo("                  (shown once; create more with `facegate keys create`)")
    return ctx


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def serve(
        host: str | None = typer.Option(None, help="Address to listen on [env FACEGATE_HOST, default 127.0.0.1]."),
        port: int | None = typer.Option(None, min=1, max=65535, help="Port [env FACEGATE_PORT, default 8000]."),
        examples: bool | None = ExamplesOption,
    ) -> None:
        """Serve the REST API (OpenAPI docs at /docs) with the retention purge running."""
        from facegate.node import start_schedules
        from facegate.settings import Settings

        settings = Settings()
        bind_host, bind_port = host or settings.host, port or settings.port
        sock = bind(bind_host, bind_port)
        try:
            ctx = _prepare(examples)
            start_schedules(ctx)  # the face engine loads in the background from here on
            # The web framework loads while the engine does: /healthz is ready only when both are (issue 14).
            import uvicorn

            from facegate.web.access_queue import offloaded_access_log
            from facegate.web.app import create_app
            from facegate.web.serving import uvicorn_options

            shown = f"[{bind_host}]" if ":" in bind_host else bind_host
            typer.echo(f"  API:  http://{shown}:{bind_port}/v1   docs: http://{shown}:{bind_port}/docs")
            typer.echo("  try:  .venv/bin/facegate deploy list   (see README: Try it)")
            # No uvicorn proxy headers or access log: the app's own (web.serving) trust only configured
            # proxies and never log references in clear.
            server = uvicorn.Server(uvicorn.Config(create_app(ctx), **uvicorn_options()))
            # After Config (it sets up logging): access lines are written by a thread, not the event loop,
            # and the queue is drained when the server stops.
            with offloaded_access_log():
                server.run(sockets=[sock])
        finally:
            sock.close()

    @app.command()
    @handle_errors
    def init(examples: bool | None = ExamplesOption) -> None:
        """Prepare the data directory, keys and database, and create the first admin key; then exit."""
        _prepare(examples)
