"""Write a synthetic Texas TDLR licence file for the import_register benchmark (bench/RESULTS.md).

    .venv/bin/python bench/register_file.py /tmp/bench/tdlr-720k.csv --rows 720000 [--seed 1] [--change 0.01]

Same layout as TDLR's real file: the 19 named columns, MM/DD/YYYY dates, `LAST, FIRST MIDDLE` names,
one row in twenty carrying the unnamed, empty 20th column, a mix of licence types with massage
therapists among them. `--change` rewrites that share of expiry dates and drops as many rows, so a
second file imported after the first exercises the changed and gone paths.
"""

import argparse
import csv
import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
django.setup()

from registers.adapters import TEXAS_COLUMNS  # noqa: E402 - the column names the importer checks, after setup

TYPES = [
    ("Massage Therapist", "MT", 0.18),
    ("Massage Establishment", "ME", 0.04),
    ("Cosmetology Operator", "CO", 0.30),
    ("Electrician", "EL", 0.25),
    ("Air Conditioning and Refrigeration Contractor", "AC", 0.13),
    ("Tow Truck Operator", "TT", 0.10),
]
LAST = ["GARCIA", "MARTINEZ", "NGUYEN", "SMITH", "JOHNSON", "NOWAK", "WEBER", "LOPEZ", "HERNANDEZ", "KIM",
        "WILLIAMS", "BROWN", "DAVIS", "MÜLLER", "O'BRIEN", "RODRÍGUEZ", "PATEL", "TRAN", "LEE", "WALKER"]
FIRST = ["MARIA", "JOSE", "JAMES", "IVAN", "CLARA", "ANH", "JENNIFER", "MICHAEL", "LINDA", "DAVID", "SOFIA",
         "ELENA", "CHLOÉ", "OMAR", "GRACE", "DANIEL", "LUIS", "AMY", "PETER", "ROSA"]
COUNTIES = ["TRAVIS", "HARRIS", "DALLAS", "BEXAR", "TARRANT", "EL PASO", "COLLIN", "DENTON", "HIDALGO", "FORT BEND"]
CITIES = ["AUSTIN, TX 78701", "HOUSTON, TX 77002", "DALLAS, TX 75201", "SAN ANTONIO, TX 78205",
          "FORT WORTH, TX 76102", "EL PASO, TX 79901", "PLANO, TX 75024"]


def rows(count: int, rng: random.Random, change: float, changes: random.Random):
    """`rng` draws the rows, `changes` what a later file changes: the same seed gives the same rows
    whatever --change is, so a changed file differs from the first only where it says."""
    start = date(2026, 1, 1)
    weights = [weight for _, _, weight in TYPES]
    for index in range(count):
        kind, prefix, _ = rng.choices(TYPES, weights)[0]
        expires = start + timedelta(days=rng.randrange(0, 3 * 365))
        dropped, moved = changes.random() < change, changes.random() < change
        if moved:
            expires += timedelta(days=730)
        county = rng.choice(COUNTIES)
        city = rng.choice(CITIES)
        row = [
            kind, f"{prefix}{index:07d}", expires.strftime("%m/%d/%Y"), county,
            f"{rng.choice(LAST)}, {rng.choice(FIRST)} {rng.choice(FIRST)[0]}",
            f"{rng.randrange(1, 9999)} {rng.choice(['MAIN', 'OAK', 'ELM', 'CONGRESS', 'LAMAR'])} ST",
            rng.choice(["", "", "APT 4", "SUITE 200"]), city, f"512555{rng.randrange(0, 9999):04d}",
            rng.choice(["", "", "HEALING HANDS LLC", "LONE STAR SPA"]), "", "", city,
            f"{rng.randrange(1, 254):03d}", county, city[-5:], "", rng.choice(["", "", "APPRENTICE"]),
            rng.choice(["Y", "N"]),
        ]
        if index % 20 == 0:
            row.append("")
        if not dropped:  # a dropped row is "gone" in the second import
            yield row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=720_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--change", type=float, default=0.0)
    options = parser.parse_args()
    options.path.parent.mkdir(parents=True, exist_ok=True)
    with options.path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(TEXAS_COLUMNS)
        writer.writerows(rows(options.rows, random.Random(options.seed), options.change, random.Random(-options.seed)))
    print(f"{options.path}: {options.path.stat().st_size / 2**20:,.1f} MB")


if __name__ == "__main__":
    main()
