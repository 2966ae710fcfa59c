"""Clean, validate and deduplicate the territory's SIRENE rows (text columns as landed) into typed Arrow
tables.

Every input row ends up in exactly one place: loaded, quarantined (with the rule it broke) or removed as an
older duplicate; `counts` says how many went where.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from radar.identifiers import valid_siren_array, valid_siret_array
from radar.sirene_schema import (
    ETABLISSEMENT_FIELDS,
    PERSONAL_ETABLISSEMENT,
    PERSONAL_UNITE_LEGALE,
    UNITE_LEGALE_FIELDS,
)
from transforms.dedupe import latest_mask
from transforms.text import as_text_array, clean_text_array

INT_FIELDS = ("headcount_year", "period_count", "category_year")
# Older nomenclatures (NAFRev1, NAF1993, NAP) of long-closed units: valid in their own list, which we only
# check for shape; NAF rev.2 codes must be in the official list.
OLD_NAF_SHAPE = re.compile(r"^\d{2}\.?\d{1,2}[A-Z]?$")


@dataclass(frozen=True)
class Reference:
    naf_rev2: frozenset[str]
    headcount_bands: frozenset[str]
    legal_forms: frozenset[str]

    @property
    def naf_rev2_array(self) -> pa.Array:
        return pa.array(sorted(self.naf_rev2), pa.string())


@dataclass
class CleanResult:
    table: pa.Table  # the rows to load, typed
    quarantine: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> pd.DataFrame:
        return self.table.to_pandas(types_mapper=pd.ArrowDtype)


def _as_table(raw: pd.DataFrame | pa.Table) -> pa.Table:
    return raw if isinstance(raw, pa.Table) else pa.Table.from_pandas(raw.astype("string"), preserve_index=False)


def _column(table: pa.Table, name: str) -> pa.Array:
    """A raw column as one text array; a column the file does not have is all NULL."""
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    return as_text_array(table[name])


def _flags(mask: pa.Array) -> np.ndarray:
    """A boolean Arrow result as numpy, NULL counting as False (a rule that cannot be evaluated is not broken)."""
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _is_null(arr: pa.Array) -> np.ndarray:
    return arr.is_null().to_numpy(zero_copy_only=False)


def _quarantine_frame(raw: pa.Table, first: np.ndarray, rules: list[str], key: str,
                      personal: tuple[str, ...], status_col: str) -> pd.DataFrame:
    bad = first >= 0
    if not bad.any():
        return pd.DataFrame({"rule": pd.Series(dtype="string"), "key": pd.Series(dtype="string"),
                             "detail": pd.Series(dtype="string"), "raw": pd.Series(dtype="string")})
    records = raw.filter(pa.array(bad)).to_pylist()
    for rec in records:
        # Quarantine is read by engineers, but still never holds a withheld person's fields.
        if rec.get(status_col) == "P":
            for col in personal:
                if rec.get(col) is not None:
                    rec[col] = "[ND]"
    broken = [rules[i].split(":", 1) for i in first[bad]]
    return pd.DataFrame({
        "rule": [b[0] for b in broken],
        "key": [r.get(key) for r in records],
        "detail": [b[1] if len(b) > 1 else None for b in broken],
        "raw": [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records],
    }, dtype="string")


def _first_failure(checks: list[tuple[str, np.ndarray]], rows: int) -> np.ndarray:
    """For each row, the position in `checks` of the first rule it breaks, or -1."""
    first = np.full(rows, -1, dtype=np.int16)
    for i, (_, failed) in enumerate(checks):
        first[(first < 0) & failed] = i
    return first


def _parse_dates(cols: dict[str, pa.Array], raw: pa.Table, date_cols: dict[str, str],
                 ts_col: str) -> list[tuple[str, np.ndarray]]:
    """Replace the date columns of `cols` by their parsed values; a non-empty value that does not parse
    breaks the rule."""
    checks = []
    targets = [(out, src, pa.date32()) for out, src in date_cols.items()]
    for out, src, to in targets + [("last_processed_at", ts_col, pa.timestamp("us"))]:
        text = pc.utf8_trim_whitespace(_column(raw, src))
        present = _flags(pc.not_equal(text, ""))
        parsed = _parse_column(pc.if_else(pa.array(present), text, pa.scalar(None, pa.string())), to)
        cols[out] = parsed
        checks.append((f"invalid_date:{src}", present & _is_null(parsed)))
    return checks


def _parse_column(text: pa.Array, to: pa.DataType) -> pa.Array:
    """Arrow's strict cast when every value parses (the usual case, and much faster than pandas' parsers);
    otherwise pandas' lenient parser, which leaves the values it cannot read NULL."""
    try:
        return pc.cast(text, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    values = pd.Series(text.to_pandas(), dtype="string")
    if pa.types.is_date(to):
        parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        return pa.array(parsed.dt.date.astype(object).where(parsed.notna(), None), type=to)
    parsed = pd.to_datetime(values, format="ISO8601", errors="coerce").astype("datetime64[us]")
    return pa.array(parsed, type=to, from_pandas=True)


def _to_number(text: pa.Array, to: pa.DataType) -> pa.Array:
    """Text to numbers, anything unparsable to NULL (a fractional value where an integer is due too)."""
    try:
        return pc.cast(text, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    parsed = pd.to_numeric(pd.Series(text.to_pandas(), dtype="string"), errors="coerce").astype("Float64")
    if pa.types.is_integer(to):
        parsed = parsed.where(parsed % 1 == 0).astype("Int64")
    return pa.array(parsed, type=to, from_pandas=True)


def _to_bool(text: pa.Array) -> pa.Array:
    lower = pc.utf8_lower(text)
    true, false = pc.equal(lower, "true"), pc.equal(lower, "false")
    return pc.if_else(pc.or_(true, false), true, pa.scalar(None, pa.bool_()))


def _naf_check(code: pa.Array, nomenclature: pa.Array, naf_rev2: pa.Array) -> np.ndarray:
    is_rev2 = _is_null(nomenclature) | _flags(pc.equal(nomenclature, "NAFRev2"))
    known = _flags(pc.is_in(code, value_set=naf_rev2))
    old_shape = _flags(pc.match_substring_regex(code, OLD_NAF_SHAPE.pattern))
    return ~_is_null(code) & ((is_rev2 & ~known) | (~is_rev2 & ~old_shape))


def _not_in(arr: pa.Array, allowed) -> np.ndarray:
    return ~_flags(pc.is_in(arr, value_set=pa.array(sorted(allowed), pa.string())))


def _keep_latest(valid: pa.Table, key: str, raw: pa.Table, positions: np.ndarray) -> pa.Table:
    """Deduplicate the valid rows, ties broken on the raw row they came from (`positions` in `raw`). Only the
    rows whose key is repeated (found by Arrow's value counts) go through pandas."""
    keys = valid[key]
    counts = pc.value_counts(keys)
    repeated_keys = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    if len(repeated_keys) == 0:
        return valid
    repeated = np.flatnonzero(_flags(pc.is_in(keys, value_set=repeated_keys)))

    def content_of(rows: np.ndarray) -> pd.DataFrame:
        picked = raw.take(pa.array(positions[repeated[rows]]))
        text = pa.table({name: pc.fill_null(_column(picked, name), "") for name in picked.column_names})
        return text.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)

    kept = latest_mask(pd.Series(keys.take(repeated).to_pandas(), dtype="string"),
                       pd.Series(valid["last_processed_at"].take(repeated).to_pandas()), content_of)
    keep = np.ones(valid.num_rows, dtype=bool)
    keep[repeated[~kept]] = False
    return valid.filter(pa.array(keep))


def _with_columns(table: pa.Table, columns: dict[str, pa.Array]) -> pa.Table:
    """`table` with these columns replaced, in place in the column order."""
    for name, values in columns.items():
        table = table.set_column(table.column_names.index(name), name, values)
    return table


def _validated(raw: pa.Table, cols: dict[str, pa.Array], checks: list[tuple[str, np.ndarray]], key: str,
               personal: tuple[str, ...], status_col: str) -> tuple[pa.Table, pd.DataFrame, np.ndarray]:
    first = _first_failure(checks, raw.num_rows)
    quarantine = _quarantine_frame(raw, first, [rule for rule, _ in checks], key, personal, status_col)
    ok = first < 0
    return pa.table(cols).filter(pa.array(ok)), quarantine, np.flatnonzero(ok)


def clean_etablissements(raw: pd.DataFrame | pa.Table, ref: Reference, commune_codes: list[str]) -> CleanResult:
    raw = _as_table(raw)
    cols = {out: clean_text_array(_column(raw, src)) for src, out in ETABLISSEMENT_FIELDS.items()}
    siret, siren = cols["siret"], cols["siren"]
    checks = [
        ("missing_identifier", _is_null(siret) | _is_null(siren)),
        ("invalid_siren", ~valid_siren_array(siren)),
        ("invalid_siret", ~valid_siret_array(siret)
         | _flags(pc.not_equal(pc.utf8_slice_codeunits(siret, 0, 9), siren))),
    ]
    checks += _parse_dates(cols, raw, {"created_on": "dateCreationEtablissement", "period_start": "dateDebut"},
                           "dateDernierTraitementEtablissement")
    checks += [
        ("unknown_state", _not_in(cols["state"], {"A", "F"})),
        ("unknown_naf_code", _naf_check(cols["naf_code"], cols["naf_nomenclature"], ref.naf_rev2_array)),
        ("unknown_headcount_band", ~_is_null(cols["headcount_band"])
         & _not_in(cols["headcount_band"], ref.headcount_bands)),
    ]
    valid, quarantine, positions = _validated(raw, cols, checks, "siret", PERSONAL_ETABLISSEMENT,
                                              "statutDiffusionEtablissement")
    converted = {
        "is_head_office": _to_bool(valid["is_head_office"]),
        "headcount_year": _to_number(valid["headcount_year"], pa.int64()),
        "period_count": _to_number(valid["period_count"], pa.int64()),
        "lambert_x": _to_number(valid["lambert_x"], pa.float64()),
        "lambert_y": _to_number(valid["lambert_y"], pa.float64()),
    }
    valid = _with_columns(valid, converted)
    lon, lat = lambert93_to_wgs84(*(pd.Series(valid[c].to_numpy(zero_copy_only=False))
                                    for c in ("lambert_x", "lambert_y")),
                                  pd.Series(valid["commune_code"].to_pandas(), dtype="string"))
    valid = valid.append_column("longitude", pa.array(lon, pa.float64(), from_pandas=True))
    valid = valid.append_column("latitude", pa.array(lat, pa.float64(), from_pandas=True))
    valid = valid.append_column("in_territory", pc.fill_null(
        pc.is_in(valid["commune_code"], value_set=pa.array(list(commune_codes), pa.string())), False))
    deduped = _keep_latest(valid, "siret", raw, positions)
    counts = {"rows_in": raw.num_rows, "loaded": deduped.num_rows, "quarantined": len(quarantine),
              "deduplicated": valid.num_rows - deduped.num_rows}
    return CleanResult(deduped, quarantine, counts)


def clean_unites_legales(raw: pd.DataFrame | pa.Table, ref: Reference) -> CleanResult:
    raw = _as_table(raw)
    cols = {out: clean_text_array(_column(raw, src)) for src, out in UNITE_LEGALE_FIELDS.items()}
    siren, legal_form = cols["siren"], cols["legal_form"]
    checks = [
        ("missing_identifier", _is_null(siren)),
        ("invalid_siren", ~valid_siren_array(siren)),
    ]
    checks += _parse_dates(cols, raw, {"created_on": "dateCreationUniteLegale", "period_start": "dateDebut"},
                           "dateDernierTraitementUniteLegale")
    checks += [
        ("unknown_state", _not_in(cols["state"], {"A", "C"})),
        ("unknown_naf_code", _naf_check(cols["naf_code"], cols["naf_nomenclature"], ref.naf_rev2_array)),
        # The legal-form label list we ship is not exhaustive (5720, SASU, is missing): only the shape is a rule.
        ("invalid_legal_form", ~_is_null(legal_form) & ~_flags(pc.match_substring_regex(legal_form, r"^\d{4}$"))),
        ("unknown_headcount_band", ~_is_null(cols["headcount_band"])
         & _not_in(cols["headcount_band"], ref.headcount_bands)),
    ]
    valid, quarantine, positions = _validated(raw, cols, checks, "siren", PERSONAL_UNITE_LEGALE,
                                              "statutDiffusionUniteLegale")
    converted = {"is_purged": _to_bool(valid["is_purged"])}
    converted.update({name: _to_number(valid[name], pa.int64()) for name in INT_FIELDS})
    valid = _with_columns(valid, converted)
    deduped = _keep_latest(valid, "siren", raw, positions)
    forms = deduped["legal_form"]
    counts = {"rows_in": raw.num_rows, "loaded": deduped.num_rows, "quarantined": len(quarantine),
              "deduplicated": valid.num_rows - deduped.num_rows,
              "unlabelled_legal_form": int((~_is_null(forms.combine_chunks())
                                            & _not_in(forms, ref.legal_forms)).sum())}
    return CleanResult(deduped, quarantine, counts)


@lru_cache(maxsize=1)
def _lambert93():
    from pyproj import Transformer

    return Transformer.from_crs(2154, 4326, always_xy=True)


def lambert93_to_wgs84(x: pd.Series, y: pd.Series, commune_code: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Metropolitan Lambert 93 to WGS84; overseas communes (97x) use other projections and stay NULL."""
    ok = x.notna() & y.notna() & ~commune_code.fillna("").str.startswith("97")
    lon = pd.Series(pd.NA, index=x.index, dtype="Float64")
    lat = pd.Series(pd.NA, index=x.index, dtype="Float64")
    if ok.any():
        xs, ys = _lambert93().transform(x[ok].to_numpy(dtype=float), y[ok].to_numpy(dtype=float))
        lon[ok] = xs.round(6)
        lat[ok] = ys.round(6)
    return lon, lat
