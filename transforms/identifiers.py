"""SIREN and SIRET check digits (Luhn), with La Poste's own rule."""

from __future__ import annotations

import pandas as pd

# La Poste's establishments share one SIREN and their SIRETs follow another rule: digit sum divisible by 5.
LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def is_valid_siren(value: object) -> bool:
    return isinstance(value, str) and len(value) == 9 and value.isdigit() and luhn_ok(value)


def is_valid_siret(value: object) -> bool:
    if not (isinstance(value, str) and len(value) == 14 and value.isdigit()):
        return False
    if value.startswith(LA_POSTE_SIREN):
        return sum(map(int, value)) % 5 == 0
    return luhn_ok(value)


def valid_siren_mask(values: pd.Series) -> pd.Series:
    return values.map(is_valid_siren).astype(bool)


def valid_siret_mask(values: pd.Series) -> pd.Series:
    return values.map(is_valid_siret).astype(bool)
