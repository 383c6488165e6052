"""`makeline restore --db PATH --cloud URL --code CODE`: rebuild a store's database from the
cloud on a new computer, with the re-enrollment code head office issued for that store."""

from __future__ import annotations

import argparse
import os
import socket
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "restore",
        help="rebuild this store's database from the cloud (a replaced or damaged store computer)",
        description="Claim head office's re-enrollment code for the store, fetch what the cloud knows "
        "of it (settings, menu, staff, customers, today's open orders in their stages, drivers' open "
        "runs, stock) and write it into a new store database. Never writes over an existing file.",
    )
    parser.add_argument(
        "--db", help="the new store database file (env MAKELINE_DB; default .makeline/store.db)"
    )
    parser.add_argument(
        "--cloud", help="the cloud's address, e.g. https://cloud.example.com (env MAKELINE_CLOUD)"
    )
    parser.add_argument(
        "--code", required=True, help="the re-enrollment code head office issued for this store"
    )
    parser.add_argument("--label", help="a name for this computer in head office's device list")
    parser.add_argument(
        "--manager", help="with --pin: a manager who can sign in at once (PINs are not kept in the cloud)"
    )
    parser.add_argument("--pin", help="that manager's PIN (4 to 8 digits)")
    parser.set_defaults(run=_restore)


def _restore(args: argparse.Namespace) -> int:
    from makeline.cli.store import db_path
    from store_db.errors import BadInput
    from store_db.restore import check_target, restore_store
    from store_db.services.restore import Manager
    from store_db.services.staff import hash_pin
    from sync.errors import EnrollmentRefused
    from sync.restore import fetch_snapshot

    cloud = args.cloud or os.environ.get("MAKELINE_CLOUD")
    if not cloud:
        raise EnrollmentRefused("Say which cloud to restore from: --cloud URL (or MAKELINE_CLOUD).")
    if bool(args.manager) != bool(args.pin):
        raise BadInput("Give --manager NAME and --pin PIN together, or neither.")
    manager = Manager(args.manager.strip(), args.pin) if args.manager else None
    if manager is not None:
        hash_pin(manager.pin)  # a bad PIN is refused before the code is spent
    path = db_path(args.db)
    check_target(path)  # before the code is spent
    label = args.label or f"{socket.gethostname()} store computer"
    base, granted, snapshot = fetch_snapshot(cloud, args.code, label=label)
    done = restore_store(path, snapshot, base, granted.device_token, device_label=label, manager=manager)
    print(
        f"Restored {done.store_name} ({done.store_code}) into {path} from {base}: "
        f"{done.orders} open order(s) in their stages, {done.runs} driver run(s) out, "
        f"{done.customers} customer(s), {done.staff} staff, {done.items} stock item(s); "
        f"{done.taken_online} online order(s) the store had not taken are on the make line now. "
        f"{granted.message}",
        file=sys.stderr,
    )
    print(
        "Staff PINs are not kept in the cloud: give each person a PIN again (makeline staff-pin "
        f"--db {path} NAME --pin PIN). Printers "
        f"are set up on this computer again (makeline printer …). Then start the agent: makeline agent --db {path}",
        file=sys.stderr,
    )
    print(granted.store_id)
    return 0
