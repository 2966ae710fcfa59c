"""Text cleaning shared by every source: Unicode NFC, trimmed, control characters out, masks to NULL."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
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
# Bytes that may start something a rewrite changes: control characters, and the lead bytes of every
# multi-byte Unicode space (U+0085/U+00A0: 0xC2; U+1680: 0xE1; U+2000-U+205F: 0xE2; U+3000: 0xE3).
_SUSPECT_BYTE = np.zeros(256, dtype=bool)
_SUSPECT_BYTE[[*range(0x20), 0x7F, 0xC2, 0xE1, 0xE2, 0xE3]] = True
# Every code point below U+0300 is unchanged by NFC and never combines with what precedes it: text whose bytes
# are all below 0xCC (the lead byte of U+0300) is already NFC.
_NFC_STABLE_BELOW = 0xCC


def clean_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = re.sub(_CONTROL, "", unicodedata.normalize("NFC", str(value)))
    text = re.sub(r"\s+", " ", text).strip()
    if not text or text in MASKED_VALUES:
        return None
    return text


def as_text_array(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column (pandas or Arrow, in one chunk or several) as one Arrow string array."""
    if isinstance(values, pd.Series):
        values = pa.array(values.astype("string"), type=pa.string(), from_pandas=True)
    if isinstance(values, pa.ChunkedArray):  # a column read from a file of several row groups
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    return values if pa.types.is_string(values.type) else values.cast(pa.string())


def clean_text_column(values: pd.Series) -> pd.Series:
    """clean_text over a whole column (see clean_text_array)."""
    return pd.Series(_STRING.__from_arrow__(clean_text_array(values)), index=values.index)


def clean_text_array(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """clean_text over a whole Arrow string array, in compute kernels (a few ms, whatever its length).

    Most values are already clean: each step first looks at the raw bytes and runs only where it can change
    something (NFC where a byte can start a code point from U+0300 up, the regex rewrites on the rows that
    need them, the trim where a value starts or ends with a space or a control character)."""
    arr = as_text_array(values)
    if arr.null_count == len(arr):
        return arr
    if _data(arr).max(initial=0) >= _NFC_STABLE_BELOW:
        arr = pc.utf8_normalize(arr, "NFC")
    rewritten = _may_need_rewrite(_data(arr))
    if rewritten:
        arr = _rewrite(arr)
    if rewritten or _edges_need_trim(arr):
        arr = pc.utf8_trim_whitespace(arr)
    if ord("[") in _data(arr) or pc.any(pc.equal(pc.binary_length(arr), 0)).as_py():
        withheld = pc.or_(pc.is_in(arr, value_set=_MASKED_ARRAY), pc.equal(arr, ""))
        arr = pc.if_else(withheld, pa.scalar(None, pa.string()), arr)
    return arr


def _data(arr: pa.Array) -> np.ndarray:
    """The bytes of the values (and maybe of values outside a slice: scans of it may over-report, never miss)."""
    return np.frombuffer(arr.buffers()[2] or b"", dtype=np.uint8)


def _edges_need_trim(arr: pa.Array) -> bool:
    """Whether a value starts or ends with a byte up to the space. Without the bytes _may_need_rewrite looks
    for, that is the only whitespace there can be."""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    data = _data(arr)
    return bool((data[starts[filled]] <= 0x20).any() or (data[ends[filled] - 1] <= 0x20).any())


def _rewrite(arr: pa.Array) -> pa.Array:
    needs = pc.fill_null(pc.match_substring_regex(arr, _NEEDS_REWRITE), False)
    if not pc.any(needs).as_py():
        return arr
    sub = pc.replace_substring_regex(pc.filter(arr, needs), _CONTROL, "")
    # Same whitespace as Python's \s (RE2's \s is ASCII only): NBSP and other Unicode spaces included.
    sub = pc.replace_substring_regex(sub, r"[\s\p{Z}\x{85}]+", " ")
    return pc.replace_with_mask(arr, needs, sub)


def _may_need_rewrite(data: np.ndarray) -> bool:
    """False when no value can hold a control character, a Unicode space or two spaces in a row: a scan of
    the raw bytes, far cheaper than the regex over every value (false positives only cost that regex)."""
    if _SUSPECT_BYTE[data].any():
        return True
    spaces = data == 0x20
    return bool((spaces[1:] & spaces[:-1]).any())
