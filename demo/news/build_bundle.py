"""Writes the demo news bundle (site/): run it to regenerate after editing the stories below."""
import html
import json
import zlib
from pathlib import Path

SITE = Path(__file__).resolve().parent / "site"
B = "{{BASE}}"

A = {  # slug: (title, lead, body paragraphs, date ISO, section, paywalled)
 "issy-data-labs-leve-12-millions": ("Issy Data Labs lève 12 millions d'euros pour son moteur de données",
   "La start-up d'Issy-les-Moulineaux boucle une levée de fonds de 12 millions d'euros auprès de fonds français.",
   ["Issy Data Labs, éditeur d'une plateforme de traitement de données installé à Issy-les-Moulineaux, annonce une levée de fonds de 12 millions d'euros.",
    "L'entreprise compte doubler ses effectifs d'ici deux ans et ouvrir un bureau à Lyon.",
    "Ce tour de table est mené par un fonds parisien, avec la participation de ses investisseurs historiques."],
   "2026-10-06T07:30:00+02:00", "Levées de fonds", False),
 "telecom-horizon-france-recrute": ("Telecom Horizon France recrute 150 ingénieurs à Issy-les-Moulineaux",
   "L'opérateur prévoit 150 recrutements sur son campus des bords de Seine d'ici l'été.",
   ["Telecom Horizon France (THF) recrute 150 ingénieurs réseau et cybersécurité.",
    "Le groupe, installé à Issy-les-Moulineaux depuis 1988, cherche aussi des alternants."],
   "2026-10-08T09:00:00+02:00", "Emploi", False),
 "billancourt-cloud-rachete-nuagique": ("Billancourt Cloud rachète l'éditeur nantais Nuagique",
   "L'hébergeur de Boulogne-Billancourt met la main sur un spécialiste de la sauvegarde.",
   ["Billancourt Cloud rachète Nuagique, une PME nantaise de 40 salariés spécialisée dans la sauvegarde en ligne.",
    "Le montant de l'opération n'a pas été communiqué."],
   "2026-10-14T10:15:00+02:00", "Cloud", True),
 "vanves-software-factory-liquidation": ("Vanves Software Factory placée en liquidation judiciaire",
   "Le tribunal des activités économiques de Nanterre a prononcé la liquidation judiciaire de la jeune société vanvéenne.",
   ["Vanves Software Factory, créée en 2020, n'a pas trouvé de repreneur.",
    "Ses onze salariés seront accompagnés par la ville de Vanves."],
   "2026-10-20T16:45:00+02:00", "Économie", False),
 "atlas-media-logiciels-releve-ses-previsions": ("Atlas Media Logiciels relève ses prévisions annuelles",
   "L'éditeur boulonnais relève ses objectifs après un bon troisième trimestre.",
   ["Atlas Media Logiciels relève ses prévisions de chiffre d'affaires pour l'année.",
    "Le recrutement de ses clients passe désormais par des partenaires intégrateurs."],
   "2026-10-22T08:00:00+02:00", "Logiciels", False),
 "mse-signe-avec-la-sncf": ("Meudon Systèmes Embarqués signe un contrat avec la SNCF",
   "MSE fournira des calculateurs embarqués pour les trains régionaux.",
   ["Meudon Systèmes Embarqués (MSE) équipera 300 rames de ses calculateurs.",
    "L'entreprise meudonnaise emploie 250 personnes."],
   "2026-10-27T11:30:00+01:00", "Industrie", False),
 "seine-ouest-numerique-ouvre-un-lab": ("Seine Ouest Numérique ouvre un laboratoire d'intelligence artificielle",
   "L'ESN d'Issy-les-Moulineaux inaugure un lab dédié à l'IA générative.",
   ["Seine Ouest Numérique (SON) ouvre un laboratoire de 40 personnes.",
    "Son directeur général y voit un moyen d'attirer des talents."],
   "2026-10-29T09:00:00+01:00", "Intelligence artificielle", False),
 "vigilance-orange-hauts-de-seine": ("Vigilance orange aux orages dans les Hauts-de-Seine",
   "Météo-France place le département en vigilance orange jusqu'à jeudi soir.",
   ["Les habitants de Meudon et de Sèvres sont invités à limiter leurs déplacements.",
    "Orange et rouge : les deux niveaux d'alerte les plus élevés."],
   "2026-10-12T18:00:00+02:00", "Météo", False),
 "campus-numerique-boulogne": ("Un accord pour le futur campus numérique de Boulogne-Billancourt",
   "La ville et GPSO signent un accord pour accueillir 40 start-up sur l'île Seguin.",
   ["Le campus accueillera des start-up du numérique et de l'intelligence artificielle à partir de 2028.",
    "Boulogne-Billancourt et Issy-les-Moulineaux concentrent déjà une grande partie des emplois tech du territoire."],
   "2026-10-16T12:00:00+02:00", "Boulogne-Billancourt", False),
}

