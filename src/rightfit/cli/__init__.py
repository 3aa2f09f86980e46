"""Thin commands over the library. Errors become one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType

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
    # Ctrl-C and a service manager's stop (SIGTERM) both end a command the same way: progress says where it
    # stopped, a half-built generation is dropped, the previous index stays in use. Not KeyboardInterrupt:
    # the command framework would swallow that into a bare exit code.
    signal.signal(signal.SIGINT, _stop(130, "interrupted"))
    signal.signal(signal.SIGTERM, _stop(143, "terminated"))
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
    except _Stopped as stop:
        from rightfit.retrieval.stores.embedded import committed_generations

        if done := committed_generations():  # stopped after the switch: the new index is the one in use
            typer.echo(f"{stop.word} after the new index was committed ({done[-1].name} is in use); nothing "
                       "half-built was left", err=True)
        else:
            typer.echo(f"{stop.word}; anything half-built (an index, a model) was dropped and the previous one, "
                       "if any, is unchanged", err=True)
        raise SystemExit(stop.code) from None


class _Stopped(BaseException):  # noqa: N818  (a signal, not an error)
    def __init__(self, code: int, word: str) -> None:
        super().__init__(word)
        self.code = code
        self.word = word


def _stop(code: int, word: str) -> Callable[[int, FrameType | None], None]:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        raise _Stopped(code, word)

    return handler
