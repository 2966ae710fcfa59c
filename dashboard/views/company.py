"""Fiche entreprise: identity, establishments in the territory, timeline with evidence, BODACC notices, press,
finances, suggested contacts."""

import json

import streamlit as st

from dashboard import company_queries as q
from dashboard import fmt, queries
from dashboard.text import md_escape, safe_url
from dashboard.ui import date_column, not_collected, page_header, read_filters, snapshot, table
from radar.labels import EVENT_KINDS, EVENT_SOURCES, LEGAL_FORM_STATUSES, MENTION_METHODS, word


def _detail(kind: str, row, bands: dict) -> str:
    """What changed, in words: from where, to where, which band, which activity."""
    d = json.loads(row.details) if isinstance(row.details, str) else (row.details or {})
    if kind == "move_in" and d.get("from_commune"):
        return f"depuis {row.from_commune_name or d['from_commune']}"
    if kind == "move_out" and d.get("to_commune"):
        return f"vers {row.to_commune_name or d['to_commune']}"
    if kind == "headcount_change":
        return f"{bands.get(d.get('from_band'), '?')} → {bands.get(d.get('to_band'), '?')}"
    if kind == "sector_change":
        return f"code d'activité {d.get('from_naf') or '?'} → {d.get('to_naf') or '?'}"
    return ""


def _legal_form(c: dict) -> str:
    if c["legal_form"] is None:
        return "–"
    if c["legal_form_status"] == "unknown":
        return f"code {c['legal_form']} ({LEGAL_FORM_STATUSES['unknown']})"
    label = c["legal_form_label"]
    return label + (" (code supprimé par l'INSEE)" if c["legal_form_status"] == "retired" else "")


def _links(df, column: str):
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
    c = q.company(snap, typed)
    if c is None:
        st.warning("Ce SIREN n'est pas dans l'instantané du territoire.")
        st.stop()
    runs = queries.successful_runs(snap)

    st.header(md_escape(c["display_name"]))
    cols = st.columns(4)
    cols[0].markdown(f"**SIREN**  \n{c['siren']}")
    cols[1].markdown(f"**Forme juridique**  \n{md_escape(_legal_form(c))}")
    cols[2].markdown(f"**Activité**  \n{md_escape(c['naf_code'] or '–')} – {md_escape(c['naf_label'] or '')}")
    cols[3].markdown(f"**Effectif**  \n{md_escape(c['headcount_label'] or 'Non renseigné')}")
    state = "Active" if c["state"] == "A" else f"Cessée le {fmt.day(c['closed_on'])}"
    other_name = c["name"] and c["name"] != c["display_name"]
    st.markdown(f"Créée le {fmt.day(c['created_on'])} · {state} · "
                f"{'secteur numérique' if c['is_tech'] else 'hors secteur numérique'}"
                + (f" · dénomination {md_escape(c['name'])}" if other_name else "")
                + (f" · sigle {md_escape(c['sigle'])}" if c["sigle"] else ""))

    st.subheader("Établissements dans le territoire")
    est = q.establishments_of(snap, typed)
    est["is_head_office"] = est["is_head_office"].map({True: "Siège", False: "Secondaire"})
    est["state"] = est["state"].map({"A": "Actif", "F": "Fermé"})
    table(est, {"siret": "SIRET", "sign": "Enseigne", "street_address": "Adresse", "postcode": "Code postal",
                "commune_name": "Commune", "naf_label": "Activité", "headcount": "Effectif", "is_head_office": "Type",
                "state": "État", "created_on": date_column("Création"), "closed_on": date_column("Fermeture")})

    st.subheader("Chronologie")
    tl = q.timeline(snap, typed)
    if tl.empty:
        st.caption("Aucun événement enregistré.")
    else:
        tl["quoi"] = tl["kind"].map(lambda k: word(EVENT_KINDS, k))
        band_labels = dict(zip(*(queries.bands(snap)[c] for c in ("code", "short_label"))))
        tl["precision"] = [_detail(k, row, band_labels) for k, row in zip(tl["kind"], tl.itertuples())]
        tl["origine"] = tl["source"].map(lambda s: word(EVENT_SOURCES, s))
        table(_links(tl, "evidence"), {
            "event_date": date_column("Date"), "quoi": "Événement", "precision": "Précision", "origine": "Source",
            "siret": "SIRET", "evidence": st.column_config.LinkColumn("Preuve", display_text="voir")})

    st.subheader("Annonces BODACC")
    notices = q.notices(snap, typed)
    if notices.empty:
        not_collected("Annonces BODACC", runs.get("api_bodacc", 0))
    else:
        notices["notice_type"] = notices["notice_type"].map(
            {"initial": "annonce", "rectificatif": "rectificatif", "annulation": "annulation"})
        notices["is_cancelled"] = notices["is_cancelled"].map({True: "annulée ou rectifiée", False: "en vigueur"})
        table(_links(notices, "url"), {
            "published_on": date_column("Publiée le"), "family_label": "Famille", "notice_type": "Type",
            "judgment_nature": "Jugement", "procedure": "Procédure", "tribunal": "Greffe",
            "is_cancelled": "Statut", "url": st.column_config.LinkColumn("Annonce", display_text="voir")})

    st.subheader("Presse")
    articles = q.articles_of(snap, typed)
    if articles.empty:
        not_collected("Presse", runs.get("news", 0))
    else:
        articles["method"] = articles["method"].map(lambda m: f"reconnue par {MENTION_METHODS.get(m, m)}" if m else "")
        table(_links(articles, "url"), {"published_at": date_column("Publié le"), "title": "Titre",
                                        "method": "Lien avec l'entreprise",
                                        "url": st.column_config.LinkColumn("Article", display_text="lire")})

    st.subheader("Finances")
    found = q.enrichment(snap, typed)
    if found is None:
        not_collected("API Recherche d'entreprises", runs.get("api_recherche", 0))
    else:
        years = q.finance_years(found)
        if years.empty:
            st.caption("Aucun compte publié.")
        else:
            years["year"] = years["year"].astype(str)  # a year, not a number: « 2023 », never « 2 023 »
            years["revenue"] = years["revenue"].map(fmt.euros)
            years["net_result"] = years["net_result"].map(fmt.euros)
            table(years, {"year": "Exercice", "revenue": "Chiffre d'affaires", "net_result": "Résultat net"})
        facts = []
        if found["categorie_entreprise"]:
            facts.append(f"catégorie {found['categorie_entreprise']}"
                         + (f" ({found['annee_categorie_entreprise']})" if found["annee_categorie_entreprise"] else ""))
        if found["nombre_etablissements_ouverts"] is not None:
            facts.append(f"{fmt.number(found['nombre_etablissements_ouverts'])} établissement(s) ouvert(s) en France")
        if found["dirigeants_count"] is not None:
            facts.append(f"{fmt.number(found['dirigeants_count'])} dirigeant(s)")
        facts += q.flags(found)
        if facts:
            st.caption(md_escape(" · ".join(facts)))

    st.subheader("Contacts suggérés")
    intro = q.introductions_of(snap, typed)
    if intro.empty:
        st.caption("Aucune mise en relation suggérée pour cette entreprise.")
    else:
        intro["fiche"] = "./fiche?siren=" + intro["siren"]
        table(intro, {"month": st.column_config.DateColumn("Mois", format="MM/YYYY"), "name": "Entreprise",
                      "naf_label": "Activité", "reason": st.column_config.TextColumn("Pourquoi", width="large"),
                      "fiche": st.column_config.LinkColumn("Fiche", display_text="ouvrir")})
