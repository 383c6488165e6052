"""Simulated online customers, through the public API only: they register or sign in, read
the store's menu, order (carryout or delivery to a spot inside the store's area) and pay
with test tokens. One line per order, starting with its id.

A customer keeps their sign-in for as long as the simulation runs: the access token (~15
min) is swapped for a fresh pair through `/token/refresh` shortly before it expires, and
again if the cloud answers 401 anyway; a refresh token that no longer works means a new
sign-in.

The lead's `makeline simulate --cloud URL --store ID --orders N [--rate PER_MIN]` calls
`run_simulation`.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx

PASSWORD = "simulated-customer"
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Ines", "Jamal", "Kara", "Luis"]
LAST = ["Novak", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tran", "Ueda", "Vargas", "Wong"]
KM_PER_DEG_LAT = 111.2
REFRESH_BEFORE_S = 60.0  # swap the access token this long before it expires


@dataclass
class Shopper:
    """A simulated customer's sign-in: refreshed before it expires (`fresh`)."""

    email: str
    name: str
    phone: str
    access_token: str
    refresh_token: str
    expires_at: float  # on `clock`'s scale
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    refreshes: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def take(self, pair: dict[str, Any]) -> None:
        self.access_token, self.refresh_token = pair["access_token"], pair["refresh_token"]
        lifetime = float(pair.get("expires_in", 900))
        self.expires_at = self.clock() + max(0.0, lifetime - min(REFRESH_BEFORE_S, lifetime / 5))

    def fresh(self, http: httpx.Client, force: bool = False) -> None:
        """Refresh the sign-in when it is about to expire (or `force`); sign in again when the
        refresh token no longer works."""
        if not force and self.clock() < self.expires_at:
            return
        answer = http.post("/api/v1/token/refresh", json={"refresh_token": self.refresh_token})
        if answer.status_code == 200:
            self.refreshes += 1
            self.take(answer.json())
            return
        signed = http.post("/api/v1/login", json={"email": self.email, "password": PASSWORD})
        if signed.status_code != 200:
            raise SimulationError(f"{self.email} could not sign in again: {signed.text}")
        self.take(signed.json())

    def send(self, http: httpx.Client, method: str, url: str, **options: Any) -> httpx.Response:
        """A request as this customer: a 401 (the token expired after all) refreshes it and
        sends once more."""
        self.fresh(http)
        extra = options.pop("headers", {})
        answer = http.request(method, url, headers=self.headers | extra, **options)
        if answer.status_code == 401:
            self.fresh(http, force=True)
            answer = http.request(method, url, headers=self.headers | extra, **options)
        return answer


class SimulationError(Exception):
    pass


def _shopper(
    http: httpx.Client, n: int, tag: str, rng: random.Random, clock: Callable[[], float] = time.monotonic
) -> Shopper:
    email = f"sim-{tag}-{n}@makeline.test"
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    phone = f"708555{1000 + n % 9000:04d}"
    signed = http.post("/api/v1/login", json={"email": email, "password": PASSWORD})
    if signed.status_code == 401:
        made = http.post(
            "/api/v1/register", json={"email": email, "password": PASSWORD, "name": name, "phone": phone}
        )
        if made.status_code not in (201, 409):
            raise SimulationError(f"could not register {email}: {made.text}")
        signed = http.post("/api/v1/login", json={"email": email, "password": PASSWORD})
    if signed.status_code != 200:
        raise SimulationError(f"could not sign in {email}: {signed.text}")
    shopper = Shopper(email, name, phone, "", "", 0.0, clock)
    shopper.take(signed.json())
    return shopper


