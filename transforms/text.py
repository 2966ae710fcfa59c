"""Text cleaning shared by every source: Unicode NFC, trimmed, control characters out, masks to NULL."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Values the producers use to say "withheld": never data, never a name.
MASKED_VALUES = frozenset({"[ND]", "[NON-DIFFUSIBLE]", "[NON DIFFUSIBLE]"})
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_MASKED_ARRAY = pa.array(sorted(MASKED_VALUES))
# A control character, any whitespace but the plain space, or two spaces in a row: what the rewrites change
# (leading and trailing spaces are the trim's job).
_NEEDS_REWRITE = (r"[\x00-\x1f\x7f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}"
                  r"\x{3000}]|  ")
_STRING = pd.StringDtype()


def clean_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = re.sub(_CONTROL, "", unicodedata.normalize("NFC", str(value)))
    text = re.sub(r"\s+", " ", text).strip()
    if not text or text in MASKED_VALUES:
        return None
    return text


def clean_text_column(values: pd.Series) -> pd.Series:
    """clean_text over a whole column, in Arrow compute kernels (a few ms per column, whatever its length).

    Most values are already clean: the regex rewrites run only on the rows that need them, and NFC only on
    columns that are not pure ASCII."""
    arr = pa.array(values.astype("string"), type=pa.string(), from_pandas=True)
    if arr.null_count < len(arr):
        if not pc.all(pc.string_is_ascii(arr)).as_py():
            arr = pc.utf8_normalize(arr, "NFC")
        needs = pc.fill_null(pc.match_substring_regex(arr, _NEEDS_REWRITE), False)
        if pc.any(needs).as_py():
            sub = pc.replace_substring_regex(pc.filter(arr, needs), _CONTROL, "")
            # Same whitespace as Python's \s (RE2's \s is ASCII only): NBSP and other Unicode spaces included.
            sub = pc.replace_substring_regex(sub, r"[\s\p{Z}\x{85}]+", " ")
            arr = pc.replace_with_mask(arr, needs, sub)
        arr = pc.utf8_trim_whitespace(arr)
        withheld = pc.or_(pc.is_in(arr, value_set=_MASKED_ARRAY), pc.equal(arr, ""))
        arr = pc.if_else(withheld, pa.scalar(None, pa.string()), arr)
    return pd.Series(_STRING.__from_arrow__(arr), index=values.index)
