"""Fiche entreprise: identity, establishments in the territory, timeline with evidence, finances, contacts."""

import json
import numbers

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import fmt, queries
from dashboard.text import md_escape, safe_url
from dashboard.ui import missing_source, page_header, read_filters, snapshot

NO_NAME = "(nom non diffusible)"


def _detail(kind: str, details) -> str:
    d = json.loads(details) if isinstance(details, str) else (details or {})
    if kind in ("move_in", "creation") and d.get("from_commune"):
        return f"depuis {d['from_commune']}"
    if kind in ("move_out", "closure") and d.get("to_commune"):
        return f"vers {d['to_commune']}"
    if kind == "headcount_change":
        return f"tranche {d.get('from_band') or '?'} → {d.get('to_band') or '?'}"
    if kind == "sector_change":
        return f"NAF {d.get('from_naf') or '?'} → {d.get('to_naf') or '?'}"
    return ""


def _known(value) -> bool:
    if value is None or isinstance(value, (list, dict, str)):
        return value not in (None, "", [], {})
    return not pd.isna(value)


def _value(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, numbers.Number):
        return fmt.number(value)
    return str(value)


def _links_only(df: pd.DataFrame, column: str) -> pd.DataFrame:
    if column in df.columns:
        df[column] = df[column].map(safe_url)
    return df


with snapshot() as snap:
    page_header(snap, "Fiche entreprise")
    f = read_filters(snap)
    typed = st.text_input("SIREN (9 chiffres)", value=f.siren or "", max_chars=11, key="siren").replace(" ", "")
    if typed and not (typed.isdigit() and len(typed) == 9):
        st.warning("Un SIREN compte 9 chiffres.")
        st.stop()
    if not typed:
        st.info("Saisissez un SIREN, ou ouvrez une fiche depuis la page Entreprises.")
        st.stop()
    st.query_params.from_dict({"siren": typed})
    c = queries.company(snap, typed)
    if c is None:
        st.warning("Ce SIREN n'est pas dans l'instantané du territoire.")
        st.stop()

    st.header(md_escape(c["name"] or NO_NAME))
    cols = st.columns(4)
    cols[0].markdown(f"**SIREN**  \n{c['siren']}")
    cols[1].markdown(f"**Forme juridique**  \n{md_escape(c['legal_form_label'] or '–')}")
    cols[2].markdown(f"**Activité**  \n{md_escape(c['naf_code'])} – {md_escape(c['naf_label'] or '')}")
    cols[3].markdown(f"**Effectif**  \n{md_escape(c['headcount_label'] or 'Non renseigné')}")
    state = "Active" if c["state"] == "A" else f"Cessée le {fmt.day(c['closed_on'])}"
    st.markdown(f"Créée le {fmt.day(c['created_on'])} · {state} · "
                f"{'secteur numérique' if c['is_tech'] else 'hors secteur numérique'}"
                + (f" · sigle {md_escape(c['sigle'])}" if c["sigle"] else ""))

    st.subheader("Établissements dans le territoire")
    est = queries.establishments_of(snap, typed)
    est["is_head_office"] = est["is_head_office"].map({True: "Siège", False: "Secondaire"})
    est["state"] = est["state"].map({"A": "Actif", "F": "Fermé"})
    st.dataframe(est, hide_index=True, width="stretch", column_config={
        "siret": "SIRET", "name": "Nom", "street_address": "Adresse", "postcode": "Code postal",
        "commune_name": "Commune", "naf_label": "Activité", "headcount_label": "Effectif",
        "is_head_office": "Type", "state": "État",
        "created_on": st.column_config.DateColumn("Création", format="DD/MM/YYYY"),
        "closed_on": st.column_config.DateColumn("Fermeture", format="DD/MM/YYYY")})

    st.subheader("Chronologie")
    tl = queries.timeline(snap, typed)
    if tl.empty:
        st.caption("Aucun événement enregistré.")
    else:
        tl["quoi"] = tl["kind"].map(lambda k: queries.EVENT_LABELS.get(k, k))
        tl["précision"] = [_detail(k, d) for k, d in zip(tl["kind"], tl["details"])]
        tl = _links_only(tl, "evidence")
        st.dataframe(tl[["event_date", "quoi", "précision", "source", "siret", "evidence"]], hide_index=True,
                     width="stretch", column_config={
                         "event_date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
                         "quoi": "Événement", "source": "Source", "siret": "SIRET",
                         "evidence": st.column_config.LinkColumn("Preuve", display_text="voir")})

    notices = queries.optional_rows(snap, "notice", typed)
    st.subheader("Annonces BODACC")
    if notices is None:
        missing_source("BODACC")
    elif notices.empty:
        st.caption("Aucune annonce.")
    else:
        for col in [c for c in notices.columns if "url" in c.lower()]:
            notices[col] = notices[col].map(safe_url)
        st.dataframe(notices, hide_index=True, width="stretch", column_config={
            col: st.column_config.LinkColumn(col, display_text="voir") for col in notices.columns if "url" in col.lower()})

    st.subheader("Presse")
    articles = queries.articles_of(snap, typed)
    if articles is None:
        missing_source("Presse")
    elif articles.empty:
        st.caption("Aucun article.")
    else:
        st.dataframe(_links_only(articles, "url"), hide_index=True, width="stretch",
                     column_config={"url": st.column_config.LinkColumn("Lien", display_text="lire")})

    st.subheader("Finances")
    fin = queries.optional_rows(snap, "company_enrichment", typed)
    if fin is None:
        missing_source("API Recherche d'entreprises")
    elif fin.empty:
        st.caption("Aucune donnée financière connue.")
    else:
        known = [(k, v) for k, v in fin.iloc[0].items() if k != "siren" and _known(v)]
        st.dataframe(pd.DataFrame({"champ": [k for k, _ in known], "valeur": [_value(v) for _, v in known]}),
                     hide_index=True, width="stretch")

    st.subheader("Contacts suggérés")
    intro = queries.introductions_of(snap, typed)
    if intro is None:
        missing_source("Mises en relation")
    elif intro.empty:
        st.caption("Aucune mise en relation suggérée.")
    else:
        intro["fiche"] = "./fiche?siren=" + intro["siren"]
        st.dataframe(intro, hide_index=True, width="stretch",
                     column_config={"fiche": st.column_config.LinkColumn("Fiche", display_text="ouvrir")})
