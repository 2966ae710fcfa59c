"""Word lists the company linker reads an article with: what makes a name ambiguous (a French word, a first name,
a surname, a place), what says "a company" around a name (designations, business verbs, the sector's words, the
territory), and what says "something else" (a person, a club, a unit, another unit of the same group).

Every list holds folded tokens (lower case, no accents: transforms.names.fold). The French vocabulary comes from
simplemma's French dictionary (about 250,000 inflected forms) and pyspellchecker's French word list (140,000 words
of current use, invariable words and adverbs included: "atlas", "progrès"); the rest is written here, generic and
short.
"""

from __future__ import annotations

from functools import lru_cache

from transforms.names import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(text).split())


@lru_cache(maxsize=1)
def french_words() -> frozenset[str]:
    """Every French word either list knows, folded ("élan" -> "elan"). Loaded once, in about a second."""
    import gzip
    import json
    from importlib import resources

    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    forms = list(DefaultDictionaryFactory().get_dictionary("fr").keys())
    with resources.files("spellchecker").joinpath("resources/fr.json.gz").open("rb") as fh:
        forms += list(json.loads(gzip.decompress(fh.read())))
    table = str.maketrans({c: fold(chr(c)) for c in range(0xC0, 0x250)})  # Latin accents without NFKD
    words = {k if k.isascii() else k.translate(table) for k in forms if k[:1].islower()}
    return frozenset(w for w in words if w.isascii() and w.isalpha())


# English words that company names borrow and French readers know as words.
ENGLISH_WORDS = _words("""
free smart open easy fast quick simple clear bright happy green blue red black white gold silver best top new one
first next prime max plus pro star sun moon sky cloud data tech digital lab labs bridge link hub box shop market pay
bank play game home work life care up go big little good great north south east west key bee hive wave spark
""")

STOPWORDS = _words("""
le la les l de d du des un une et en a au aux sur pour par avec sans sous dans chez the of and & y
""")
# Determiners right before a single-word name make it a common noun or a nickname ("le Kiwi", "l'Élan").
DETERMINERS = _words("le la les l un une des du ce cet cette ces son sa ses leur leurs notre nos votre vos mon ma mes")
PLURAL_DETERMINERS = _words("les des ces nos vos leurs plusieurs certaines certains quelques nombreuses nombreux")

# Stripped from the end of a legal name to get the name the press uses ("CISCO SYSTEMS FRANCE" -> "cisco"): a
# country or region, a generic activity word. Never stripped when what remains would be no name of its own.
COUNTRY_WORDS = _words("""
france francaise fr europe european europeenne emea international internationale worldwide global idf
paris
""")
GENERIC_WORDS = _words("""
systems systemes system systeme technologies technology technologie technologique solutions solution services
service group groupe holding holdings consulting conseil conseils software softwares digital numerique industries
industrie industry entreprises enterprise company companies corporation corp partners partenaires business
management participations investissements investments developpement development networks network reseaux
communications communication media medias engineering ingenierie informatique logiciels logiciel labs lab cloud
data interactive innovation innovations operations
""")
# Capitalised right after a brand, one of these names another unit of the group ("Capgemini Engineering").
UNIT_WORDS = GENERIC_WORDS | _words("""
assurances assurance bank banque capital ventures finance financement invest energie energy health sante mobility
mobilite retail immobilier real estate foundation fondation research recherche academy studios studio pay payments
""")
FOREIGN_PLACES = _words("""
afrique africa asie asia amerique america americas usa us uk allemagne germany espagne spain italie italy belgique
belgium suisse switzerland canada quebec chine china japon japan inde india maroc morocco tunisie algerie senegal
cote ivoire nigeria bresil brazil mexique royaume luxembourg netherlands portugal pologne middle east
orient pacifique latam apac benelux nordics
""")

