"""The `makeline` command: one entry point for every process of the product.

`main` parses the command line and hands each subcommand to its module here
(`store`, `stock`, `dispatch`, `printers`, `agent`, `terminal`); the cloud's own
subcommand lives with the cloud (`cloud_api.cli`) so a cloud worker starts
without the store's packages.
"""

from makeline.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
