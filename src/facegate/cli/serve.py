"""`facegate serve`: start the API on the local store, ready to use."""

from __future__ import annotations

import typer

from facegate.settings import Settings


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(host: str | None = None, port: int | None = None) -> None:
        """Serve the REST API (OpenAPI docs at /docs)."""
        import uvicorn

        from facegate.bootstrap import build_context
        from facegate.web.app import create_app

        settings = Settings()
        ctx = build_context(settings)
        bind_host, bind_port = host or settings.host, port or settings.port
        typer.echo(f"facegate {ctx.services.engine.name} on http://{bind_host}:{bind_port}  (docs: /docs)")
        typer.echo(f"data directory: {settings.data_dir}")
        typer.echo(f"database:       {ctx.store.engine.url.render_as_string(hide_password=True)}")
        uvicorn.run(create_app(ctx), host=bind_host, port=bind_port, log_level="info")
