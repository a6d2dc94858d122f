"""What the register says about a licence a therapist submitted: looked up by number, compared by name.

The number is normalised the register's way and must then match exactly: a near-miss number is a
different licence, never "close enough". The name is compared order-insensitively with accents
and punctuation folded ("NOWAK, IVAN PETROV" and "Ivan Nowak" match), against a similarity
threshold, because boards write names their own way. The answer is a plain dict-able value, so it
can be stored on the credential and copied into the decision log as it was at the time.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from django.utils import timezone
from rapidfuzz import fuzz

from registers.models import Register, RegisterEntry

# 0-100; a register may set its own in settings["name_threshold"].
DEFAULT_NAME_THRESHOLD = 88
Status = RegisterEntry.Status


class Verdict:
    MATCH = "match"
    NAME_MISMATCH = "name_mismatch"
    NOT_FOUND = "not_found"
    NOT_IN_GOOD_STANDING = "not_in_good_standing"  # expired, inactive, suspended, revoked or other


def fold(text: str) -> str:
    """'Müller-Lüdenscheidt, Chloé' -> 'muller ludenscheidt chloe'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join("".join(char if char.isalnum() else " " for char in letters).split())


def name_similarity(submitted: str, registered: str) -> float:
    """0-100, word order ignored. A register's extra middle name does not count against a match,
    but a one-word name must match fully: 'Ivan' alone is not 'Nowak, Ivan'."""
    ours, theirs = fold(submitted), fold(registered)
    if not ours or not theirs:
        return 0.0
    if min(len(ours.split()), len(theirs.split())) < 2:
        return fuzz.token_sort_ratio(ours, theirs)
    return fuzz.token_set_ratio(ours, theirs)


@dataclass(frozen=True)
class RegisterAnswer:
    register_id: int
    register_name: str
    number: str
    checked_at: str
    verdict: str
    entry_id: int | None = None
    licence_type: str = ""
    standing: str = ""
    status_text: str = ""
    expires_on: str | None = None
    has_discipline: bool = False
    discipline: str = ""
    name_in_register: str = ""
    name_compared: str = ""
    name_score: float = 0.0
    name_matches: bool = False
    gone_since: str | None = None

    @property
    def found(self) -> bool:
        return self.entry_id is not None

    @property
    def is_match(self) -> bool:
        return self.verdict == Verdict.MATCH

    @property
    def summary(self) -> str:
        """One line for the moderator and the log, e.g. 'Register: Massage Therapist, active, expires
        2027-03-01, no discipline; name matches (NOWAK, IVAN ↔ Ivan Nowak)'."""
        if not self.found:
            return f"Not in the register ({self.register_name}) under number {self.number}."
        if self.gone_since:
            return (
                f"No longer in the register ({self.register_name}) under number {self.number}: "
                f"missing from its imports since {self.gone_since}."
            )
        facts = [self.licence_type or "licence", self.status_text.lower() or self.standing]
        if self.expires_on:
            verb = "expires" if self.expires_on >= self.checked_at else "expired"  # ISO dates compare as text
            facts.append(f"{verb} {self.expires_on}")
        facts.append(f"discipline: {self.discipline or 'yes'}" if self.has_discipline else "no discipline")
        names = f"{self.name_in_register} ↔ {self.name_compared}"
        if self.name_matches:
            name = f"name matches ({names})"
        else:
            name = f"name does not match ({names}, {self.name_score:.0f}% alike)"
        prefix = "Register" if self.standing == Status.ACTIVE else f"Register says {self.standing}"
        return f"{prefix}: {', '.join(facts)}; {name}"

    def as_dict(self) -> dict:
        return {**asdict(self), "summary": self.summary}


def check_licence(
    *, register: Register, number: str, names: Sequence[str], today: date | None = None
) -> RegisterAnswer:
    """Look `number` up in `register` and compare the best of `names` (display name, account name)."""
    today = today or timezone.localdate()
    normalised = register.normalise_number(number)
    base = {"register_id": register.pk, "register_name": register.name, "number": normalised,
            "checked_at": today.isoformat()}
    entry = RegisterEntry.objects.filter(register=register, number=normalised).first() if normalised else None
    if entry is None:
        return RegisterAnswer(**base, verdict=Verdict.NOT_FOUND)
    candidates = [name for name in names if name and name.strip()] or [""]
    compared = max(candidates, key=lambda name: name_similarity(name, entry.name))
    score = round(name_similarity(compared, entry.name), 1)
    threshold = float(register.settings.get("name_threshold") or DEFAULT_NAME_THRESHOLD)
    standing = entry.standing(today)
    name_matches = score >= threshold
    if entry.gone_at or standing != Status.ACTIVE:
        verdict = Verdict.NOT_IN_GOOD_STANDING
    elif not name_matches:
        verdict = Verdict.NAME_MISMATCH
    else:
        verdict = Verdict.MATCH
    return RegisterAnswer(
        **base,
        verdict=verdict,
        entry_id=entry.pk,
        licence_type=entry.licence_type,
        standing=standing,
        status_text=entry.status_text if entry.status == standing else "",
        expires_on=entry.expires_on.isoformat() if entry.expires_on else None,
        has_discipline=entry.has_discipline,
        discipline=entry.discipline,
        name_in_register=entry.name,
        name_compared=compared,
        name_score=score,
        name_matches=name_matches,
        gone_since=timezone.localdate(entry.gone_at).isoformat() if entry.gone_at else None,
    )
