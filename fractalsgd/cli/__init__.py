"""The ``fractalsgd`` command line: argument parsing and one-line errors, nothing else.

Each subcommand is one module in this package (names not starting with ``_``) defining

* ``HELP``: a one-line description, and
* ``register(parser)``: add arguments to its ``argparse`` sub-parser and
  ``parser.set_defaults(func=run)``, where ``run(args) -> int`` does the work.

Modules are discovered automatically, so adding a subcommand touches no other file.
Subcommand modules import heavy packages inside ``run`` so ``--help`` stays fast.
Errors a user can fix (bad input, foreign files, missing extras) exit with status 2 and
one line on stderr; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from .._version import __version__

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CLIError(Exception):
    """An error with a message meant for the user (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print the usage too)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _subcommands():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield info.name, importlib.import_module(f"{__name__}.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fractalsgd",
        description="Anomalous diffusion of SGD and of walkers on fractal landscapes.",
    )
    parser.add_argument("--version", action="version", version=f"fractalsgd {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in _subcommands():
        p = sub.add_parser(name.replace("_", "-"), help=module.HELP, description=module.HELP)
        module.register(p)
    return parser


def _user_errors():
    from .._optional import MissingDependencyError
    from ..schema import SchemaError

    return (
        CLIError,
        SchemaError,
        MissingDependencyError,
        FileNotFoundError,
        IsADirectoryError,
        PermissionError,
        ValueError,
    )


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("fractalsgd: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _user_errors() as exc:
        if args.debug:
            raise
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"fractalsgd {args.command}: error: {msg}", file=sys.stderr)
        return EXIT_USAGE


def run() -> None:  # console-script entry point
    sys.exit(main())
