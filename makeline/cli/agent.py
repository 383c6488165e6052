"""`makeline enroll --db PATH --cloud URL --code CODE`: connect a store to the cloud.

(`makeline agent`, which runs the sync beside the print queue, is registered by the
command's composition root, which can also reach the printers.)"""

from __future__ import annotations

import argparse
import os
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "enroll",
        help="connect this store to the cloud with head office's enrollment code",
        description="Register the store with the cloud (its details come from the store database) "
        "and keep the device credential the cloud gives it. Prints the store's id in the cloud.",
    )
    parser.add_argument("--db", help="store database file (env MAKELINE_DB; default .makeline/store.db)")
    parser.add_argument(
        "--cloud", help="the cloud's address, e.g. https://cloud.example.com (env MAKELINE_CLOUD)"
    )
    parser.add_argument(
        "--code", required=True, help="the one-use code head office gave (e.g. ABCD-EFGH-JKMN)"
    )
    parser.add_argument("--label", help="a name for this computer in head office's device list")
    parser.set_defaults(run=_enroll)


def _enroll(args: argparse.Namespace) -> int:
    from makeline.cli.store import db_path
    from store_db.db import StoreDB
    from sync.enroll import enroll
    from sync.errors import EnrollmentRefused

    cloud = args.cloud or os.environ.get("MAKELINE_CLOUD")
    if not cloud:
        raise EnrollmentRefused("Say which cloud to connect to: --cloud URL (or MAKELINE_CLOUD).")
    path = db_path(args.db)
    with StoreDB(path) as db:
        enrolled = enroll(db, cloud, args.code, label=args.label)
    print(
        f"Enrolled {enrolled.store_name} ({enrolled.store_code}) with {enrolled.cloud_url}. "
        f"Start the agent to sync: makeline agent --db {path}",
        file=sys.stderr,
    )
    print(enrolled.store_id)
    return 0
