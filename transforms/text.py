"""Text cleaning shared by every source: Unicode NFC, trimmed, control characters out, masks to NULL."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

# Values the producers use to say "withheld": never data, never a name.
MASKED_VALUES = frozenset({"[ND]", "[NON-DIFFUSIBLE]", "[NON DIFFUSIBLE]"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = _CONTROL.sub("", unicodedata.normalize("NFC", str(value))).strip()
    text = re.sub(r"\s+", " ", text)
    if not text or text in MASKED_VALUES:
        return None
    return text


def clean_text_column(values: pd.Series) -> pd.Series:
    """Vectorised clean_text for the common case; every value comes out as `string` dtype or <NA>."""
    s = values.astype("string")
    s = s.str.normalize("NFC").str.replace(_CONTROL, "", regex=True).str.strip()
    s = s.str.replace(r"\s+", " ", regex=True)
    return s.mask(s.isin(MASKED_VALUES) | (s == ""))
