"""What the demo data says: places, contact details, names, headlines and review texts.

Pure functions of a `random.Random`, so `seed_demo` stays deterministic and the texts can be
checked without a database. Everything here must agree with itself: a headline names a massage
type the therapist offers, a review's words agree with its three answers and its stars, and a
phone number and postcode have the shape of the therapist's country and city.
"""

# ruff: noqa: E501 - the city table reads best one city a line

import random
from dataclasses import dataclass

FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannah", "Ivan", "Julia", "Karim", "Lena",
    "Marco", "Nina", "Oskar", "Paula", "Quentin", "Rosa", "Samir", "Tara", "Umut", "Vera", "Willem", "Yara",
    "Zofia", "Amir", "Birgit", "Chloé", "Dario", "Eva", "Farah", "Gustav", "Hugo", "Ines", "Jonas", "Kasia",
    "Lucas", "Mei", "Noah", "Olga", "Pablo", "Ruth", "Sofia", "Tomás", "Ulla", "Viktor", "Wen", "Yusuf",
    "Marta", "Jan", "Lea", "Emil", "Sara", "Luca", "Maja", "Leon", "Alice", "Mateo", "Ida", "Theo",
]
LAST_NAMES = [
    "Schmidt", "Müller", "Rossi", "García", "Nowak", "Jansen", "Dubois", "Silva", "Kowalski", "Novák",
    "Andersson", "Hansen", "Papadopoulos", "Nagy", "Yilmaz", "Costa", "Fischer", "Weber", "Moreau", "Bianchi",
    "Fernández", "Lindqvist", "Horvat", "Petrov", "Santos", "Keller", "Bauer", "Ricci", "Laurent", "de Vries",
    "Murphy", "Walsh", "Taylor", "Evans", "Kovalenko", "Demir", "Svoboda", "Janssens", "Berg", "Ferreira",
]


@dataclass(frozen=True)
class City:
    name: str
    country: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    language: str
    weight: float  # share of the demo's therapists, roughly by population
    phone: str  # "#" any digit, "N" 2-9, "[378]" one of these
    postcode: tuple  # a postcode recipe, see postcode()
    currency: str
    price_range: tuple[int, int, int]  # lowest "from" price, highest, step


