"""`python -m cloud_api …`: the same as `makeline cloud …`, without the other packages' commands."""

from __future__ import annotations

import argparse
import sys

from cloud_api.cli import register


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cloud_api")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(["cloud", *(sys.argv[1:] if argv is None else argv)])
    from cloud_api.errors import CloudError

    try:
        result: int = args.run(args)
    except CloudError as exc:
        print(f"makeline: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    raise SystemExit(main())