def page(slug, t, lead, paras, date, section, paywalled):
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": t, "description": lead,
          "datePublished": date, "author": [{"@type": "Person", "name": "Rédaction démo"}],
          "articleSection": section, "isAccessibleForFree": not paywalled, "inLanguage": "fr-FR",
          "mainEntityOfPage": f"{B}/articles/{slug}.html",
          "publisher": {"@type": "Organization", "name": "Presse démo"}}
    ps = "\n".join(f"      <p>{html.escape(p)}</p>" for p in paras)
    pw = '\n    <div class="paywall">Cet article est réservé aux abonnés.</div>' if paywalled else ""
    return f"""<!doctype html>
<html lang="fr-FR">
<head>
  <meta charset="utf-8">
  <title>{html.escape(t)} | Presse démo</title>
  <link rel="canonical" href="{B}/articles/{slug}.html">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{html.escape(t)}">
  <meta property="og:description" content="{html.escape(lead)}">
  <meta property="og:url" content="{B}/articles/{slug}.html">
  <meta property="article:published_time" content="{date}">
  <meta property="article:section" content="{html.escape(section)}">
  <script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head>
<body>
  <nav><a href="/">Accueil</a></nav>
  <article>
    <h1>{html.escape(t)}</h1>
    <p class="chapo">{html.escape(lead)}</p>
{ps}{pw}
  </article>
  <footer>Presse démo — contenu synthétique</footer>
</body>
</html>
"""

for slug, v in A.items():
    (SITE / "articles" / f"{slug}.html").write_text(page(slug, *v), encoding="utf-8")
(SITE / "private" / "brouillon.html").write_text(page("brouillon", "Brouillon interne", "Ne pas publier.", ["Brouillon."], "2026-10-01T00:00:00Z", "Interne", False).replace("/articles/brouillon.html", "/private/brouillon.html"), encoding="utf-8")

from datetime import datetime
from email.utils import format_datetime


def rfc822(d): return format_datetime(datetime.fromisoformat(d))

def wp_item(slug, utm=""):
    t, lead, paras, d, sec, _ = A[slug]
    return f"""  <item>
   <title>{html.escape(t)}</title>
   <link>{B}/articles/{slug}.html{utm}</link>
   <dc:creator><![CDATA[Rédaction démo]]></dc:creator>
   <pubDate>{rfc822(d)}</pubDate>
   <category><![CDATA[{sec}]]></category>
   <guid isPermaLink="false">{B}/?p={zlib.crc32(slug.encode()) % 100000}</guid>
   <description><![CDATA[<p>{lead}</p>]]></description>
   <content:encoded><![CDATA[{''.join('<p>'+p+'</p>' for p in paras)}]]></content:encoded>
  </item>"""

