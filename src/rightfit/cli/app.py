"""The root command; each module of this package adds its commands or sub-commands to it."""

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="rightfit: grounded answers from your documents on small local models.")
