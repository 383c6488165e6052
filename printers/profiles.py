"""Paper profiles: how wide a printer's paper is and which python-escpos profile drives it.

A printer row names its profile `80mm` (Epson TM-T88 class, 42 columns) or `58mm`
(Epson TM-T20 / TM-m30 class on 58 mm paper, 32 columns, with a cutter).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from escpos.capabilities import Profile, get_profile
from escpos.printer import Dummy

from printers.errors import UnknownProfile


@dataclass(frozen=True)
class PaperProfile:
    name: str
    columns: int  # font A characters per line
    qr_size: int  # QR module size in dots

    def escpos_profile(self) -> Any:
        return _escpos_profile(self.name)

    def printer(self) -> Any:
        """A python-escpos printer that collects bytes in memory (`.output`)."""
        return Dummy(profile=self.escpos_profile())


PROFILES: dict[str, PaperProfile] = {
    "80mm": PaperProfile("80mm", columns=42, qr_size=6),
    "58mm": PaperProfile("58mm", columns=32, qr_size=5),
}


def paper_profile(name: str) -> PaperProfile:
    """The profile named `name`; `UnknownProfile` names the accepted ones."""
    found = PROFILES.get(name.strip().lower())
    if found is None:
        accepted = ", ".join(PROFILES)
        raise UnknownProfile(f"There is no paper profile '{name}'; use one of: {accepted}.")
    return found


def profile_for_columns(columns: int) -> PaperProfile:
    """The narrowest profile at least `columns` wide (the widest if none is)."""
    for profile in sorted(PROFILES.values(), key=lambda p: p.columns):
        if profile.columns >= columns:
            return profile
    return max(PROFILES.values(), key=lambda p: p.columns)


WIDE_MODEL = "TM-T88V"


@cache
def _escpos_profile(name: str) -> Any:
    """A python-escpos profile name, or a `Profile` for paper it has no model for."""
    if name == "80mm":
        return WIDE_MODEL
    # Same Epson command set (native QR, cutter, code pages); narrower paper.
    features = dict(get_profile(WIDE_MODEL).features)
    return Profile(columns=PROFILES[name].columns, features=features)
