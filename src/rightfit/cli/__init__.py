"""Thin commands over the library. Errors become one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import logging

import typer

from rightfit.cli import docs as _docs  # noqa: F401  (registers its commands on `app`)
from rightfit.cli import fit as _fit  # noqa: F401  (registers `fit` on `app`)
from rightfit.cli.app import app
from rightfit.cli.classify import classify_app
from rightfit.cli.evals import eval_app
from rightfit.cli.guard import guard_app
from rightfit.cli.models import models_app
from rightfit.cli.tune import tune_app
from rightfit.core.errors import InvalidInputError, RightfitError

app.add_typer(eval_app, name="eval")
app.add_typer(classify_app, name="classify")
app.add_typer(guard_app, name="guard")
app.add_typer(models_app, name="models")
app.add_typer(tune_app, name="tune")

__all__ = ["app", "main"]


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Some dependencies set their own loggers to DEBUG on import; filter at the handler instead.
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)
    from rightfit.guard.pii import install_redaction

    install_redaction()  # card numbers, IBANs, e-mail addresses ... never reach a log line
    try:
        app()
    except InvalidInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except RightfitError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except OSError as exc:  # the file system said no: a read-only or full disk, a path that is a file
        where = f": {exc.filename}" if exc.filename else ""
        typer.echo(f"error: {exc.strerror or exc}{where}; check the path and its permissions", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        typer.echo("interrupted; the previous index, if any, is unchanged", err=True)
        raise SystemExit(130) from None
