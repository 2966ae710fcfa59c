"""SIREN and SIRET check digits (Luhn), with La Poste's own rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from transforms.text import as_text_array

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


def _luhn_mask(arr: pa.Array, length: int) -> np.ndarray:
    """Vectorised Luhn over a column: digit matrix, every second digit from the right doubled."""
    shaped = pc.fill_null(pc.match_substring_regex(arr, f"^[0-9]{{{length}}}$"), False).to_numpy(
        zero_copy_only=False)
    ok = np.zeros(len(arr), dtype=bool)
    if shaped.any():
        # Same-length ASCII strings: the concatenated bytes are the digit matrix, read without a Python loop.
        kept = arr.filter(pa.array(shaped))
        joined = pc.binary_join(pa.ListArray.from_arrays([0, len(kept)], kept), "")[0].as_py()
        digits = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, length) - 48
        doubled = digits[:, length - 2::-2] * 2
        total = digits[:, length - 1::-2].sum(axis=1) + (doubled % 10 + doubled // 10).sum(axis=1)
        ok[shaped] = total % 10 == 0
    return ok


def valid_siren_array(values: pd.Series | pa.Array) -> np.ndarray:
    return _luhn_mask(as_text_array(values), 9)


def valid_siret_array(values: pd.Series | pa.Array) -> np.ndarray:
    arr = as_text_array(values)
    ok = _luhn_mask(arr, 14)
    la_poste = pc.fill_null(pc.starts_with(arr, LA_POSTE_SIREN), False).to_numpy(zero_copy_only=False)
    if la_poste.any():
        ok[la_poste] = [is_valid_siret(v) for v in arr.filter(pa.array(la_poste)).to_pylist()]
    return ok


def valid_siren_mask(values: pd.Series) -> pd.Series:
    return pd.Series(valid_siren_array(values), index=values.index)


def valid_siret_mask(values: pd.Series) -> pd.Series:
    return pd.Series(valid_siret_array(values), index=values.index)