# Larger cities get more therapists, so common searches there find several.
CITIES = [
    City("London", "GB", 51.5074, -0.1278, "en", 12, "+44 20 [378]### ####", ("uk", ["E1", "E2", "EC1A", "EC2A", "N1", "N7", "NW1", "NW3", "SE1", "SE15", "SW1A", "SW4", "SW11", "W1D", "W2", "WC1E", "WC2H"]), "GBP", (40, 90, 5)),
    City("Istanbul", "TR", 41.0082, 28.9784, "tr", 10, "+90 212 N## ## ##", ("range", 34000, 34990, 5), "TRY", (1200, 3000, 100)),
    City("Paris", "FR", 48.8566, 2.3522, "fr", 10, "+33 1 N# ## ## ##", ("range", 75001, 75020, 5), "EUR", (50, 110, 5)),
    City("Madrid", "ES", 40.4168, -3.7038, "es", 7, "+34 91N ### ###", ("range", 28001, 28055, 5), "EUR", (35, 80, 5)),
    City("Berlin", "DE", 52.5200, 13.4050, "de", 7, "+49 30 N#######", ("range", 10115, 14199, 5), "EUR", (45, 95, 5)),
    City("Barcelona", "ES", 41.3874, 2.1686, "es", 5, "+34 93N ### ###", ("range", 8001, 8042, 5), "EUR", (35, 80, 5)),
    City("Rome", "IT", 41.9028, 12.4964, "it", 4.5, "+39 06 [2345]### ####", ("range", 118, 199, 5), "EUR", (40, 85, 5)),
    City("Milan", "IT", 45.4642, 9.1900, "it", 4.5, "+39 02 N### ####", ("range", 20121, 20162, 5), "EUR", (45, 95, 5)),
    City("Kyiv", "UA", 50.4501, 30.5234, "uk", 3.5, "+380 44 N## ## ##", ("range", 1001, 4999, 5), "UAH", (800, 2000, 100)),
    City("Warsaw", "PL", 52.2297, 21.0122, "pl", 3.5, "+48 22 N## ## ##", ("dash", (0, 4), 3), "PLN", (150, 320, 10)),
    City("Hamburg", "DE", 53.5511, 9.9937, "de", 3, "+49 40 N#######", ("range", 20095, 22769, 5), "EUR", (45, 95, 5)),
    City("Munich", "DE", 48.1351, 11.5820, "de", 3, "+49 89 N#######", ("range", 80331, 81929, 5), "EUR", (50, 100, 5)),
    City("Vienna", "AT", 48.2082, 16.3738, "de", 3, "+43 1 N######", ("vienna",), "EUR", (50, 100, 5)),
    City("Budapest", "HU", 47.4979, 19.0402, "hu", 3, "+36 1 N## ####", ("budapest",), "HUF", (12000, 28000, 1000)),
    City("Athens", "GR", 37.9838, 23.7275, "el", 3, "+30 21N ### ####", ("spaced", 104, 117), "EUR", (35, 70, 5)),
    City("Lisbon", "PT", 38.7223, -9.1393, "pt", 3, "+351 21N ### ###", ("lisbon",), "EUR", (35, 70, 5)),
    City("Manchester", "GB", 53.4808, -2.2426, "en", 2.5, "+44 161 N## ####", ("uk", [f"M{n}" for n in range(1, 41)]), "GBP", (35, 75, 5)),
    City("Prague", "CZ", 50.0755, 14.4378, "cs", 2.5, "+420 2N# ### ###", ("spaced", 110, 199), "CZK", (900, 2000, 100)),
    City("Stockholm", "SE", 59.3293, 18.0686, "sv", 2, "+46 8 N## ### ##", ("spaced", 111, 199), "SEK", (600, 1200, 50)),
    City("Copenhagen", "DK", 55.6761, 12.5683, "da", 2, "+45 3[2345] N# ## ##", ("range", 1050, 2450, 4), "DKK", (500, 1000, 50)),
    City("Dublin", "IE", 53.3498, -6.2603, "en", 2, "+353 1 N## ####", ("eircode",), "EUR", (50, 95, 5)),
    City("Brussels", "BE", 50.8503, 4.3517, "fr", 2, "+32 2 [2345678]## ## ##", ("range", 1000, 1210, 4), "EUR", (45, 90, 5)),
    City("Amsterdam", "NL", 52.3676, 4.9041, "nl", 2, "+31 20 N## ####", ("dutch", 1011, 1109), "EUR", (50, 100, 5)),
    City("Cologne", "DE", 50.9375, 6.9603, "de", 2, "+49 221 N######", ("range", 50667, 51149, 5), "EUR", (45, 90, 5)),
    City("Lyon", "FR", 45.7640, 4.8357, "fr", 2, "+33 4 N# ## ## ##", ("range", 69001, 69009, 5), "EUR", (45, 90, 5)),
    City("Zurich", "CH", 47.3769, 8.5417, "de", 1.5, "+41 44 N## ## ##", ("range", 8001, 8057, 4), "CHF", (90, 170, 5)),
    City("Rotterdam", "NL", 51.9244, 4.4777, "nl", 1.5, "+31 10 N## ####", ("dutch", 3011, 3089), "EUR", (45, 90, 5)),
    City("Krakow", "PL", 50.0647, 19.9450, "pl", 1.5, "+48 12 N## ## ##", ("dash", (30, 31), 3), "PLN", (140, 280, 10)),
]
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def pick_city(rng: random.Random) -> City:
    return rng.choices(CITIES, weights=[city.weight for city in CITIES])[0]


def phone_number(rng: random.Random, city: City) -> str:
    out, pattern, i = [], city.phone, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "#":
            out.append(str(rng.randrange(10)))
        elif char == "N":
            out.append(str(rng.randrange(2, 10)))
        elif char == "[":
            end = pattern.index("]", i)
            out.append(rng.choice(pattern[i + 1 : end]))
            i = end
        else:
            out.append(char)
        i += 1
    return "".join(out)


def postcode(rng: random.Random, city: City) -> str:
    kind, *args = city.postcode
    if kind == "range":
        low, high, width = args
        return f"{rng.randint(low, high):0{width}d}"
    if kind == "uk":  # outward code of the city, then digit + two letters
        inward_letters = "ABDEFGHJLNPQRSTUWXYZ"
        return f"{rng.choice(args[0])} {rng.randrange(10)}{rng.choice(inward_letters)}{rng.choice(inward_letters)}"
    if kind == "vienna":  # 1 + district 01-23 + 0
        return f"1{rng.randint(1, 23):02d}0"
    if kind == "budapest":  # 1 + district 01-23 + street digit
        return f"1{rng.randint(1, 23):02d}{rng.randint(1, 9)}"
    if kind == "spaced":  # Czech, Swedish, Greek: "NNN NN"
        low, high = args
        return f"{rng.randint(low, high)} {rng.randrange(100):02d}"
    if kind == "dash":  # Polish "NN-NNN"
        (low, high), _ = args
        return f"{rng.randint(low, high):02d}-{rng.randint(1, 999):03d}"
    if kind == "lisbon":
        return f"1{rng.randint(0, 999):03d}-{rng.randint(1, 999):03d}"
    if kind == "dutch":  # "NNNN AB"; SA, SD and SS are not used
        low, high = args
        letters = rng.choice([a + b for a in LETTERS for b in LETTERS if a + b not in {"SA", "SD", "SS"}])
        return f"{rng.randint(low, high)} {letters}"
    if kind == "eircode":  # Dublin routing key D01-D24, then a letter and three letters or digits
        tail = rng.choice("ACDEFHKNPRTVWXY") + "".join(rng.choice("ACDEFHKNPRTVWXY0123456789") for _ in range(3))
        return f"D{rng.randint(1, 24):02d} {tail}"
    raise ValueError(f"unknown postcode recipe {kind!r}")