def _items(menu: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    pizzas = [p for p in menu["products"] if p["kind"] == "pizza"]
    extras = [p for p in menu["products"] if p["kind"] != "pizza"]
    toppings = [t["code"] for t in menu["toppings"]]
    items: list[dict[str, Any]] = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        pizza = rng.choice(pizzas)
        item: dict[str, Any] = {
            "product": pizza["code"],
            "size": rng.choice(list(pizza["price"])),
            "quantity": rng.choice([1, 1, 1, 2]),
        }
        allowed = pizza.get("allowed_toppings") or toppings
        if rng.random() < 0.3 and allowed:
            recipe = [t["code"] for t in pizza.get("toppings", [])]
            extra = rng.choice([t for t in allowed if t not in recipe] or allowed)
            item["toppings"] = [{"code": c} for c in recipe if c != extra] + [
                {"code": extra, "placement": rng.choice(["whole", "left", "right"])}
            ]
        items.append(item)
    for _ in range(rng.choice([0, 0, 1, 2])):
        extra = rng.choice(extras)
        items.append({"product": extra["code"], "size": rng.choice(list(extra["price"]))})
    return items


def _spot(store: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """An address inside the store's area (the API takes coordinates the client knows)."""
    km = rng.uniform(0.3, 0.9) * store["delivery_radius_km"]
    angle = rng.uniform(0, 2 * math.pi)
    lat = store["lat"] + km * math.sin(angle) / KM_PER_DEG_LAT
    lon = store["lon"] + km * math.cos(angle) / (KM_PER_DEG_LAT * math.cos(math.radians(store["lat"])))
    return {"line1": f"{rng.randint(100, 2999)} Simulated St", "lat": round(lat, 6), "lon": round(lon, 6)}


def _order(http: httpx.Client, shopper: Shopper, body: dict[str, Any]) -> httpx.Response:
    """POST with one key for every try: a retried timeout never makes a second order."""
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    for attempt in range(4):
        try:
            answer = shopper.send(http, "POST", "/api/v1/orders", json=body, headers=headers)
        except httpx.TransportError:
            if attempt == 3:
                raise
        else:
            if answer.status_code != 503:
                return answer
        time.sleep(0.2 * 2**attempt)
    return answer


def run_simulation(
    cloud_url: str,
    store_id: str,
    orders: int,
    rate_per_min: float | None,
    out: TextIO,
    seed: int | None = None,
) -> int:
    """Place `orders` orders at `store_id`; 0 when every order got the answer it should."""
    rng = random.Random(seed)
    problems = 0
    with httpx.Client(base_url=cloud_url.rstrip("/"), timeout=30) as http:
        store_answer = http.get(f"/api/v1/stores/{store_id}")
        if store_answer.status_code != 200:
            raise SimulationError(f"the cloud has no store {store_id}: {store_answer.text}")
        store = store_answer.json()
        menu = http.get(f"/api/v1/stores/{store_id}/menu").json()["menu"]
        tag = store["code"].lower()
        shoppers = [_shopper(http, n, tag, rng) for n in range(1, min(orders, 25) + 1)]
        for n in range(orders):
            started = time.monotonic()
            shopper = rng.choice(shoppers)
            service = rng.choice(["delivery", "delivery", "carryout"])
            token = rng.choices(
                ["tok_visa", "tok_mastercard", "tok_chargeDeclinedInsufficientFunds"], weights=[70, 25, 5]
            )[0]
            payment = (
                {"method": "cash"}
                if service == "delivery" and rng.random() < 0.2
                else {"method": "card", "token": token}
            )
            body: dict[str, Any] = {
                "store_id": store_id,
                "service": service,
                "items": _items(menu, rng),
                "best_deal": rng.random() < 0.5,
                "payment": payment,
            }
            if service == "delivery":
                body["address"] = _spot(store, rng)
                body["tip"] = rng.choice([0, 200, 300, 500])
            answer = _order(http, shopper, body)
            if answer.status_code == 201:
                order = answer.json()
                count = sum(i["quantity"] for i in order["items"])
                print(
                    f"{order['id']} {service} {count} items ${order['total'] / 100:.2f} {payment['method']}",
                    file=out,
                )
            elif answer.status_code == 402:
                print(f"declined {service} ({answer.json().get('decline_code')})", file=out)
            else:
                problems += 1
                print(f"refused {service}: {answer.status_code} {answer.json().get('detail')}", file=out)
            out.flush()
            if rate_per_min and n + 1 < orders:
                time.sleep(max(0.0, 60 / rate_per_min - (time.monotonic() - started)))
    return 0 if problems == 0 else 1
