"""The hand-written cases of the search-by-meaning evaluation (``bench.meaning_eval``): English
descriptions and paraphrases of the seed's six statements (stored in German), English
paraphrases of German politicians' tweets and German paraphrases of Trump's tweets. Each
names its statement by citation ID (seed) or by the tweet's platform ID (corpora); none
copies the stored words."""

from __future__ import annotations

# (query, citation ID): the seed collection, found in the top 3 on the seed alone
SEED_CASES = (
    ("difficult decision to leave OpenAI", "FGPN-RXWX"),
    ("I am leaving OpenAI to focus on AI alignment at Anthropic", "FGPN-RXWX"),
    ("Schulman joins Anthropic to get back to hands-on technical work", "FGPN-RXWX"),
    ("not leaving because of a lack of support for alignment research", "FGPN-RXWX"),
    ("thank you for everything you did for OpenAI, we will miss you", "EGYN-534B"),
    ("Altman remembers meeting John in a cafe in Berkeley in 2015", "EGYN-534B"),
    ("an outstanding researcher and a good friend to all of us", "EGYN-534B"),
    ("it seems absurd to talk about artificial general intelligence now, but it is reasonable",
     "N92U-REDF"),
    ("important to talk about AGI even if it sounds crazy", "N92U-REDF"),
    ("taking a sabbatical until the end of the year", "M53G-3GCT"),
    ("first chance to relax since cofounding OpenAI nine years ago", "M53G-3GCT"),
    ("Greg Brockman takes a year off", "M53G-3GCT"),
    ("we know what happens after a long break", "N5NT-5ZJF"),
    ("imagine Musk told everyone he was taking four months off, the world would end",
     "MJF5-GVT6"),
)

# (English query, platform ID of a German politician's tweet)
EN_TO_DE = (
    ("The attack at Kabul airport is horrifying, we remember the victims", "1430988894296809472"),
    ("Lancet study: in the second wave the lockdown in the east did little until shops and"
     " schools closed", "1409484514917814277"),
    ("Bundestag and Bundesrat must cooperate more closely, as we wish for Europe",
     "1283810702541697030"),
    ("if we neither test nor vaccinate children, the unspoken strategy is to let Delta run"
     " through them", "1411975766636703744"),
    ("equal pay must be enforceable; outrageous that the broadcaster punishes the plaintiff"
     " with a transfer", "1276085311265792000"),
    ("the CDU presents its campaign; the circle is the perfect symbol of the party's"
     " programme", "1412356591676973056"),
    ("women deserve the same wages for the same work, much remains to be done",
     "1329854781586890756"),
    ("a shop-window motion without substance about six-hour shifts in nursing",
     "1261305273240739842"),
    ("over 49 million citizens have had at least one vaccine dose, please take up the offer",
     "1415232647597539328"),
    ("Brazil rises against the coup of the supreme court, which arrests journalists and"
     " members of parliament", "1435128738228969473"),
    ("the hospitalisation rate is calculated too low because of a data error at the Robert"
     " Koch Institute", "1437845712000200718"),
    ("Bulgaria will block North Macedonia from joining the EU", "1321065657501392898"),
    ("UNICEF says child labour has risen worldwide for the first time in twenty years",
     "1403248618786721795"),
    ("people switch to the train when the wifi works; towns should approve phone masts faster",
     "1407702056467677186"),
    ("capping direct mandates is the best way to stop parliament from growing ever larger",
     "1260935641174425600"),
    ("sanctions against Russia over Navalny are useless and superfluous", "1354419575778119680"),
    ("happy birthday to the mouse, a fast story about the hyperloop", "1368521181234597888"),
    ("the incidence alone should no longer be the main measure of the corona situation, we"
     " need a mix of criteria", "1420667041011445760"),
    ("Söder finds comparisons with Sophie Scholl outrageous and embarrassing",
     "1332305185092333569"),
    ("the supply chain law is a death sentence for the German economy", "1360173554218766336"),
    ("remind the Christian parties of the commandment not to bear false witness against"
     " your neighbour", "1436315732044877828"),
    ("Paul Offit, a leading vaccine researcher, says side effects show up early",
     "1411727823614746626"),
    ("the EU will sanction more people responsible for Navalny's conviction",
     "1363929054714462209"),
    ("incomes are taxed more heavily in Germany than elsewhere, more taxes on wealth would be"
     " unfair", "1348564612489375745"),
    ("Söder is a gambler who keeps stabbing his own candidate in the back",
     "1439952737882488835"),
    ("we underestimated right-wing terror and political Islam and must fight them with the"
     " rule of law", "1347616071143084033"),
)

