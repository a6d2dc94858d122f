"""Typos forgiven: a word of the search text that finds nothing is corrected against the directory's own words.

The vocabulary is what therapists are found by: massage types, needs, the cities and names of
published therapists, and the words of their headlines. It is built in one query and kept in the
shared cache for VOCABULARY_SECONDS, so a new therapist's name becomes correctable within minutes.

PostgreSQL ranks candidates by pg_trgm similarity (the extension migration 0003 enabled); SQLite,
which has no trigram functions, uses rapidfuzz's edit-distance ratio in process. Both only replace a
word that is not in the vocabulary, so a correct word is never "corrected".
"""

import re

from django.core.cache import cache
from django.db import connection
from rapidfuzz import fuzz, process

from therapists.models import Modality, Need, Therapist

VOCABULARY_KEY = "search-vocabulary:v1"
VOCABULARY_SECONDS = 600
# Words shorter than this are names' initials or stop words: too little to correct safely.
MIN_WORD_LENGTH = 3
# pg_trgm similarity from 0 to 1. 0.25 still maps "sprots" to "sports" (3 of 11 trigrams shared).
MIN_SIMILARITY = 0.25
# rapidfuzz ratio from 0 to 100: "masage" -> "massage" is 92, "sprots" -> "sports" 83.
MIN_RATIO = 75
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def words_of(text: str) -> list[str]:
    return [word.casefold() for word in WORD.findall(text)]


def vocabulary() -> list[str]:
    """Every word therapists can be found by, sorted, from the shared cache or one UNION query."""
    words = cache.get(VOCABULARY_KEY)
    if words is None:
        published = Therapist.objects.published().order_by()
        texts = (
            Modality.objects.values_list("name")
            .order_by()
            .union(
                Need.objects.values_list("name").order_by(),
                published.values_list("city"),
                published.values_list("display_name"),
                published.values_list("headline"),
            )
        )
        found = set()
        for (text,) in texts:
            found.update(word for word in words_of(text or "") if len(word) >= MIN_WORD_LENGTH)
        words = sorted(found)
        cache.set(VOCABULARY_KEY, words, VOCABULARY_SECONDS)
    return words


def _best_matches_postgresql(unknown: list[str], words: list[str]) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT ON (typed) typed, word FROM unnest(%s::text[]) AS typed, unnest(%s::text[]) AS word"
            " WHERE similarity(typed, word) >= %s ORDER BY typed, similarity(typed, word) DESC, word",
            [unknown, words, MIN_SIMILARITY],
        )
        return dict(cursor.fetchall())


def _best_matches_in_process(unknown: list[str], words: list[str]) -> dict[str, str]:
    matches = {}
    for typed in unknown:
        best = process.extractOne(typed, words, scorer=fuzz.ratio, score_cutoff=MIN_RATIO)
        if best is not None:
            matches[typed] = best[0]
    return matches


def correct(text: str) -> str | None:
    """The text with each unknown word replaced by the nearest known one; None when nothing changes."""
    typed_words = WORD.findall(text)
    words = vocabulary()
    known = set(words)
    unknown = sorted(
        {word.casefold() for word in typed_words if len(word) >= MIN_WORD_LENGTH and word.casefold() not in known}
    )
    if not unknown or not words:
        return None
    if connection.vendor == "postgresql":
        matches = _best_matches_postgresql(unknown, words)
    else:
        matches = _best_matches_in_process(unknown, words)
    if not matches:
        return None
    corrected = WORD.sub(lambda match: matches.get(match.group().casefold(), match.group()), text)
    return corrected if corrected != text else None
