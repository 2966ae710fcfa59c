"""SIREN and SIRET: the one place that says whether an identifier is valid (python-stdnum's rules, La Poste's
included), and the same rule over a whole Arrow column."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

# La Poste's establishments share one SIREN and, all but the head office, follow another rule than Luhn.
LA_POSTE_SIREN = "356000000"


def with_check_digit(prefix: str) -> str:
    """`prefix` followed by the Luhn check digit that completes it (to build identifiers in tests and the demo)."""
    return prefix + luhn.calc_check_digit(prefix)


def is_valid_siren(value: object) -> bool:
    # Exactly the 9 digits: stdnum would also accept "356 000 000" once compacted, which is not our data's form.
    return isinstance(value, str) and len(value) == 9 and value.isdigit() and stdnum_siren.is_valid(value)


def is_valid_siret(value: object) -> bool:
    return isinstance(value, str) and len(value) == 14 and value.isdigit() and stdnum_siret.is_valid(value)


def _luhn_mask(arr: pa.Array, length: int) -> np.ndarray:
    """Luhn over a column without a Python loop: digit matrix, every second digit from the right doubled."""
    shaped = pc.fill_null(pc.match_substring_regex(arr, f"^[0-9]{{{length}}}$"), False).to_numpy(
        zero_copy_only=False)
    ok = np.zeros(len(arr), dtype=bool)
    if shaped.any():
        # Same-length ASCII strings: the concatenated bytes are the digit matrix.
        kept = arr.filter(pa.array(shaped))
        joined = pc.binary_join(pa.ListArray.from_arrays([0, len(kept)], kept), "")[0].as_py()
        digits = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, length) - 48
        doubled = digits[:, length - 2::-2] * 2
        total = digits[:, length - 1::-2].sum(axis=1) + (doubled % 10 + doubled // 10).sum(axis=1)
        ok[shaped] = total % 10 == 0
    return ok


def valid_siren_array(arr: pa.Array) -> np.ndarray:
    """is_valid_siren over an Arrow string array (SIREN follow Luhn without exception)."""
    return _luhn_mask(arr, 9)


def valid_siret_array(arr: pa.Array) -> np.ndarray:
    """is_valid_siret over an Arrow string array: Luhn over the 14 digits and over the SIREN they start with, then
    La Poste's rows by the scalar rule."""
    ok = _luhn_mask(arr, 14) & _luhn_mask(pc.utf8_slice_codeunits(arr, 0, 9), 9)
    la_poste = pc.fill_null(pc.starts_with(arr, LA_POSTE_SIREN), False).to_numpy(zero_copy_only=False)
    if la_poste.any():
        ok[la_poste] = [is_valid_siret(v) for v in arr.filter(pa.array(la_poste)).to_pylist()]
    return ok
