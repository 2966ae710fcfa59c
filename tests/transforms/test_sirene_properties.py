"""Property tests of the SIRENE cleaning on hostile frames (T25), 200 examples each: no unexpected exception, every
row accounted for (rows_in = loaded + quarantined + deduplicated), identifiers kept in their exact form, the same
result whatever the row order, and cleaning idempotent (each row given twice loads the same rows) and its text a
fixed point of the text cleaning.

Frames come from hypothesis.extra.pandas: keys from a small pool (so that duplicates are frequent), each broken in
the ways real files break them, next to Unicode names, NUL and control characters, `[ND]`, NaN-like text, NaN and
None in every column the rules read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

from radar.identifiers import is_valid_siren, is_valid_siret
from radar.sirene_schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS
from tests.builders import etab_row, siren, siret, ul_row
from transforms.sirene import clean_etablissements, clean_unites_legales
from transforms.text import clean_text_array
from warehouse.reference import reference_sets

GPSO = ["92012", "92022", "92040", "92047", "92048", "92072", "92075", "92077"]
REF = reference_sets()
SIRETS = [siret(siren(n), k) for n in (1, 2, 3) for k in (1, 2)] + ["35600000000048", "35600000049008"]

hostile_text = st.one_of(
    st.none(), st.just(np.nan), st.just(""), st.just("[ND]"), st.just("nan"), st.just("NULL"), st.just(" \t "),
    st.text(max_size=12),  # any Unicode: RTL, combining marks, emoji, NUL, surrogates excluded by hypothesis
    st.sampled_from(["Café  du\u00a0Port", "e\u0301cole", "\u202eTLR", "\x00NUL\x1f", "=HYPERLINK(1)"]),
)


def broken(value: str) -> st.SearchStrategy:
    """A key as it is, or as files break it: a wrong check digit, spaces, a letter, cut, as a number, missing."""
    return st.sampled_from([
        value, value, value, value[:-1] + str((int(value[-1]) + 1) % 10), f" {value} ", value[:-1] + "O",
        value[:-2], str(int(value)), None, np.nan,
    ])


key = st.sampled_from(SIRETS).flatmap(lambda s: st.tuples(broken(s), broken(s[:9])))
dates = st.one_of(st.sampled_from(["2020-01-15", "2024-02-29", "2024-02-30", "15/01/2020", "", "0000-00-00"]),
                  hostile_text)
stamps = st.one_of(st.sampled_from(["2024-10-01T10:00:00", "2024-10-20T10:00:00", "2024-10-20T10:00:00.000",
                                    "2024-13-01T00:00:00", ""]), hostile_text)
establishments = data_frames(index=range_indexes(min_size=1, max_size=25), columns=[
    column("key", elements=key),
    column("dateCreationEtablissement", elements=dates),
    column("dateDernierTraitementEtablissement", elements=stamps),
    column("etatAdministratifEtablissement", elements=st.one_of(st.sampled_from(["A", "F", "Z", "a"]), hostile_text)),
    column("activitePrincipaleEtablissement",
           elements=st.one_of(st.sampled_from(["62.01Z", "62.99Q", "72.2Z", "6201Z"]), hostile_text)),
    column("trancheEffectifsEtablissement", elements=st.one_of(st.sampled_from(["01", "NN", "99"]), hostile_text)),
    column("codeCommuneEtablissement", elements=st.one_of(st.sampled_from(["92040", "75115", "2A004"]), hostile_text)),
    column("coordonneeLambertAbscisseEtablissement",
           elements=st.one_of(st.sampled_from(["646500.5", "1e400", "inf", "-0"]), hostile_text)),
    column("enseigne1Etablissement", elements=hostile_text),
    column("etablissementSiege", elements=st.one_of(st.sampled_from(["true", "false", "TRUE", "1"]), hostile_text)),
])


def raw_establishments(frame: pd.DataFrame) -> pd.DataFrame:
    """Full stock rows: the generated columns over a valid base row."""
    rows = []
    for record in frame.to_dict("records"):
        siret_, siren_ = record.pop("key")
        row = etab_row(SIRETS[0])
        row.update(record, siret=siret_, siren=siren_, nic=siret_[9:] if isinstance(siret_, str) else siret_)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(ETABLISSEMENT_COLUMNS)).astype("string")


def by_key(table: pa.Table, key: str) -> pd.DataFrame:
    return table.to_pandas().sort_values(key).reset_index(drop=True)


def twice_shuffled(raw: pd.DataFrame, rnd) -> pd.DataFrame:
    return pd.concat([raw, raw], ignore_index=True).sample(frac=1, random_state=rnd.randint(0, 2**31))


def check_identifiers(loaded: pd.DataFrame) -> None:
    assert loaded["siret"].is_unique
    for s, n in zip(loaded["siret"], loaded["siren"]):
        assert is_valid_siret(s) and is_valid_siren(n) and s.startswith(n)  # exactly 14 and 9 ASCII digits


PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(establishments, st.randoms(use_true_random=False))
def test_establishment_cleaning_on_hostile_frames(frame, rnd):
    raw = raw_establishments(frame)
    out = clean_etablissements(raw, REF, GPSO)
    c = out.counts
    assert c["rows_in"] == len(raw) == c["loaded"] + c["quarantined"] + c["deduplicated"]
    assert len(out.quarantine) == c["quarantined"] and out.quarantine["rule"].notna().all()
    loaded = by_key(out.table, "siret")
    check_identifiers(loaded)
    for name in ("sign1", "commune_code", "naf_code", "state"):  # cleaned text is a fixed point of the cleaning
        values = out.table[name].combine_chunks()
        assert clean_text_array(values).equals(values)

    # Every row given twice, in another order: the same rows loaded (ties included), each rejection twice.
    again = clean_etablissements(twice_shuffled(raw, rnd), REF, GPSO)
    assert by_key(again.table, "siret").equals(loaded)
    assert sorted(zip(again.quarantine["rule"], again.quarantine["key"].fillna(""))) == \
        sorted(2 * list(zip(out.quarantine["rule"], out.quarantine["key"].fillna(""))))


units = data_frames(index=range_indexes(min_size=1, max_size=25), columns=[
    column("siren", elements=st.sampled_from([s[:9] for s in SIRETS]).flatmap(broken)),
    column("dateCreationUniteLegale", elements=dates),
    column("dateDernierTraitementUniteLegale", elements=stamps),
    column("etatAdministratifUniteLegale", elements=st.one_of(st.sampled_from(["A", "C", "F"]), hostile_text)),
    column("categorieJuridiqueUniteLegale", elements=st.one_of(st.sampled_from(["5710", "1000", "57X0"]), hostile_text)),
    column("denominationUniteLegale", elements=hostile_text),
    column("nomUniteLegale", elements=hostile_text),
    column("anneeCategorieEntreprise", elements=st.one_of(st.sampled_from(["2023", "2023.5", "1e3"]), hostile_text)),
])


@PROPERTIES
@given(units, st.randoms(use_true_random=False))
def test_legal_unit_cleaning_on_hostile_frames(frame, rnd):
    rows = []
    for record in frame.to_dict("records"):
        row = ul_row(siren(1))
        row.update(record)
        rows.append(row)
    raw = pd.DataFrame(rows, columns=list(UNITE_LEGALE_COLUMNS)).astype("string")
    out = clean_unites_legales(raw, REF)
    c = out.counts
    assert c["rows_in"] == len(raw) == c["loaded"] + c["quarantined"] + c["deduplicated"]
    loaded = by_key(out.table, "siren")
    assert loaded["siren"].is_unique and all(is_valid_siren(s) for s in loaded["siren"])
    assert by_key(clean_unites_legales(twice_shuffled(raw, rnd), REF).table, "siren").equals(loaded)