# What the press calls a company: "la start-up Kiwi", "l'éditeur sévrien Girard", "Girard, l'éditeur de ...".
DESIGNATIONS = _words("""
societe societes entreprise entreprises start startup pousse pepite editeur editrice operateur groupe
filiale esn ssii cabinet bureau agence hebergeur fabricant constructeur equipementier electronicien industriel pme
tpe eti specialiste leader embouteilleur transporteur logisticien banque neobanque assureur chaine plateforme
application appli marque enseigne fournisseur prestataire integrateur distributeur laboratoire spin scale
licorne firme holding concepteur champion acteur regie geant numero maison developpeur neo compagnie motoriste
avionneur petrolier armateur courtier grossiste negociant promoteur bailleur fonciere energeticien exploitant
gestionnaire concessionnaire loueur amenageur diffuseur producteur cimentier verrier semencier parfumeur joaillier
horloger lunetier imprimeur pionnier brasseur chimiste laboratoire traitant fintech healthtech edtech
legaltech proptech insurtech foodtech greentech cleantech agritech medtech deeptech martech adtech biotech
""")
# Words in an apposition that make the name a unit of a group rather than the group ("Capgemini Invent, la
# branche ...").
BRANCH_WORDS = _words("branche division pole entite departement unite activite")
# Verbs and verb phrases of a company as subject ("Kiwi lève", "Girard a racheté", "Élan recrute").
COMPANY_VERBS = _words("""
leve levent leve levee boucle recrute recrutent embauche embauchent rachete rachetent acquiert absorbe fusionne
cede signe signent lance lancent ouvre ferme annonce devoile inaugure emmenage demenage revendique emploie compte
realise prevoit vise cherche decroche remporte equipe concoit developpe edite commercialise vend propose nomme
investit mise accelere grossit grandit double triple licencie supprime deploie affiche publie enregistre depasse
franchit etend poursuit obtient change fait offre sort livre exploite installe implante rejoint fete souffle
celebre confirme maintient relance reprend renforce mesure surveille aide permet veut fabrique produit assemble
releve abaisse revoit detaille table gagne perd chute bondit recule progresse depose degage totalise
leve rachete acquis signe lance ouvert annonce devoile inaugure realise prevu decroche remporte concu developpe
vendu propose nomme investi licencie supprime deploye publie obtenu offert installe implante fabrique cede boucle
recrute embauche commande gere opere dessert transporte distribue construit achete loue fournit assure finance
accompagne regroupe federe
""")
AUXILIARIES = _words("a va vient de d avait aura doit entend est sera s se n ne peut pourrait compte veut")
# Before the name, these make it a company in the sentence's business ("le rachat de Kiwi", "chez Élan").
COMPANY_CONTEXT_BEFORE = _words("""
rachat acquisition clients client partenariat fondateur cofondateur cofondatrice fondatrice dirigeant dirigeante
president presidente pdg patron patronne salaries capital actionnaire actionnaires investisseurs chez rejoins
rejoint contrat accord equipes directeur directrice offre offres logiciel solution plateforme boitiers capteurs
""")
# Business vocabulary anywhere in the article: counted, never enough alone.
BUSINESS_WORDS = _words("""
leve levee fonds tour table serie millions milliard euros rachat acquisition recrute recrutement recrutements
embauche postes chiffre affaires clients salaries startup start pousse investisseurs valorisation directeur
dirigeant pdg actionnaires bourse contrat partenariat lance croissance strategie entreprise societe marche
liquidation redressement tribunal commerce cofondateur fondateur effectifs emploie emplois cdi logiciel plateforme
""")

# A person: before the name (a title, a role), after it (", 23 ans", an apposition), or the article's subject.
PERSON_TITLES = _words("m mme mlle mr dr me lord sir saint sainte prince princesse roi reine famille madame monsieur")
PERSON_NOUNS = _words("""
acteur actrice chanteur chanteuse joueur joueuse ailier arriere meneur milieu attaquant defenseur gardien
entraineur eleve lyceen lyceenne collegien collegienne etudiant etudiante fillette garcon enfant bebe pharmacien
pharmacienne medecin chef cuisinier maire adjoint adjointe depute deputee senateur senatrice ministre ecrivain
ecrivaine artiste peintre sportif sportive championne escrimeur escrimeuse licencie licenciee retraite retraitee
habitant habitante agriculteur maraicher physicien physicienne mathematicien chercheur chercheuse romancier
romanciere realisateur realisatrice comedien comedienne musicien musicienne danseur danseuse coureur coureuse
nageur nageuse pilote auteur autrice epouse mari veuve fils fille frere soeur pere mere
petite petit jeune lycee
""")
NAME_TOPIC_WORDS = _words("prenom prenoms patronyme patronymes genealogie homonyme homonymes")
# Before the name, these make it the name of something that is not a company.
OTHER_THING_NOUNS = _words("""
club festival association fete salon exposition expo programme projet film serie roman livre album chanson bateau
cotre voilier navire equipe stade salle theatre musee parc rue avenue boulevard place quartier operation plan
dispositif label prix trophee concours tournoi championnat mission fusee restaurant trattoria cafe residence ecole
lycee college universite eglise cinema magazine emission rubrique oiseau espece chien chat cheval vache race
cepage variete couleur teinte nuance recette plat arena stadium velodrome dome territoire ville commune departement
region agglomeration metropole vallee foret riviere fleuve ile pont gare zone
""")

