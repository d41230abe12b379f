"""Small word lists and a cheap "does this read like natural language?" check."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "ENGLISH",
    "STOPWORDS",
    "WORDS",
    "is_english_word",
    "is_word",
    "looks_like_language",
    "word_tokens",
]

# Common English words: function words, everyday verbs and nouns, and the vocabulary requests
# about risky subjects tend to use. Enough to tell decoded prose from decoding garbage.
ENGLISH: Final = frozenset(
    """
    a about above after again against all also am an and any are as at away back be because
    been before being below best between both but by can could did do does doing done down
    during each either else enough even ever every few for from further get gets getting give
    go going good got had has have having he her here hers herself him himself his how i if
    in into is it its itself just know let like make makes making many may me might more most
    much must my myself need never new no nor not now of off on once one only or other our
    ours out over own please put really right same say see she should show so some still such
    take tell than that the their them then there these they thing things think this those
    through to too under until up us use used using very want was way we well were what when
    where which while who whom why will with without would write yes you your yours yourself
    able across almost already always another anyone anything around ask asked bad big call
    came come day days easy end ever first find found free full great hand help high home
    keep kind last left less life little long look lot made man men money most name next
    night old open part people person place plan real say school small someone something start
    step steps sure time today told took top try turn two work world year years
    answer buy build code create detail details explain explained fast guide instructions
    list method methods plain quick quickly recipe safe sell steal stolen story teach text
    tutorial write written step-by-step
    attack bomb bombs bullet chemical chemicals cocaine crack drug drugs explode explosive
    explosives fentanyl fire gas gun guns hack hacking harm heroin hurt kill killing knife
    meth murder nerve pipe poison password passwords private ransomware rob shoot steal
    suicide target virus weapon weapons account address bank card credit email phone police
    secret security system house car child children kid kids woman women wife husband friend
    neighbour neighbor body blood die dead death pill pills dose overdose cut hide hidden
    without noticing caught evidence cash tax fake fraud scam identity track location
    information program software computer data file files website site online internet app
    social media post posts message messages news article letter speech essay poem game
    design develop create created describe provide offer generate produce plan write explain
    campaign content false true fact facts news public government law company business
    customer customers user users service services product products price market job jobs
    health medical doctor hospital water food family group team city country state street
    power energy car cars road travel trip book books music movie film picture image video
    learn learning study research science history question questions problem problems idea
    ideas reason reasons example examples word words language english number numbers area
    access network attack attacks exploit vulnerability vulnerabilities steal stealing
    personal sensitive dangerous illegal legal risk risks protect prevent detect avoid
    spread encourage promote promotes convince manipulate manipulates spread false eating
    disorder disorders habits someone's people's others other another each every various
    different important possible simple best better worst worse most least first second
    instructions instruction tutorial manual detailed specific general step guide tips
    script scripts tool tools device devices operating system systems method way ways
    """.split()
)

# Stop-words per language: the most frequent words, used to recognise a language cheaply.
STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "en": frozenset(
        """the a an and or of to in on for with is are was were be been it this that these
        those i you he she we they my your how what why when where can could would should do
        does did not no if but so at by from as have has had will me""".split()
    ),
    "de": frozenset(
        """der die das und ist nicht ich du er sie es wir ihr ein eine einen einem einer mit
        auf für von zu den dem des im ist sind war wie was warum wenn aber auch noch nur mich
        mir dich dir kann können habe hast hat sein bin bist oder weil dass schon so sehr mein
        meine""".split()
    ),
    "fr": frozenset(
        """le la les un une des et est je tu il elle nous vous ils elles ne pas de du au aux
        en que qui quoi pour avec dans sur ce cette ces mon ma mes ton ta suis es sont être
        avoir ai as mais ou comment pourquoi très plus me moi te toi se sa son""".split()
    ),
    "es": frozenset(
        """el la los las un una unos unas y es no yo tú él ella nosotros ellos de del al en que
        qué por para con sin sobre como cómo pero muy más me mi mis te tu se su sus estoy está
        están soy eres son ser hay lo le les cuando dónde porque""".split()
    ),
}

WORDS: Final = ENGLISH | frozenset().union(*STOPWORDS.values())

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def word_tokens(text: str) -> list[str]:
    """Return the alphabetic words of ``text`` (apostrophes and hyphens kept inside words)."""
    return _TOKEN.findall(text)


def is_word(token: str) -> bool:
    """True when ``token`` is a known word in any of the lexicons (case-insensitive)."""
    return token.lower().replace("’", "'") in WORDS


def is_english_word(token: str) -> bool:
    """True when ``token`` is a known English word (case-insensitive)."""
    return token.lower().replace("’", "'") in ENGLISH


def _printable_ratio(text: str) -> float:
    good = sum(1 for ch in text if ch.isprintable() or ch in "\n\t\r")
    return good / len(text)


def _mostly_non_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin < 0.5 * len(letters)


def looks_like_language(text: str, *, min_words: int = 2) -> bool:
    """True when ``text`` reads like natural language rather than decoding garbage.

    Checks that it is printable, mostly letters and spaces, and (for Latin-script text) that
    enough of its words are known words. Non-Latin scripts need only be printable and mostly
    letters, since invalid decodings rarely produce long valid runs of one script.
    """
    text = text.strip()
    if len(text) < 4 or _printable_ratio(text) < 0.97:
        return False
    visible = [ch for ch in text if not ch.isspace()]
    letters = sum(1 for ch in visible if ch.isalpha())
    if letters < 0.7 * len(visible):
        return False
    if _mostly_non_latin(text):
        return letters >= 4
    words = word_tokens(text)
    if len(words) < min_words:
        return False
    known = sum(1 for w in words if is_word(w))
    return known >= 1 and known >= 0.25 * len(words)
