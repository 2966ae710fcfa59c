"""Shared Streamlit pieces: the snapshot for this request, filters read from and written back to the URL."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import streamlit as st

from dashboard import fmt, queries
from dashboard.filters import ALL, STATES, Filters, from_params, replace, to_params
from dashboard.snapshot import Snapshot, SnapshotReader, open_snapshot
from dashboard.text import md_escape

SNAPSHOT_ENV = "RADAR_DASHBOARD_SNAPSHOT"
EMPTY_CELL = "–"  # what a table shows for a missing value (Streamlit would write "None")


_READERS: dict[str, SnapshotReader] = {}


@st.cache_resource(show_spinner=False)
def _reader(path: str) -> SnapshotReader:
    _READERS[path] = reader = SnapshotReader(Path(path), warm=queries.company_list)
    return reader


def open_readers() -> list[SnapshotReader]:
    return list(_READERS.values())


def snapshot_path() -> Path:
    value = os.environ.get(SNAPSHOT_ENV)
    if not value:
        st.error("Aucun instantané publié n'est configuré : lancez le tableau de bord avec `radar dashboard`.")
        st.stop()
    return Path(value)


@contextlib.contextmanager
def snapshot() -> Iterator[Snapshot]:
    """The published snapshot for this page run: one version for the whole run, even if a new one is published."""
    path = snapshot_path()
    if not path.is_file():
        st.error("Aucun instantané n'est encore publié : lancez `radar demo` ou `radar run`.")
        st.stop()
    with open_snapshot(_reader(str(path))) as snap:
        yield snap


def page_header(snap: Snapshot, title: str) -> None:
    st.title(title)
    info = queries.snapshot_info(snap)
    if info:
        st.caption(f"{md_escape(info.get('territory'))} · données jusqu'à {fmt.month(info.get('latest_month'))} · "
                   f"instantané publié le {fmt.timestamp(info.get('published_at'))}")


def read_filters(snap: Snapshot) -> Filters:
    f = from_params(st.query_params, queries.allowed_values(snap))
    if f.rejected:
        st.warning("Filtres ignorés (valeurs inconnues) : " + ", ".join(md_escape(r) for r in f.rejected))
    return f


def write_filters(f: Filters, keep: tuple[str, ...]) -> None:
    """Put the page's filters in the URL, so that the view can be shared by copying the address."""
    wanted = {k: v for k, v in to_params(f).items() if k in keep}
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    normal = {k: (v if isinstance(v, list) else [v]) for k, v in wanted.items()}
    if current != normal:
        st.query_params.from_dict(wanted)


def month_picker(snap: Snapshot, f: Filters, *, key: str = "mois") -> date:
    months = queries.months(snap)
    if not months:
        st.info("L'instantané ne contient encore aucun mois.")
        st.stop()
    default = f.mois if f.mois in months else months[-1]
    return st.sidebar.selectbox("Mois", months[::-1], index=months[::-1].index(default), format_func=fmt.month,
                                key=key)


def scope_picker(default_tech: bool = True, key: str = "perimetre") -> str:
    param = st.query_params.get("perimetre")
    tech = default_tech if param not in ("tous", queries.TECH) else param == queries.TECH
    choice = st.sidebar.radio("Périmètre", ["numerique", "tous"], index=0 if tech else 1, key=key,
                              format_func=lambda v: "Numérique" if v == "numerique" else "Toutes activités")
    return "tech" if choice == "numerique" else "all"


def filter_sidebar(snap: Snapshot, f: Filters, *, search: bool = False, created: bool = False,
                   state: bool = False) -> Filters:
    side = st.sidebar
    changes = {}
    if search:
        changes["q"] = side.text_input("Recherche (nom ou SIREN)", value=f.q, max_chars=100, key="q").strip()
    communes = queries.communes(snap)
    names = dict(zip(communes["code"], communes["name"]))
    changes["communes"] = tuple(side.multiselect("Communes", list(names), default=list(f.communes),
                                                 format_func=lambda c: names.get(c, c), key="commune",
                                                 placeholder="Toutes"))
    sets = queries.sector_sets(snap)
    labels = {ALL: "Toutes activités", **dict(zip(sets["set_name"], sets["set_label"]))}
    changes["secteur"] = side.selectbox("Ensemble de secteurs", list(labels), index=list(labels).index(f.secteur),
                                        format_func=lambda v: labels[v], key="secteur")
    naf = queries.naf_codes(snap)
    naf_labels = dict(zip(naf["code"], naf["label"]))
    changes["naf"] = tuple(side.multiselect("Codes NAF", list(naf_labels), default=[c for c in f.naf if c in naf_labels],
                                            format_func=lambda c: f"{c} – {naf_labels.get(c, '')}", key="naf",
                                            placeholder="Tous"))
    b = queries.bands(snap)
    band_labels = dict(zip(b["code"], b["label"]))
    changes["tailles"] = tuple(side.multiselect("Tranches d'effectif", list(band_labels), default=list(f.tailles),
                                                format_func=lambda c: band_labels.get(c, c), key="taille",
                                                placeholder="Toutes"))
    if created:
        c1, c2 = side.columns(2)
        changes["cree_du"] = c1.date_input("Créée du", value=f.cree_du, format="DD/MM/YYYY", key="cree_du",
                                           min_value=date(1900, 1, 1))
        changes["cree_au"] = c2.date_input("au", value=f.cree_au, format="DD/MM/YYYY", key="cree_au",
                                           min_value=date(1900, 1, 1))
    if state:
        options = [ALL, *STATES]
        changes["etat"] = side.radio("État", options, index=options.index(f.etat), horizontal=True, key="etat",
                                     format_func=lambda v: "Tous" if v == ALL else STATES[v])
    return replace(f, **changes)


def table(df, columns: dict, **kwargs) -> None:
    """A table with French column labels (`columns`: column -> label or st.column_config), only those columns, in
    that order, and « – » for a missing value."""
    config = {c: (v if not isinstance(v, str) else st.column_config.Column(v)) for c, v in columns.items()}
    st.dataframe(df, hide_index=True, width="stretch", column_order=list(columns), column_config=config,
                 placeholder=EMPTY_CELL, **kwargs)


def number_column(label: str, **kwargs):
    return st.column_config.NumberColumn(label, format="localized", **kwargs)


def date_column(label: str):
    return st.column_config.DateColumn(label, format="DD/MM/YYYY")


def not_collected(label: str, flow_runs: int) -> None:
    """Say why a section is empty: the source never ran here, or it ran and found nothing."""
    if flow_runs:
        st.caption(f"{label} : rien pour cette entreprise.")
    else:
        st.info(f"{label} : aucune collecte n'a encore eu lieu pour ce territoire.")
