"""Format adapters: each turns a register's file, row by row, into the fields of a RegisterEntry.

An adapter never holds more than one row: it reads a csv.reader and yields a ParsedRow, a
RefusedRow (this row is wrong, the rest may be fine: an impossible date, a missing number) or a
SkippedRow (a licence type the register does not import). A problem with the file itself (the
wrong columns) raises RegisterFileError, and the import stops with nothing changed.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from registers.models import Register, RegisterEntry

Status = RegisterEntry.Status

# The Texas Department of Licensing and Regulation's licence file, in its order; some rows carry an
# unnamed, empty 20th column.
TEXAS_COLUMNS = (
    "LICENSE TYPE",
    "LICENSE NUMBER",
    "LICENSE EXPIRATION DATE",
    "COUNTY",
    "NAME",
    "MAILING ADDRESS LINE1",
    "MAILING ADDRESS LINE2",
    "MAILING ADDRESS CITY, STATE ZIP",
    "PHONE NUMBER",
    "BUSINESS NAME",
    "BUSINESS ADDRESS-LINE1",
    "BUSINESS ADDRESS-LINE2",
    "BUSINESS CITY, STATE ZIP",
    "BUSINESS COUNTY CODE",
    "BUSINESS COUNTY",
    "BUSINESS ZIP",
    "BUSINESS PHONE",
    "LICENSE SUBTYPE",
    "CONTINUING EDUCATION FLAG",
)

# A register's word for a status -> ours. Anything else is kept as written, as "other".
STATUS_WORDS = {
    "active": Status.ACTIVE,
    "current": Status.ACTIVE,
    "valid": Status.ACTIVE,
    "expired": Status.EXPIRED,
    "lapsed": Status.EXPIRED,
    "inactive": Status.INACTIVE,
    "retired": Status.INACTIVE,
    "suspended": Status.SUSPENDED,
    "revoked": Status.REVOKED,
    "surrendered": Status.REVOKED,
    "cancelled": Status.REVOKED,
    "canceled": Status.REVOKED,
}
# A discipline column holding a flag rather than a text.
NO_DISCIPLINE = {"", "n", "no", "none", "false", "0", "-"}
YES_DISCIPLINE = {"y", "yes", "true", "1", "x"}
# How many characters of a cell are quoted back in a message.
QUOTE = 40


class RegisterFileError(Exception):
    """The file cannot be imported at all (wrong columns, broken encoding, too big); nothing changes."""


@dataclass(slots=True)
class ParsedRow:
    line: int
    number: str
    name: str
    licence_type: str
    status: str
    status_text: str
    expires_on: date | None
    has_discipline: bool
    discipline: str
    raw: str  # JSON of the row as read: a list of cells (Texas, in TEXAS_COLUMNS order) or {column: cell}
    row_hash: str


@dataclass(slots=True)
class RefusedRow:
    line: int
    reason: str
    number: str = ""  # when known, the entry under that number is left as it was (not marked gone)


@dataclass(slots=True)
class SkippedRow:
    line: int


def _quote(value: str) -> str:
    return repr(value if len(value) <= QUOTE else value[:QUOTE] + "…")


def _digest(cells: list[str], status: str) -> str:
    # Not a security hash: it only tells an unchanged row from a changed one.
    return hashlib.blake2b("\x1f".join([*cells, status]).encode(), digest_size=16).hexdigest()


def _same_header(cell: str, expected: str) -> bool:
    return cell.strip().lstrip("\ufeff").upper() == expected


class Adapter:
    def __init__(self, register: Register, today: date):
        self.register = register
        self.today = today
        self.licence_types = {kind.strip().upper() for kind in register.licence_types}

    def rows(self, lines: Iterable[tuple[int, list[str]]]) -> Iterator[ParsedRow | RefusedRow | SkippedRow]:
        """`lines`: (line number, cells) from a csv.reader, the header first."""
        lines = iter(lines)
        try:
            line, header = next(lines)
        except StopIteration:
            raise RegisterFileError("The file is empty: there is not even a header line.") from None
        self.check_header(header)
        for line, cells in lines:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines carry nothing
            yield self.parse(line, cells)

    def check_header(self, header: list[str]) -> None:
        raise NotImplementedError

    def parse(self, line: int, cells: list[str]) -> ParsedRow | RefusedRow | SkippedRow:
        raise NotImplementedError

    def wanted(self, licence_type: str) -> bool:
        return not self.licence_types or licence_type.strip().upper() in self.licence_types

    def entry(
        self, line, cells, raw, *, number, name, licence_type, status, status_text, expires_on, discipline
    ) -> ParsedRow | RefusedRow:
        number = self.register.normalise_number(number)
        if not number:
            return RefusedRow(line, "no licence number")
        if len(number) > 40:
            return RefusedRow(line, f"licence number {_quote(number)} is longer than 40 characters")
        name = " ".join(name.split())
        if not name:
            return RefusedRow(line, f"no name for licence {number}", number)
        discipline = discipline.strip()
        has_discipline = discipline.lower() not in NO_DISCIPLINE
        if discipline.lower() in YES_DISCIPLINE or discipline.lower() in NO_DISCIPLINE:
            discipline = ""
        return ParsedRow(
            line=line,
            number=number,
            name=name[:200],
            licence_type=licence_type.strip()[:120],
            status=status,
            status_text=status_text.strip()[:80],
            expires_on=expires_on,
            has_discipline=has_discipline,
            discipline=discipline,
            raw=json.dumps(raw, ensure_ascii=False),
            row_hash=_digest(cells, status),
        )


class TexasAdapter(Adapter):
    """TDLR's file: no status column (a listed licence is active until its expiry date), no discipline."""

    def check_header(self, header: list[str]) -> None:
        named = header[: len(TEXAS_COLUMNS)]
        extra = [cell for cell in header[len(TEXAS_COLUMNS) :] if cell.strip()]
        if len(named) < len(TEXAS_COLUMNS) or extra or not all(map(_same_header, named, TEXAS_COLUMNS)):
            wrong = next(
                (f"column {index + 1} is {_quote(cell)}, expected {expected!r}"
                 for index, (cell, expected) in enumerate(zip(named, TEXAS_COLUMNS, strict=False))
                 if not _same_header(cell, expected)),
                f"it has {len(header)} columns, expected {len(TEXAS_COLUMNS)} (or a 20th without a name)",
            )
            raise RegisterFileError(
                f"Line 1: this is not a Texas TDLR licence file: {wrong}. "
                f"The expected columns are: {', '.join(TEXAS_COLUMNS)}."
            )

    def parse(self, line, cells):
        if len(cells) not in (19, 20):
            return RefusedRow(line, f"{len(cells)} columns, expected 19 (or 20)")
        if len(cells) == 20 and cells[19].strip():
            return RefusedRow(line, f"unexpected value {_quote(cells[19])} in the unnamed 20th column")
        licence_type = cells[0]
        if not self.wanted(licence_type):
            return SkippedRow(line)
        expires_on = None
        text = cells[2].strip()
        if text:
            try:
                month, day, year = text.split("/")
                if len(year) != 4:
                    raise ValueError
                expires_on = date(int(year), int(month), int(day))
            except ValueError:
                return RefusedRow(
                    line, f"LICENSE EXPIRATION DATE {_quote(text)} is not a date (MM/DD/YYYY)",
                    self.register.normalise_number(cells[1]),
                )
        status = Status.EXPIRED if expires_on and expires_on < self.today else Status.ACTIVE
        # The cells in TEXAS_COLUMNS order, not a dict: 19 column names on each of 720,000 rows would
        # more than double what the import writes.
        raw = cells
        return self.entry(
            line, cells, raw, number=cells[1], name=cells[4], licence_type=licence_type,
            status=status, status_text="", expires_on=expires_on, discipline="",
        )


