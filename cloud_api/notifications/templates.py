"""What each status text says."""

from __future__ import annotations

from makeline.trade.lifecycle import Stage


def status_text(
    stage: str, store_name: str, number: int | None, driver: str | None, tracking_url: str
) -> str:
    label = f"#{number}" if number else ""
    order = f"order {label}".strip() if label else "order"
    if stage == Stage.PLACED.value:
        return f"{store_name} has your {order} and is making it now. Track it: {tracking_url}"
    if stage == "unseen":
        return (
            f"{store_name} has your {order} but its kitchen has not started it yet; we have alerted "
            f"the store. Track it: {tracking_url}"
        )
    if stage == Stage.READY.value:
        return f"Your {order} is ready for pickup at {store_name}."
    if stage == Stage.OUT_THE_DOOR.value:
        who = f" with {driver}" if driver else ""
        return f"Your {order} is on the way{who}. Track it: {tracking_url}"
    if stage == Stage.VOIDED.value:
        return f"Your {order} from {store_name} was cancelled. Any card payment is refunded in a few days."
    return f"Your {order} from {store_name}: {stage.replace('_', ' ')}."


OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN_WORDS = {"START", "UNSTOP", "YES"}
