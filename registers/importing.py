"""Import a register's file: stream it through its adapter into a staging table, then upsert set-wise.

All or nothing. The whole import is one transaction: the rows are streamed into a temporary
staging table (COPY on PostgreSQL, batched inserts on SQLite), never held in memory, and only once
the whole file has been read do a few SQL statements count what is new, changed and gone and write
it. A file that turns out broken on line 600,000 therefore changes nothing, and the RegisterImport
row (written outside that transaction) says how far the import got and why it stopped.

Rows are keyed by (register, normalised number). Unchanged rows are not written at all (their
row_hash matches), so importing the same file twice changes nothing.
"""

import codecs
import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from registers.adapters import ParsedRow, RefusedRow, RegisterFileError, SkippedRow, adapter_for
from registers.models import Register, RegisterImport

# A bad row is refused and reported; this many mean the file is not what the register says it is.
DEFAULT_MAX_REFUSED = 1000
# How many refused rows the summary lists by line.
LISTED_REFUSED = 200
SQLITE_BATCH = 2000
PROGRESS_EVERY = 20_000

# PostgreSQL parses each raw row's JSON as COPY loads it, and drops the table with the transaction.
STAGING_TABLE = {
    "postgresql": """
        CREATE TEMPORARY TABLE register_staging (
            line integer NOT NULL, number varchar(40) NOT NULL, name varchar(200) NOT NULL,
            licence_type varchar(120) NOT NULL, status varchar(10) NOT NULL, status_text varchar(80) NOT NULL,
            expires_on date NULL, has_discipline boolean NOT NULL, discipline text NOT NULL, raw jsonb NOT NULL,
            row_hash varchar(32) NOT NULL
        ) ON COMMIT DROP
    """,
    "sqlite": """
        CREATE TEMPORARY TABLE register_staging (
            line integer NOT NULL, number varchar(40) NOT NULL, name varchar(200) NOT NULL,
            licence_type varchar(120) NOT NULL, status varchar(10) NOT NULL, status_text varchar(80) NOT NULL,
            expires_on date NULL, has_discipline boolean NOT NULL, discipline text NOT NULL, raw text NOT NULL,
            row_hash varchar(32) NOT NULL
        )
    """,
}
COPY_STAGING = (
    "COPY register_staging (line, number, name, licence_type, status, status_text, expires_on, has_discipline, "
    "discipline, raw, row_hash) FROM STDIN"
)
INSERT_STAGING = (
    "INSERT INTO register_staging (line, number, name, licence_type, status, status_text, expires_on, "
    "has_discipline, discipline, raw, row_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
# registers_registerentry is RegisterEntry's table (a test pins it); the rows a new import writes:
COUNT_NEW_OR_CHANGED = """
    SELECT COUNT(*), COUNT(e.id)
    FROM register_staging s LEFT JOIN registers_registerentry e ON e.register_id = %s AND e.number = s.number
    WHERE e.id IS NULL OR e.row_hash <> s.row_hash OR e.gone_at IS NOT NULL
"""
# The same rows; unchanged ones are not written at all.
UPSERT = """
    INSERT INTO registers_registerentry (
        register_id, number, name, licence_type, status, status_text, expires_on, has_discipline, discipline, raw,
        row_hash, first_seen_at, changed_at, gone_at
    )
    SELECT %s, s.number, s.name, s.licence_type, s.status, s.status_text, s.expires_on, s.has_discipline,
           s.discipline, s.raw, s.row_hash, %s, %s, NULL
    FROM register_staging s LEFT JOIN registers_registerentry e ON e.register_id = %s AND e.number = s.number
    WHERE e.id IS NULL OR e.row_hash <> s.row_hash OR e.gone_at IS NOT NULL
    ON CONFLICT (register_id, number) DO UPDATE SET
        name = EXCLUDED.name, licence_type = EXCLUDED.licence_type, status = EXCLUDED.status,
        status_text = EXCLUDED.status_text, expires_on = EXCLUDED.expires_on,
        has_discipline = EXCLUDED.has_discipline, discipline = EXCLUDED.discipline, raw = EXCLUDED.raw,
        row_hash = EXCLUDED.row_hash, changed_at = EXCLUDED.changed_at, gone_at = NULL
"""
# A refused row's licence is left as it was (register_kept): a typo in the file must not make a licence vanish.
MARK_GONE = """
    UPDATE registers_registerentry SET gone_at = %s
    WHERE register_id = %s AND gone_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM register_staging s WHERE s.number = registers_registerentry.number)
      AND NOT EXISTS (SELECT 1 FROM register_kept k WHERE k.number = registers_registerentry.number)
"""

Progress = Callable[[int, int], None]


class _DryRunDone(Exception):
    """Raised at the end of a dry run to roll its transaction back."""


@dataclass
class _Counts:
    lines_read: int = 0
    skipped: int = 0
    refused: int = 0

    def __post_init__(self):
        self.refused_rows: list[list] = []
        self.kept_numbers: list[str] = []

    def refuse(self, line: int, reason: str, number: str = "", *, limit: int) -> None:
        self.refused += 1
        if len(self.refused_rows) < LISTED_REFUSED:
            self.refused_rows.append([line, reason])
        if number:
            self.kept_numbers.append(number)
        if self.refused > limit:
            raise RegisterFileError(
                f"Line {line}: more than {limit} rows refused, so this file is probably not in the register's "
                f"format ({self.refused_rows[0][1]} on line {self.refused_rows[0][0]}, for one). Nothing was imported."
            )


def max_file_bytes() -> int:
    return settings.REGISTER_IMPORT_MAX_BYTES


def _decoded_lines(binary, encoding: str):
    """The file's lines, decoded one at a time, so a decoding error can name its line (a whole-file
    text wrapper decodes 8 KB ahead and would blame line 1)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for number, line in enumerate(binary, 1):
        try:
            yield decoder.decode(line)
        except UnicodeDecodeError as error:
            raise RegisterFileError(
                f"Line {number}: the file is not valid {encoding} (byte 0x{error.object[error.start]:02x}). "
                'If the board writes another encoding, set "encoding" in the register\'s settings. '
                "Nothing was imported."
            ) from None


def _cells(lines, delimiter: str, counts: _Counts):
    """(line number, cells) of each record; a record spanning lines is numbered by its last one."""
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise RegisterFileError(f"Line {reader.line_num}: the file cannot be read as CSV ({error}).") from None
        counts.lines_read = reader.line_num
        yield reader.line_num, cells


def _staging_values(row: ParsedRow, *, sqlite: bool) -> tuple:
    expires_on = row.expires_on.isoformat() if sqlite and row.expires_on else row.expires_on
    return (
        row.line, row.number, row.name, row.licence_type, row.status, row.status_text, expires_on,
        row.has_discipline, row.discipline, row.raw, row.row_hash,
    )


def _load_staging(cursor, rows, counts: _Counts, *, limit: int) -> None:
    def parsed():
        for row in rows:
            if isinstance(row, ParsedRow):
                yield row
            elif isinstance(row, SkippedRow):
                counts.skipped += 1
            elif isinstance(row, RefusedRow):
                counts.refuse(row.line, row.reason, row.number, limit=limit)

    if connection.vendor == "postgresql":
        with cursor.copy(COPY_STAGING) as copy:
            for row in parsed():
                copy.write_row(_staging_values(row, sqlite=False))
        return
    batch = []
    for row in parsed():
        batch.append(_staging_values(row, sqlite=True))
        if len(batch) >= SQLITE_BATCH:
            cursor.executemany(INSERT_STAGING, batch)
            batch.clear()
    if batch:
        cursor.executemany(INSERT_STAGING, batch)


def _refuse_duplicates(cursor, counts: _Counts, *, limit: int) -> None:
    """A number twice in one file: the first row stands, the later ones are refused."""
    cursor.execute(
        """
        SELECT s.line, s.number, f.first_line FROM register_staging s
        JOIN (SELECT number, MIN(line) AS first_line FROM register_staging GROUP BY number HAVING COUNT(*) > 1) f
          ON f.number = s.number
        WHERE s.line > f.first_line ORDER BY s.line
        """
    )
    duplicates = cursor.fetchmany(limit + 1)
    for line, number, first_line in duplicates:
        counts.refuse(line, f"licence number {number} already appeared on line {first_line}", limit=limit)
    if duplicates:
        cursor.execute(
            "DELETE FROM register_staging WHERE line NOT IN (SELECT MIN(line) FROM register_staging GROUP BY number)"
        )


def _apply(cursor, register: Register, counts: _Counts, now) -> dict[str, int]:
    """Count, upsert the new and changed rows, mark the vanished ones gone; returns the counts."""
    cursor.execute("CREATE INDEX register_staging_number ON register_staging (number)")
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE register_staging")  # autovacuum never sees temporary tables
    cursor.execute("SELECT COUNT(*) FROM register_staging")
    (total,) = cursor.fetchone()
    cursor.execute(COUNT_NEW_OR_CHANGED, [register.pk])
    written, changed = cursor.fetchone()
    cursor.execute(UPSERT, [register.pk, now, now, register.pk])
    cursor.execute("CREATE TEMPORARY TABLE register_kept (number varchar(40) NOT NULL)")
    if counts.kept_numbers:
        cursor.executemany("INSERT INTO register_kept (number) VALUES (%s)", [[n] for n in counts.kept_numbers])
    cursor.execute(MARK_GONE, [now, register.pk])
    gone = cursor.rowcount
    for table in ("register_staging", "register_kept"):
        cursor.execute(f"DROP TABLE {table}")
    return {"added": written - changed, "changed": changed, "unchanged": total - written, "gone": gone}


def _make_room_for_staging(cursor) -> None:
    """PostgreSQL keeps temporary tables in temp_buffers (8 MB by default) and spills the rest to disk;
    a whole register's staging table is over a hundred MB. The setting can only change before the
    session's first temporary table, so a second import on the same connection keeps what it has."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL temp_buffers = '256MB'")
    except DatabaseError:
        pass


def import_register(
    *, register: Register, path: Path, progress: Progress | None = None, dry_run: bool = False,
    today: date | None = None,
) -> RegisterImport:
    """Import `path` into `register` in one transaction; returns the RegisterImport that records it.

    Raises RegisterFileError (after recording the failed import) when the file cannot be imported;
    then nothing has changed. A dry run reads and counts everything and rolls back.
    """
    today = today or timezone.localdate()
    path = Path(path)
    if not path.is_file():
        raise RegisterFileError(f"{path}: no such file.")
    size = path.stat().st_size
    limit_bytes = max_file_bytes()
    if size > limit_bytes:
        raise RegisterFileError(
            f"{path.name} is {size / 2**20:,.0f} MB; the limit is {limit_bytes / 2**20:,.0f} MB "
            "(REGISTER_IMPORT_MAX_BYTES). Nothing was read."
        )
    record = RegisterImport.objects.create(register=register, file_name=path.name[:255], file_size=size)
    counts = _Counts()
    limit = int(register.settings.get("max_refused") or DEFAULT_MAX_REFUSED)
    encoding = register.settings.get("encoding") or "utf-8"
    delimiter = register.settings.get("delimiter") or ","
    try:
        codecs.lookup(encoding)
        with path.open("rb") as binary, transaction.atomic():
            # One import per register at a time: a second one waits here, then sees the first's rows.
            Register.objects.select_for_update().get(pk=register.pk)
            adapter = adapter_for(register, today)

            cells = _cells(_decoded_lines(binary, encoding), delimiter, counts)

            def rows():
                for number, row in enumerate(adapter.rows(cells), 1):
                    if number % PROGRESS_EVERY == 0:
                        position = binary.tell()
                        if position > limit_bytes:  # the file grew while being read
                            raise RegisterFileError(f"{path.name} grew past the size limit while being read.")
                        if progress:
                            progress(min(position, size), size)
                    yield row

            now = timezone.now()
            with connection.cursor() as cursor:
                _make_room_for_staging(cursor)
                cursor.execute("DROP TABLE IF EXISTS register_staging")
                cursor.execute("DROP TABLE IF EXISTS register_kept")
                cursor.execute(STAGING_TABLE[connection.vendor])
                _load_staging(cursor, rows(), counts, limit=limit)
                if progress:
                    progress(size, size)
                _refuse_duplicates(cursor, counts, limit=limit)
                applied = _apply(cursor, register, counts, now)
            Register.objects.filter(pk=register.pk).update(last_imported_at=now)
            if dry_run:
                raise _DryRunDone
    except _DryRunDone:
        _finish(record, counts, RegisterImport.Outcome.DRY_RUN, **applied)
        return record
    except LookupError:
        _finish(record, counts, RegisterImport.Outcome.FAILED, error=f"Unknown encoding {encoding!r}.")
        raise RegisterFileError(f"The register's settings name an unknown encoding, {encoding!r}.") from None
    except RegisterFileError as error:
        _finish(record, counts, RegisterImport.Outcome.FAILED, error=str(error))
        raise
    register.last_imported_at = now
    _finish(record, counts, RegisterImport.Outcome.COMPLETED, **applied)
    return record


def _finish(record: RegisterImport, counts: _Counts, outcome: str, **fields) -> None:
    record.outcome = outcome
    record.finished_at = timezone.now()
    record.lines_read = counts.lines_read
    record.skipped = counts.skipped
    record.refused = counts.refused
    record.refused_rows = counts.refused_rows
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()
