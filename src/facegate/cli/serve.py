"""`facegate serve`: start the API on the local store, ready to use."""

from __future__ import annotations

from pathlib import Path

import typer

from facegate.settings import Settings


def _examples(folder: Path | None) -> list[tuple[str, str]]:
    if folder is None or not folder.is_dir():
        return []
    return [(str(p), p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))]


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(host: str | None = None, port: int | None = None) -> None:
        """Serve the REST API (OpenAPI docs at /docs), after loading the example deployments."""
        import uvicorn

        from facegate.bootstrap import build_context
        from facegate.services import access
        from facegate.services.examples import load_manifests
        from facegate.services.purge import start_purge_schedule
        from facegate.web.app import create_app

        settings = Settings()
        ctx = build_context(settings)
        bind_host, bind_port = host or settings.host, port or settings.port
        loaded = load_manifests(ctx.services, _examples(settings.examples_dir))
        typer.echo(f"facegate: engine {ctx.services.engine.name} "
                   f"({getattr(ctx.services.engine, 'describer_name', '')}), cipher {settings.cipher}")
        typer.echo(f"  data directory: {settings.data_dir}")
        typer.echo(f"  database:       {ctx.store.engine.url.render_as_string(hide_password=True)}")
        typer.echo(f"  keys:           {settings.keys_dir} (mode 0600)")
        for item in loaded:
            typer.echo(f"  example {Path(item.source).name:<45} {item.status}")
        if settings.bootstrap_admin_key and not access.has_admin_key(ctx.services):
            # First start: one admin key, printed once to this terminal and stored only as a hash.
            created = access.create_api_key(ctx.services, "first-admin", "admin", ("*",), actor="system")
            typer.echo(f"  admin API key:  {created.token}")
            typer.echo("                  (shown once; create more with `facegate keys create`)")
        start_purge_schedule(ctx.services, settings.purge_interval_s)
        typer.echo(f"  API:  http://{bind_host}:{bind_port}/v1   docs: http://{bind_host}:{bind_port}/docs")
        typer.echo("  try:  .venv/bin/facegate deploy list   (see README: Try it)")
        uvicorn.run(create_app(ctx), host=bind_host, port=bind_port, log_level="info")