# (German query, platform ID of a Trump tweet)
DE_TO_EN = (
    ("Mein Wahlkampf liegt 35 Millionen Dollar unter dem Budget, jetzt gebe ich in Iowa viel"
     " aus", "681845591027134464"),
    ("Die Liste der hundert einflussreichsten Menschen des Time Magazine ist ein Witz",
     "327994231341846528"),
    ("Dallas kniete als Mannschaft, aber alle standen für die Nationalhymne auf",
     "912629775629418501"),
    ("Natürlich halte ich Jimmy Carter nicht für tot, ich war nur sarkastisch",
     "441745482646183936"),
    ("Die Republikaner haben dieses Jahr alle fünf Kongresswahlen gewonnen, Roy Moore verlor"
     " in Alabama", "944703626454487042"),
    ("Heute finden im Trump Tower Treffen zur Bildung der künftigen Regierung statt",
     "801029194906038272"),
    ("Danke an Ford, dass sie das neue Werk in Mexiko streichen und 700 Arbeitsplätze in den"
     " USA schaffen", "816635078067490816"),
    ("Warum untersucht der Geheimdienstausschuss des Senats nicht die Sender mit den"
     " erfundenen Nachrichten?", "915894251967385600"),
    ("Besuch beim Hubschraubergeschwader der Marineinfanterie in Quantico, danke für euren"
     " Dienst", "941789515248750592"),
    ("Danke an die Ersthelfer, die in Las Vegas unzählige Leben gerettet haben",
     "915745470689005573"),
    ("Wie haben die Frauen von The View ihren Job bekommen, seit Barbara Walters weg ist?",
     "713027407742177280"),
    ("Ich bin nicht gegen Impfungen für Kinder, nur gegen eine riesige Dosis auf einmal",
     "507546307620528129"),
    ("Die Verwüstung durch Hurrikan Irma war viel größer als gedacht", "907592460070768641"),
    ("Warum hat Obama die Sanktionen gegen den Iran vor den Verhandlungen aufgehoben?",
     "457184670049128448"),
    ("Senator Bill Cassidy ist ein feiner Kerl, dem die Gesundheit der Menschen am Herzen"
     " liegt", "910671525543645185"),
    ("Eine Ehre, meinen guten Freund Netanjahu in New York zu empfangen", "909922763774861314"),
    ("Danke an den australischen Premierminister, dass er die Wahrheit über unser Gespräch"
     " gesagt hat", "827480386120929280"),
    ("Die arrogante junge Frau, die mich so gemein befragt hat, arbeitete für Jeb",
     "653897939933364224"),
    ("Als ich sagte, die NATO sei überholt, haben sie es geändert, ohne mir Anerkennung zu"
     " geben", "739934090690998272"),
    ("Die Mittelschicht ist die neue Armut in diesem Land und die unfähigen Politiker tun"
     " nichts", "602987096064659456"),
    ("Fox News behandelt mich unfair, deshalb mache ich vorerst keine Sendungen mehr bei Fox",
     "646716373473853442"),
    ("Wie kann der stellvertretende FBI-Direktor McCabe 700.000 Dollar für den Wahlkampf"
     " seiner Frau bekommen?", "944665687292817415"),
    ("Jeder Amerikaner sollte für die Nationalhymne aufstehen, eine Nation unter Gott",
     "939375570919612416"),
    ("Ich habe den früheren Verteidigungsminister Robert Gates nie getroffen, er weiß nichts"
     " über mich", "777112789672341504"),
    ("Ich bin so stolz auf meine Kinder Don, Eric und Tiffany und ihre Reden",
     "756105919470116864"),
    ("Nett zu Rocket Man zu sein hat seit 25 Jahren nicht funktioniert; Clinton, Bush und"
     " Obama sind gescheitert", "914565910798782465"),
)