hostile = f"""  <item>
   <title><![CDATA[<img src=x onerror=alert(1)>Seine Ouest Numérique recrute des développeurs {{{{ 7*7 }}}}<script>alert(1)</script>]]></title>
   <link>{B}/articles/seine-ouest-numerique-ouvre-un-lab.html?utm_source=rss&amp;utm_medium=feed#comments</link>
   <pubDate>Thu, 29 Oct 2026 08:00:00 +0000</pubDate>
   <description><![CDATA[<svg onload=alert(1)>L'ESN recrute. <a href="javascript:alert(1)">voir</a> <a href="data:text/html,x">x</a>]]></description>
  </item>
  <item>
   <title>Lien piégé</title>
   <link>javascript:alert(1)</link>
   <pubDate>Thu, 29 Oct 2026 08:00:00 +0000</pubDate>
  </item>
  <item>
   <title>Brouillon interne</title>
   <link>{B}/private/brouillon.html</link>
   <pubDate>Thu, 01 Oct 2026 08:00:00 +0000</pubDate>
   <description>Une page que robots.txt interdit : elle n'est jamais demandée.</description>
  </item>"""

def wordpress(title, link, slugs, extra=""):
    items = "\n".join(wp_item(s) for s in slugs)
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>
<channel>
 <title>{title}</title>
 <atom:link href="{link}" rel="self" type="application/rss+xml" />
 <link>{B}</link>
 <description>Flux de démonstration (contenu synthétique)</description>
 <lastBuildDate>Fri, 30 Oct 2026 09:00:00 +0000</lastBuildDate>
 <language>fr-FR</language>
 <sy:updatePeriod>hourly</sy:updatePeriod>
 <generator>https://wordpress.org/?v=6.6</generator>
{items}
{extra}
</channel>
</rss>
"""

(SITE / "feeds" / "maddyness.xml").write_text(wordpress("Maddyness (démo)", f"{B}/feeds/maddyness.xml", ["issy-data-labs-leve-12-millions", "billancourt-cloud-rachete-nuagique", "atlas-media-logiciels-releve-ses-previsions"], hostile), encoding="utf-8")
# actu.fr city feed: WordPress-like, CRLF line endings and a BOM, one item re-published with tracking tags.
actu = wordpress("actu.fr Issy-les-Moulineaux (démo)", f"{B}/feeds/actu-issy-les-moulineaux.xml", ["telecom-horizon-france-recrute", "seine-ouest-numerique-ouvre-un-lab", "vanves-software-factory-liquidation", "vigilance-orange-hauts-de-seine"])
(SITE / "feeds" / "actu-issy-les-moulineaux.xml").write_bytes(b"\xef\xbb\xbf" + actu.replace("\n", "\r\n").encode("utf-8"))

def atom_entry(slug):
    t, lead, paras, d, sec, _ = A[slug]
    return f"""  <entry>
    <title type="html">{html.escape(t)}</title>
    <link rel="alternate" type="text/html" href="{B}/articles/{slug}.html"/>
    <id>{B}/?p={zlib.crc32(slug.encode()) % 100000}</id>
    <updated>{d}</updated>
    <published>{d}</published>
    <author><name>Rédaction démo</name></author>
    <category term="{html.escape(sec)}"/>
    <summary type="html">{html.escape('<p>' + lead + '</p>')}</summary>
  </entry>"""
(SITE / "feeds" / "siecle-digital.atom").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr-FR">
  <title type="text">Siècle Digital (démo)</title>
  <subtitle type="text">Flux de démonstration (contenu synthétique)</subtitle>
  <updated>2026-10-30T09:00:00Z</updated>
  <link rel="alternate" type="text/html" href="{B}"/>
  <id>{B}/feeds/siecle-digital.atom</id>
  <link rel="self" type="application/atom+xml" href="{B}/feeds/siecle-digital.atom"/>
{chr(10).join(atom_entry(s) for s in ["billancourt-cloud-rachete-nuagique", "mse-signe-avec-la-sncf", "campus-numerique-boulogne"])}
</feed>
""", encoding="utf-8")