def price_from(rng: random.Random, city: City) -> tuple[int, int]:
    low, high, step = city.price_range
    start = rng.randrange(low, high + 1, step)
    return start, start + step * rng.randint(2, 8)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


# What each massage type is usually booked for (slugs of the reference data), and how often it
# is offered. A therapist's needs come from their massage types, so "deep tissue" goes with
# "muscle tension", not with "skin".
MODALITY_NEEDS = {
    "swedish": (18, ["stress-sleep", "muscle-tension-pain", "circulation"]),
    "deep-tissue": (14, ["muscle-tension-pain", "sports-recovery", "posture-mobility"]),
    "sports": (10, ["sports-recovery", "muscle-tension-pain", "posture-mobility"]),
    "therapeutic": (9, ["muscle-tension-pain", "nerve-pain", "posture-mobility"]),
    "lymphatic-drainage": (8, ["circulation", "immune-support", "skin"]),
    "trigger-point": (6, ["muscle-tension-pain", "nerve-pain"]),
    "myofascial": (5, ["posture-mobility", "muscle-tension-pain"]),
    "manual-therapy": (5, ["posture-mobility", "nerve-pain", "muscle-tension-pain"]),
    "thai": (5, ["posture-mobility", "stress-sleep"]),
    "hot-stone": (5, ["stress-sleep", "muscle-tension-pain"]),
    "reflexology": (4, ["stress-sleep", "circulation"]),
    "shiatsu": (4, ["stress-sleep", "muscle-tension-pain"]),
    "prenatal": (4, ["stress-sleep", "circulation"]),
    "honey": (2, ["skin", "immune-support", "circulation"]),
}


def pick_offer(rng: random.Random, modality_slugs: list[str], need_slugs: list[str]) -> tuple[list[str], list[str]]:
    """(massage types, needs): one to four types by popularity, the main one first, and needs
    drawn from what those types are booked for."""
    known = [slug for slug in modality_slugs if slug in MODALITY_NEEDS] or list(modality_slugs)
    weights = [MODALITY_NEEDS.get(slug, (1, []))[0] for slug in known]
    wanted = min(len(known), rng.choices([1, 2, 3, 4], [15, 40, 30, 15])[0])
    chosen: list[str] = []
    while len(chosen) < wanted:
        slug = rng.choices(known, weights)[0]
        if slug not in chosen:
            chosen.append(slug)
    fitting = []
    for slug in chosen:
        for need in MODALITY_NEEDS.get(slug, (0, []))[1]:
            if need in need_slugs and need not in fitting:
                fitting.append(need)
    # The main type's first need always; most of the others that fit, seldom one that does not.
    needs = fitting[:1] + [need for need in fitting[1:] if rng.random() < 0.75]
    if rng.random() < 0.1:
        extra = rng.choice(need_slugs) if need_slugs else None
        if extra and extra not in needs:
            needs.append(extra)
    return chosen, needs or fitting[:1] or need_slugs[:1]


PROPER = {"Thai", "Swedish", "Shiatsu"}


def in_sentence(name: str) -> str:
    """A massage type's name inside a sentence: "deep tissue massage", but "Thai massage"."""
    return name if name.split()[0] in PROPER else name[0].lower() + name[1:]


def headline(rng: random.Random, modality_names: list[str], need_names: list[str], years: int) -> str:
    """A headline that names the therapist's main massage type (and only needs they help with)."""
    main = modality_names[0]
    choices = [
        f"{main} with a careful consultation first",
        f"{main}: calm, thorough sessions",
        f"{main} and aftercare you can follow at home",
    ]
    if need_names:
        choices.append(f"{main} for {need_names[0].lower()}")
    if len(modality_names) > 1:
        choices.append(f"{main} and {in_sentence(modality_names[1])}")
    if years >= 3:
        choices.append(f"{main}, {years} years of practice")
    return rng.choice(choices)