# First names and surnames frequent in France (a name that is also one of these needs evidence to be a company).
FIRST_NAMES = _words("""
aaron abdel adam adele adrien agathe agnes ahmed aicha alain alan albert alex alexandra alexandre alexis alice
aline alix amandine amelie amir amine anais andre andrea ange angele angelique anne annie anthony antoine
antonin apolline ariane arnaud arthur audrey augustin aurelie aurelien axel baptiste barbara basile bastien
beatrice benjamin benoit bernard bertrand blanche brigitte bruno camille capucine carla carole caroline catherine
cecile celia celine chantal charles charlotte chloe christelle christian christine christophe claire clara clarisse
claude clement clementine colette coline constance corentin cyril damien daniel danielle david delphine denis
diane didier dominique dorian dylan edouard eleonore elias elie elisa elisabeth elise eliott ella elodie eloise
elsa emile emilie emma emmanuel emmanuelle enzo eric estelle ethan etienne eugenie eva evan eve fabien fabrice
fanny fatima felix fernand flavie florence florian francis francois francoise frederic gabin gabriel gabrielle
gael gaelle gaspard genevieve georges gerard gilles gisele gregoire guillaume gustave guy helene henri herve
hortense hugo ibrahim ines irene isabelle jacqueline jacques jade james jean jeanne jeremy jerome joel johanna
jonathan jordan joseph josephine josette juliette jules julia julie julien justine karim karine kelly kelvin
kevin kylian laetitia lana laura laure laurence laurent lea lea leila lena leo leon leonard leonie lilou lina
lisa lola lou louis louise luc luca lucas lucie lucien lucile ludovic lydie madeleine mael maelle maelys magali
malo manon marc marcel margaux margot marguerite maria marianne marie marine marion martine mathias mathilde
mathis matteo matthieu maud maurice maxence maxime mehdi melanie melissa michel michele mickael mila milo mohamed
monique morgane murielle myriam nadia nadine nael nathalie nathan nicolas nina noah noe noemie nolan oceane odile
olivia olivier oscar pascal pascale patrice patricia patrick paul pauline philippe pierre quentin rachel raphael
regis remi renee robert robin rodolphe romain romane rose sabine sacha salome samuel sandrine sarah sebastien
serge simon simone solene sophie stephane stephanie suzanne sylvain sylvie tess theo thibault thierry thomas
timeo timothee tom tristan valentin valentine valerie vanessa victor victoire vincent violette virginie xavier
yanis yann yannick yasmine yves yvette yvonne zoe john james michael william mark steve steven peter elon jeff bill
tim satya sundar mary jennifer linda susan jessica emily anna maria jose juan carlos luis ali omar mohammed ahmed
george harry jack oliver charlie emma olivia sophia mia isabella ava mike tony bob larry sergey mark marc
""")
SURNAMES = _words("""
martin bernard thomas petit robert richard durand dubois moreau laurent simon michel lefebvre leroy roux david
bertrand morel fournier girard bonnet dupont lambert fontaine rousseau vincent muller lefevre faure andre mercier
blanc guerin boyer garnier chevalier francois legrand gauthier garcia perrin robin clement morin nicolas henry
roussel mathieu gautier masson marchand duval denis dumont marie lemaire noel meyer dufour meunier brun blanchard
giraud joly riviere lucas brunet gaillard barbier arnaud martinez gerard roche renard schmitt roy leroux colin
vidal caron picard roger fabre aubert lemoine renaud dumas lacroix olivier philippe bourgeois pierre benoit rey
leclerc payet rolland leclercq guillaume lecomte lopez jean dupuy guillot hubert berger carpentier sanchez dupuis
moulin louis deschamps huet vasseur perez boucher fleury royer klein jacquet adam paris poirier marty aubry guyot
carre charles renault charpentier menard maillard baron bertin bailly herve schneider fernandez gall collet leger
bouvier julien prevost millet perrot daniel cousin germain breton besson langlois remy goff pelletier leveque
perrier leblanc barre lebrun marchal weber mallet hamon boulanger jacob monnier michaud rodriguez guichard gillet
etienne grondin poulain tessier chevallier collin chauvin silva bouchet gay lemaitre benard marechal humbert
reynaud antoine hoarau perret barthelemy cordier pichon lejeune gilbert lamy delaunay pasquier carlier laporte
delmas turing walker moore cohen levy benoit lemaire bouvet tanguy texier hardy guillon lebon leduc raynaud
""")