# Le Parisien (Arc XP outbound feed): RSS 2.0 core with dc:creator, media:content, and a lightly edited re-write
# of the Issy Data Labs dispatch under its own URL (a near-duplicate: same story).
def arc_item(slug, url_slug, title, lead):
    d = A[slug][3]
    return f"""<item><title><![CDATA[{title}]]></title><link>{B}/hauts-de-seine-92/{url_slug}/</link><guid isPermaLink="true">{B}/hauts-de-seine-92/{url_slug}/</guid><dc:creator><![CDATA[Le Parisien démo]]></dc:creator><description><![CDATA[{lead}]]></description><pubDate>{rfc822(d)}</pubDate><media:content type="image/jpeg" url="{B}/img/{url_slug}.jpg"/></item>"""
arc = f"""<?xml version="1.0" encoding="UTF-8"?><rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" version="2.0"><channel><title><![CDATA[Le Parisien - Hauts-de-Seine (démo)]]></title><link>{B}</link><atom:link href="{B}/arc/outboundfeeds/rss/category/hauts-de-seine-92.xml" rel="self" type="application/rss+xml"/><description><![CDATA[Flux de démonstration (contenu synthétique)]]></description><lastBuildDate>Fri, 30 Oct 2026 09:00:00 +0000</lastBuildDate><language>fr</language><ttl>1</ttl><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>"""
arc += arc_item("issy-data-labs-leve-12-millions", "issy-les-moulineaux-issy-data-labs-leve-12-millions-d-euros-06-10-2026-ABCD123", "Issy-les-Moulineaux : Issy Data Labs lève 12 millions d'euros pour son moteur de données", "La start-up d'Issy-les-Moulineaux boucle une levée de fonds de 12 millions d'euros auprès de fonds français.")
arc += arc_item("vanves-software-factory-liquidation", "vanves-la-societe-vanves-software-factory-en-liquidation-judiciaire-20-10-2026-EFGH456", "Vanves : la société Vanves Software Factory en liquidation judiciaire", "Le tribunal des activités économiques de Nanterre a prononcé la liquidation judiciaire de la jeune société.")
arc += arc_item("vigilance-orange-hauts-de-seine", "hauts-de-seine-les-oranges-du-marche-de-sevres-12-10-2026-IJKL789", "Sèvres : au marché, les oranges d'Espagne font le plein", "Les maraîchers de Sèvres vendent des oranges et des clémentines à prix doux.")
arc += "</channel></rss>"
(SITE / "feeds" / "hauts-de-seine-92.xml").write_text(arc, encoding="utf-8")

# Google News search RSS: links carry tracking parameters; titles end with " - <source>".
gn_items = []
for slug, src in [("campus-numerique-boulogne", "Presse démo"), ("issy-data-labs-leve-12-millions", "Maddyness")]:
    t, lead, paras, d, sec, _ = A[slug]
    gn_items.append(f"""<item><title>{html.escape(t)} - {src}</title><link>{B}/articles/{slug}.html?utm_source=google&amp;utm_medium=news&amp;gclid=abc</link><guid isPermaLink="false">CBMi{zlib.crc32(slug.encode()) % 10**8}</guid><pubDate>{rfc822(d)}</pubDate><description>{html.escape('<a href="' + B + '/articles/' + slug + '.html">' + t + '</a>&nbsp;&nbsp;<font color="#6f6f6f">' + src + '</font>')}</description><source url="{B}">{src}</source></item>""")
(SITE / "feeds" / "google-news-boulogne.xml").write_text(f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><generator>NFE/5.0</generator><title>"Boulogne-Billancourt" startup - Google Actualités (démo)</title><link>https://news.google.com/search?q=%22Boulogne-Billancourt%22+startup&amp;hl=fr&amp;gl=FR&amp;ceid=FR:fr</link><language>fr</language><webMaster>news-webmaster@google.com</webMaster><copyright>Copyright © 2026 Google. All rights reserved.</copyright><lastBuildDate>Fri, 30 Oct 2026 09:00:00 GMT</lastBuildDate><description>Google Actualités</description>{''.join(gn_items)}</channel></rss>""", encoding="utf-8")
print("ok")
