"""The code a store prints beside its receipt's tracking link, so the QR code (or the SMS
link) opens the order's tracker without signing in, even for a receipt printed offline.

The store signs the order's id with its device credential's hash, which the cloud also
keeps (it stores that hash, never the credential): the cloud checks the code against the
credentials of the order's store. Pure: the store's printers and the cloud both call it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PREFIX = "r"  # tells a receipt's code from the cloud's own tracking codes


def credential_hash(device_token: str) -> str:
    """The hash the cloud keeps of a store device credential `mld_<device id>.<secret>`."""
    secret = device_token.removeprefix("mld_").partition(".")[2]
    return hashlib.sha256(secret.encode()).hexdigest()


def receipt_code(secret_hash: str, order_id: str) -> str:
    mac = hmac.new(secret_hash.encode(), f"receipt:{order_id}".encode(), hashlib.sha256).digest()
    return PREFIX + base64.urlsafe_b64encode(mac[:15]).decode()


def is_receipt_code(secret_hash: str, order_id: str, code: str) -> bool:
    return code.startswith(PREFIX) and hmac.compare_digest(receipt_code(secret_hash, order_id), code)