# Inhabitants of the communes the linker is most often run for (the default territory) and of large cities.
DEMONYMS = {
    "boulogne billancourt": _words("boulonnais boulonnaise boulonnaises"),
    "issy les moulineaux": _words("isseen isseenne isseens isseennes"),
    "meudon": _words("meudonnais meudonnaise meudonnaises"),
    "sevres": _words("sevrien sevrienne sevriens sevriennes"),
    "vanves": _words("vanveen vanveenne vanveens vanveennes"),
    "chaville": _words("chavillois chavilloise chavilloises"),
    "marnes la coquette": _words("marnois marnoise marnoises"),
    "ville d avray": _words("dagovericien dagovericienne dagovericiens dagovericiennes"),
    "paris": _words("parisien parisienne parisiens parisiennes"),
    "lyon": _words("lyonnais lyonnaise lyonnaises"),
    "nantes": _words("nantais nantaise nantaises"),
}

# Acronyms that are ordinary words of French business writing: as a company's sigle they need evidence.
COMMON_ACRONYMS = _words("""
dsi eti pme tpe rh drh daf dg pdg ceo cto cfo coo cmo ia it btp tva ca esn ssii cdi cdd rse rgpd api saas b2b b2c
onu ue pib ipo opa smic rsa caf erp crm vtc poc kpi roi sig dpo rssi cse ag ago age seo sem ux ui pc tv 5g 4g
""")

# Words of a sector, by NAF division (the first two digits): around a name, they say "this company".
SECTOR_WORDS = {division: _words(words) | {w + "s" for w in _words(words)} for division, words in {
    "10": "alimentaire aliments produits usine", "11": "boissons soda sodas embouteilleur canettes bouteilles",
    "26": "electronique capteur capteurs composants circuits cartes semiconducteurs puces mesure instruments "
          "electronicien thermique",
    "27": "eclairage lampe lampes led batteries electrique cables luminaires lampadaires moteurs",
    "29": "automobile voitures vehicules constructeur", "30": "ferroviaire trains aeronautique avions",
    "35": "energie electricite renouvelable solaire", "41": "construction batiment chantier travaux",
    "46": "equipementier materiel equipements distributeur grossiste reseaux smartphone smartphones serveurs "
          "routeurs telecoms",
    "47": "magasin magasins boutique boutiques enseigne commerce vente",
    "49": "transport transports trains bus", "52": "logistique colis livraison livraisons entrepot transporteur "
                                                    "fret consignes",
    "53": "colis courrier livraison", "55": "hotel hotels hotelier hotellerie chambres tourisme",
    "58": "editeur logiciel logiciels edition application applications plateforme saas abonnement abonnements "
          "licences",
    "59": "production film films serie series tournage cinema studio",
    "60": "chaine chaines television audience audiences antenne diffusion programmes radio telespectateurs "
          "abonnes",
    "61": "operateur telecoms telecom fibre reseau mobile satellite satellites abonnes forfait connectivite "
          "raccordement orbite",
    "62": "logiciel logiciels developpeurs informatique numerique esn conseil integration cybersecurite cloud "
          "donnees data ia intelligence plateforme saas application startup ingenieurs infogerance consultants",
    "63": "hebergement hebergeur datacenter donnees cloud serveurs plateforme portail information archivage",
    "64": "banque bancaire credit comptes paiement fintech epargne financement tresorerie",
    "65": "assurance assureur contrats sinistres", "66": "courtier bourse investissement gestion",
    "68": "immobilier bureaux logements fonciere", "69": "cabinet avocats comptable audit",
    "70": "holding groupe filiales conseil", "71": "ingenierie etudes calcul simulation mesures controle essais "
                                                     "acoustique ingenieurs bruit",
    "72": "recherche laboratoire brevets chercheurs", "73": "publicite regie annonceurs campagne marketing agence",
    "78": "recrutement interim emploi candidats", "82": "externalisation paie services partages",
    "85": "formation ecole eleves etudiants cours edtech lycees", "86": "sante medecins patients soins clinique",
    "92": "jeux loterie paris joueurs grattage mises", "95": "reparation depannage maintenance",
}.items()}