class MappedCSVAdapter(Adapter):
    """Any CSV with a header line; Register.settings["columns"] says which column holds what."""

    def __init__(self, register, today):
        super().__init__(register, today)
        self.mapping = register.settings.get("columns") or {}
        self.date_format = register.settings.get("date_format") or "%Y-%m-%d"
        self.positions: dict[str, list[int]] = {}

    def check_header(self, header):
        self.header = [cell.strip().lstrip("\ufeff") for cell in header]
        index = {cell.upper(): position for position, cell in enumerate(self.header)}
        missing = []
        for field, columns in self.mapping.items():
            names = [columns] if isinstance(columns, str) else list(columns)
            positions = [index.get(str(name).strip().upper()) for name in names]
            missing += [str(name) for name, position in zip(names, positions, strict=True) if position is None]
            self.positions[field] = [position for position in positions if position is not None]
        if missing:
            raise RegisterFileError(
                f"Line 1: the file has no column {', '.join(map(repr, missing))} named in the register's column "
                f"mapping. Its columns are: {', '.join(self.header) or '(none)'}."
            )

    def value(self, cells: list[str], field: str) -> str:
        parts = (cells[position].strip() for position in self.positions.get(field, ()))
        return " ".join(part for part in parts if part)

    def parse(self, line, cells):
        if len(cells) != len(self.header):
            return RefusedRow(line, f"{len(cells)} columns, the header has {len(self.header)}")
        number = self.value(cells, "number")
        licence_type = self.value(cells, "licence_type")
        if not self.wanted(licence_type):
            return SkippedRow(line)
        expires_on = None
        text = self.value(cells, "expires_on")
        if text:
            try:
                expires_on = datetime.strptime(text, self.date_format).date()
            except ValueError:
                return RefusedRow(
                    line, f"expiry date {_quote(text)} is not a date ({self.date_format})",
                    self.register.normalise_number(number),
                )
        status_text = self.value(cells, "status")
        if status_text:
            status = STATUS_WORDS.get(status_text.lower(), Status.OTHER)
        else:
            status = Status.EXPIRED if expires_on and expires_on < self.today else Status.ACTIVE
        raw = dict(zip(self.header, cells, strict=True))
        return self.entry(
            line, cells, raw, number=number, name=self.value(cells, "name"), licence_type=licence_type,
            status=status, status_text=status_text, expires_on=expires_on, discipline=self.value(cells, "discipline"),
        )


ADAPTERS = {Register.Format.TEXAS_TDLR: TexasAdapter, Register.Format.CSV: MappedCSVAdapter}


def adapter_for(register: Register, today: date) -> Adapter:
    return ADAPTERS[register.format](register, today)
