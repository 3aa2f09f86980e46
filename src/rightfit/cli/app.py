"""The root command; each module of this package adds its commands or sub-commands to it."""

from importlib.metadata import version
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="rightfit: grounded answers from your documents on small local models.",
                  context_settings={"help_option_names": ["-h", "--help"]})


def _version(shown: bool) -> None:
    if shown:
        typer.echo(f"rightfit {version('rightfit')}")
        raise typer.Exit


@app.callback()
def _root(_version_flag: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                      help="Print the version and exit.")] = False) -> None:
    """rightfit: grounded answers from your documents on small local models."""
