"""Clean, validate and deduplicate the territory's SIRENE rows (text columns as landed) into typed frames.

Every input row ends up in exactly one place: loaded, quarantined (with the rule it broke) or removed as an
older duplicate; `counts` says how many went where.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from extractors.sirene_schema import (
    ETABLISSEMENT_FIELDS,
    PERSONAL_ETABLISSEMENT,
    PERSONAL_UNITE_LEGALE,
    UNITE_LEGALE_FIELDS,
)
from transforms.dedupe import dedupe_latest
from transforms.identifiers import valid_siren_mask, valid_siret_mask
from transforms.text import clean_text_column

DATE_FIELDS = ("created_on", "period_start")
INT_FIELDS = ("headcount_year", "period_count", "category_year")
# Older nomenclatures (NAFRev1, NAF1993, NAP) of long-closed units: valid in their own list, which we only
# check for shape; NAF rev.2 codes must be in the official list.
OLD_NAF_SHAPE = re.compile(r"^\d{2}\.?\d{1,2}[A-Z]?$")


@dataclass(frozen=True)
class Reference:
    naf_rev2: frozenset[str]
    headcount_bands: frozenset[str]
    legal_forms: frozenset[str]


@dataclass
class CleanResult:
    clean: pd.DataFrame
    quarantine: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)


def _quarantine_frame(raw: pd.DataFrame, rules: pd.Series, key: str, personal: tuple[str, ...],
                      status_col: str) -> pd.DataFrame:
    bad = raw.loc[rules.notna()]
    if bad.empty:
        return pd.DataFrame({"rule": pd.Series(dtype="string"), "key": pd.Series(dtype="string"),
                             "detail": pd.Series(dtype="string"), "raw": pd.Series(dtype="string")})
    records = bad.astype(object).where(bad.notna(), None).to_dict(orient="records")
    for rec in records:
        # Quarantine is read by engineers, but still never holds a withheld person's fields.
        if rec.get(status_col) == "P":
            for col in personal:
                if rec.get(col) is not None:
                    rec[col] = "[ND]"
    rule_detail = rules.loc[bad.index].str.split(":", n=1, expand=True).reindex(columns=[0, 1])
    return pd.DataFrame({
        "rule": rule_detail[0].astype("string").to_numpy(),
        "key": bad[key].astype("string").to_numpy(),
        "detail": rule_detail[1].astype("string").to_numpy(),
        "raw": [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records],
    })


def _first_failure(checks: list[tuple[str, pd.Series]], index: pd.Index) -> pd.Series:
    """For each row, the first rule it breaks (as 'rule:detail'), or <NA>."""
    rules = pd.Series(pd.NA, index=index, dtype="string")
    for rule, failed in checks:
        rules = rules.mask(rules.isna() & failed.fillna(False).astype(bool), rule)
    return rules


def _parse_dates(frame: pd.DataFrame, raw: pd.DataFrame, date_cols: dict[str, str],
                 ts_col: str) -> list[tuple[str, pd.Series]]:
    checks = []
    for out, src in date_cols.items():
        text = raw[src].astype("string").str.strip()
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        frame[out] = parsed.dt.date.astype(object).where(parsed.notna(), None)
        checks.append((f"invalid_date:{src}", text.notna() & (text != "") & parsed.isna()))
    text = raw[ts_col].astype("string").str.strip()
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    frame["last_processed_at"] = parsed.astype("datetime64[us]")
    checks.append((f"invalid_date:{ts_col}", text.notna() & (text != "") & parsed.isna()))
    return checks


def _naf_check(code: pd.Series, nomenclature: pd.Series, naf_rev2: frozenset[str]) -> pd.Series:
    is_rev2 = nomenclature.isna() | (nomenclature == "NAFRev2")
    known = code.isin(naf_rev2)
    old_shape = code.str.match(OLD_NAF_SHAPE).fillna(False)
    return code.notna() & ((is_rev2 & ~known) | (~is_rev2 & ~old_shape))


def _text_frame(raw: pd.DataFrame, fields: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(index=raw.index)
    for src, out in fields.items():
        frame[out] = clean_text_column(raw[src]) if src in raw else pd.Series(pd.NA, index=raw.index,
                                                                                dtype="string")
    return frame


def _to_int(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("Int64")


def clean_etablissements(raw: pd.DataFrame, ref: Reference, commune_codes: list[str]) -> CleanResult:
    frame = _text_frame(raw, ETABLISSEMENT_FIELDS)
    checks = [
        ("missing_identifier", frame["siret"].isna() | frame["siren"].isna()),
        ("invalid_siren", ~valid_siren_mask(frame["siren"])),
        ("invalid_siret", ~valid_siret_mask(frame["siret"])
         | (frame["siret"].str.slice(0, 9) != frame["siren"])),
    ]
    checks += _parse_dates(frame, raw, {"created_on": "dateCreationEtablissement", "period_start": "dateDebut"},
                           "dateDernierTraitementEtablissement")
    checks += [
        ("unknown_state", ~frame["state"].isin(["A", "F"])),
        ("unknown_naf_code", _naf_check(frame["naf_code"], frame["naf_nomenclature"], ref.naf_rev2)),
        ("unknown_headcount_band", frame["headcount_band"].notna()
         & ~frame["headcount_band"].isin(ref.headcount_bands)),
    ]
    rules = _first_failure(checks, frame.index)
    quarantine = _quarantine_frame(raw, rules, "siret", PERSONAL_ETABLISSEMENT, "statutDiffusionEtablissement")
    valid = frame.loc[rules.isna()].copy()
    valid["is_head_office"] = valid["is_head_office"].str.lower().map({"true": True, "false": False}).astype(
        "boolean")
    for col in ("headcount_year", "period_count"):
        valid[col] = _to_int(valid[col])
    valid["lambert_x"] = pd.to_numeric(valid["lambert_x"], errors="coerce").astype("Float64")
    valid["lambert_y"] = pd.to_numeric(valid["lambert_y"], errors="coerce").astype("Float64")
    valid["longitude"], valid["latitude"] = lambert93_to_wgs84(valid["lambert_x"], valid["lambert_y"],
                                                               valid["commune_code"])
    valid["in_territory"] = valid["commune_code"].isin(commune_codes).fillna(False).astype(bool)
    deduped = dedupe_latest(valid, "siret", raw)
    counts = {"rows_in": len(raw), "loaded": len(deduped), "quarantined": len(quarantine),
              "deduplicated": len(valid) - len(deduped)}
    return CleanResult(deduped.reset_index(drop=True), quarantine, counts)


def clean_unites_legales(raw: pd.DataFrame, ref: Reference) -> CleanResult:
    frame = _text_frame(raw, UNITE_LEGALE_FIELDS)
    checks = [
        ("missing_identifier", frame["siren"].isna()),
        ("invalid_siren", ~valid_siren_mask(frame["siren"])),
    ]
    checks += _parse_dates(frame, raw, {"created_on": "dateCreationUniteLegale", "period_start": "dateDebut"},
                           "dateDernierTraitementUniteLegale")
    checks += [
        ("unknown_state", ~frame["state"].isin(["A", "C"])),
        ("unknown_naf_code", _naf_check(frame["naf_code"], frame["naf_nomenclature"], ref.naf_rev2)),
        # The legal-form label list we ship is not exhaustive (5720, SASU, is missing): only the shape is a rule.
        ("invalid_legal_form", frame["legal_form"].notna() & ~frame["legal_form"].str.fullmatch(r"\d{4}")),
        ("unknown_headcount_band", frame["headcount_band"].notna()
         & ~frame["headcount_band"].isin(ref.headcount_bands)),
    ]
    rules = _first_failure(checks, frame.index)
    quarantine = _quarantine_frame(raw, rules, "siren", PERSONAL_UNITE_LEGALE, "statutDiffusionUniteLegale")
    valid = frame.loc[rules.isna()].copy()
    valid["is_purged"] = valid["is_purged"].str.lower().map({"true": True, "false": False}).astype("boolean")
    for col in INT_FIELDS:
        valid[col] = _to_int(valid[col])
    deduped = dedupe_latest(valid, "siren", raw)
    counts = {"rows_in": len(raw), "loaded": len(deduped), "quarantined": len(quarantine),
              "deduplicated": len(valid) - len(deduped),
              "unlabelled_legal_form": int((deduped["legal_form"].notna()
                                            & ~deduped["legal_form"].isin(ref.legal_forms)).sum())}
    return CleanResult(deduped.reset_index(drop=True), quarantine, counts)


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