# Review texts, one sentence per answer, so the words agree with the answers beside them.
CONSULTATION_YES = [
    "We talked about my back pain and an old shoulder injury before we started.",
    "Before starting, the therapist asked about my health, any medication and what I wanted from the session.",
    "The first few minutes were a proper conversation about where it hurts and what to avoid.",
    "I filled in a short health form and we went through it together before the massage.",
]
CONSULTATION_NO = [
    "There was no real conversation about my health beforehand.",
    "Nobody asked about my back problems before the massage started.",
    "We went straight to the table without any questions about my health.",
]
EFFECTS_NONE = [
    "The pressure was adjusted every time I asked.",
    "Firm where it needed to be, never too much, and I woke up the next day feeling loose.",
    "The pressure was right throughout and I slept well that night.",
    "I felt much looser the next day and had no after-effects at all.",
]
EFFECTS_SOME = [
    "I had some soreness for two days afterwards.",
    "The pressure was too strong and I found bruises on my shoulder the next day.",
    "My lower back hurt for several days after the session.",
]
AFTERCARE_YES = [
    "I got a few stretches to do at home and advice to drink water and rest.",
    "At the end I was shown two exercises for my desk posture.",
    "I was told what to avoid for a day and how to use heat at home.",
]
AFTERCARE_NO = [
    "I did not get any advice for the days after.",
    "There was no advice on what to do at home afterwards.",
]
NEUTRAL = [
    "The room was quiet and warm, and the session started on time.",
    "Booking was easy and the price was as listed.",
    "Clear explanation of what the technique does and what to expect.",
    "The practice is easy to reach by public transport.",
]
OVERALL = {
    5: ["I will definitely book again.", "My neck tension is noticeably better after three sessions."],
    4: ["A good session overall, and I would go again.", "Good value for the price."],
    3: ["An average session, nothing special.", "Fine, but I expected a bit more."],
    2: ["I will probably try someone else next time.", "Not what I had hoped for."],
    1: ["I would not go back.", "I cannot recommend this practice."],
}
TITLES = {
    5: ["Exactly what I needed", "Best massage in years", "Careful and effective", "Highly recommended"],
    4: ["Very good session", "Helpful and professional", "Good technique", "Would go again"],
    3: ["Decent, nothing special", "Mixed feelings", "OK but rushed", "Average experience"],
    2: ["Not for me", "Disappointing", "Expected more"],
    1: ["Would not return", "Poor experience"],
}
# Titles that state an answer, used only when the answer says so.
TITLE_IF_EFFECTS = {2: "Too much pressure", 1: "Left with bruises"}
TITLE_IF_NO_CONSULTATION = {2: "Straight onto the table", 1: "No consultation at all"}


@dataclass(frozen=True)
class ReviewText:
    rating: int
    title: str
    body: str
    consultation_given: bool
    unwanted_effects: bool
    aftercare_given: bool


def review_text(rng: random.Random, quality: float) -> ReviewText:
    """The three answers follow the therapist's hidden quality; the stars follow the answers."""
    consultation = rng.random() < 0.3 + 0.65 * quality
    effects = rng.random() < 0.35 - 0.3 * quality
    aftercare = rng.random() < 0.2 + 0.7 * quality
    mean = 1.2 + 3.6 * quality + 0.3 * consultation + 0.3 * aftercare - 1.3 * effects
    rating = max(1, min(5, round(rng.gauss(mean, 0.7))))
    if effects or not (consultation or aftercare):
        rating = min(rating, 4)  # bruises, or neither consultation nor advice, never get five stars
    sentences = [
        rng.choice(CONSULTATION_YES if consultation else CONSULTATION_NO),
        rng.choice(EFFECTS_SOME if effects else EFFECTS_NONE),
        rng.choice(AFTERCARE_YES if aftercare else AFTERCARE_NO),
    ]
    if rng.random() < 0.6:
        sentences.insert(rng.randint(1, 3), rng.choice(NEUTRAL))
    sentences.append(rng.choice(OVERALL[rating]))
    titles = list(TITLES[rating])
    if effects and rating in TITLE_IF_EFFECTS:
        titles.append(TITLE_IF_EFFECTS[rating])
    if not consultation and rating in TITLE_IF_NO_CONSULTATION:
        titles.append(TITLE_IF_NO_CONSULTATION[rating])
    return ReviewText(rating, rng.choice(titles), " ".join(sentences), consultation, effects, aftercare)
