"""import_register: the Texas and mapped-CSV adapters, idempotent upserts, and bad input changing nothing."""

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from registers.adapters import TEXAS_COLUMNS, RegisterFileError
from registers.importing import import_register
from registers.models import Register, RegisterEntry, RegisterImport
from tests.factories import RegisterEntryFactory, RegisterFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)


def texas_row(number, name="NOWAK, IVAN PETROV", expires="03/01/2027", kind="Massage Therapist", twentieth=False):
    row = [kind, number, expires, "TRAVIS", name, "1 MAIN ST", "", "AUSTIN, TX 78701", "5125550100", "", "", "", "",
           "227", "TRAVIS", "78701", "", "", "N"]
    return [*row, ""] if twentieth else row


def write_csv(path, rows, header=TEXAS_COLUMNS, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def texas():
    return RegisterFactory(slug="texas-tdlr", name="Texas TDLR licence register", last_imported_at=None)


def run(register, path, **kwargs):
    return import_register(register=register, path=path, today=TODAY, **kwargs)


def test_texas_file_with_20_column_rows_and_us_dates_is_imported(texas, tmp_path):
    """19- and 20-column rows both import; MM/DD/YYYY becomes the date, the row is kept raw."""
    path = write_csv(tmp_path / "tdlr.csv", [texas_row("MT123456"), texas_row("MT000789", "WEBER, CLARA", "12/31/2025",
                                                                                      twentieth=True)])
    record = run(texas, path)
    assert (record.outcome, record.added, record.refused) == (RegisterImport.Outcome.COMPLETED, 2, 0)
    ivan = RegisterEntry.objects.get(register=texas, number="MT123456")
    assert ivan.expires_on == date(2027, 3, 1)
    assert ivan.name == "NOWAK, IVAN PETROV"
    assert ivan.licence_type == "Massage Therapist"
    assert ivan.status == RegisterEntry.Status.ACTIVE
    assert ivan.raw[TEXAS_COLUMNS.index("COUNTY")] == "TRAVIS"
    assert len(RegisterEntry.objects.get(number="MT000789").raw) == 20
    clara = RegisterEntry.objects.get(register=texas, number="MT000789")
    assert clara.expires_on == date(2025, 12, 31)
    assert clara.status == RegisterEntry.Status.EXPIRED  # no status column: past its expiry date
    texas.refresh_from_db()
    assert texas.last_imported_at is not None


def test_importing_the_same_file_twice_changes_nothing(texas, tmp_path):
    path = write_csv(tmp_path / "tdlr.csv", [texas_row("MT1"), texas_row("MT2")])
    run(texas, path)
    before = list(RegisterEntry.objects.values_list("number", "changed_at", "row_hash").order_by("number"))
    again = run(texas, path)
    assert (again.added, again.changed, again.unchanged, again.gone) == (0, 0, 2, 0)
    assert list(RegisterEntry.objects.values_list("number", "changed_at", "row_hash").order_by("number")) == before


def test_a_changed_row_is_updated_and_a_vanished_one_marked_gone(texas, tmp_path):
    run(texas, write_csv(tmp_path / "day1.csv", [texas_row("MT1"), texas_row("MT2"), texas_row("MT3")]))
    record = run(texas, write_csv(tmp_path / "day2.csv", [texas_row("MT1", expires="03/01/2029"), texas_row("MT3")]))
    assert (record.added, record.changed, record.unchanged, record.gone) == (0, 1, 1, 1)
    assert RegisterEntry.objects.get(number="MT1").expires_on == date(2029, 3, 1)
    assert RegisterEntry.objects.get(number="MT2").gone_at is not None
    assert RegisterEntry.objects.listed().count() == 2


def test_a_licence_back_in_the_file_is_listed_again(texas, tmp_path):
    run(texas, write_csv(tmp_path / "day1.csv", [texas_row("MT1"), texas_row("MT2")]))
    run(texas, write_csv(tmp_path / "day2.csv", [texas_row("MT1")]))
    record = run(texas, write_csv(tmp_path / "day3.csv", [texas_row("MT1"), texas_row("MT2")]))
    assert (record.added, record.changed, record.unchanged, record.gone) == (0, 1, 1, 0)
    assert RegisterEntry.objects.get(number="MT2").gone_at is None


def test_an_impossible_date_refuses_that_row_by_line_and_keeps_its_entry(texas, tmp_path):
    """Line 3 is refused with the reason; the licence already listed under that number is not marked gone."""
    run(texas, write_csv(tmp_path / "day1.csv", [texas_row("MT1"), texas_row("MT2")]))
    record = run(texas, write_csv(tmp_path / "day2.csv", [texas_row("MT1"), texas_row("MT2", expires="02/30/2027")]))
    assert record.refused == 1
    assert record.refused_rows == [[3, "LICENSE EXPIRATION DATE '02/30/2027' is not a date (MM/DD/YYYY)"]]
    assert record.gone == 0
    kept = RegisterEntry.objects.get(number="MT2")
    assert (kept.gone_at, kept.expires_on) == (None, date(2027, 3, 1))


def test_a_file_with_the_wrong_columns_is_refused_and_changes_nothing(texas, tmp_path):
    RegisterEntryFactory(register=texas, number="MT9")
    header = list(TEXAS_COLUMNS)
    header[4] = "FULL NAME"
    path = write_csv(tmp_path / "other.csv", [texas_row("MT1")], header=header)
    expected = "Line 1: this is not a Texas TDLR licence file: column 5 is 'FULL NAME'"
    with pytest.raises(RegisterFileError, match=expected):
        run(texas, path)
    assert list(RegisterEntry.objects.values_list("number", "gone_at")) == [("MT9", None)]
    record = RegisterImport.objects.get()
    assert record.outcome == RegisterImport.Outcome.FAILED
    assert "column 5" in record.error


def test_a_broken_encoding_names_the_line_and_imports_nothing(texas, tmp_path):
    """The bad byte is on line 4, after two good rows: those are rolled back too."""
    path = write_csv(tmp_path / "tdlr.csv", [texas_row("MT1"), texas_row("MT2"), texas_row("MT3", "MÜLLER, ANNA")],
                     encoding="latin-1")
    with pytest.raises(RegisterFileError, match=r"Line 4: the file is not valid utf-8 \(byte 0xdc\)"):
        run(texas, path)
    assert not RegisterEntry.objects.exists()
    texas.refresh_from_db()
    assert texas.last_imported_at is None


def test_the_encoding_in_the_registers_settings_reads_a_latin1_file(texas, tmp_path):
    texas.settings = {"encoding": "latin-1"}
    texas.save()
    run(texas, write_csv(tmp_path / "tdlr.csv", [texas_row("MT3", "MÜLLER, ANNA")], encoding="latin-1"))
    assert RegisterEntry.objects.get().name == "MÜLLER, ANNA"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(texas, tmp_path, settings):
    settings.REGISTER_IMPORT_MAX_BYTES = 1024
    path = write_csv(tmp_path / "huge.csv", [texas_row(f"MT{n}") for n in range(30)])
    with pytest.raises(RegisterFileError, match=r"huge.csv is .* the limit is .*Nothing was read"):
        run(texas, path)
    assert not RegisterEntry.objects.exists()
    assert not RegisterImport.objects.exists()


def test_a_number_twice_in_one_file_keeps_the_first_row(texas, tmp_path):
    path = write_csv(tmp_path / "tdlr.csv", [texas_row("MT1", "FIRST, ONE"), texas_row("mt 1", "SECOND, TWO")])
    record = run(texas, path)
    assert record.refused_rows == [[3, "licence number MT1 already appeared on line 2"]]
    assert RegisterEntry.objects.get().name == "FIRST, ONE"


def test_too_many_refused_rows_stop_the_import(texas, tmp_path):
    texas.settings = {"max_refused": 2}
    texas.save()
    rows = [texas_row("MT1"), *[texas_row(f"MT{n}", expires="13/45/2027") for n in range(2, 6)]]
    with pytest.raises(RegisterFileError, match="more than 2 rows refused"):
        run(texas, write_csv(tmp_path / "tdlr.csv", rows))
    assert not RegisterEntry.objects.exists()


def test_licence_types_the_register_does_not_import_are_skipped(texas, tmp_path):
    texas.settings = {"licence_types": ["Massage Therapist"]}
    texas.save()
    record = run(texas, write_csv(tmp_path / "tdlr.csv", [texas_row("MT1"), texas_row("EL1", kind="Electrician")]))
    assert (record.added, record.skipped) == (1, 1)
    assert list(RegisterEntry.objects.values_list("number", flat=True)) == ["MT1"]


def test_a_dry_run_counts_and_changes_nothing(texas, tmp_path):
    record = run(texas, write_csv(tmp_path / "tdlr.csv", [texas_row("MT1")]), dry_run=True)
    assert (record.outcome, record.added) == (RegisterImport.Outcome.DRY_RUN, 1)
    assert not RegisterEntry.objects.exists()


@pytest.fixture
def washington():
    return RegisterFactory(
        slug="wa-doh",
        format=Register.Format.CSV,
        region="Washington",
        last_imported_at=None,
        settings={
            "columns": {
                "number": "Credential Number",
                "name": ["First Name", "Last Name"],
                "licence_type": "Credential Type",
                "status": "Status",
                "expires_on": "Expiration Date",
                "discipline": "Enforcement Action",
            },
            "date_format": "%Y-%m-%d",
        },
        leading_zeros=Register.LeadingZeros.STRIP,
    )


WA_HEADER = ["Credential Number", "Last Name", "First Name", "Credential Type", "Status", "Expiration Date",
             "Enforcement Action"]


def test_mapped_csv_reads_status_discipline_and_split_names(washington, tmp_path):
    path = write_csv(tmp_path / "wa.csv", [
        ["MA.00060123", "Nowak", "Ivan", "Massage Therapist License", "ACTIVE", "2027-03-01", ""],
        ["MA.00060124", "Kowalski", "Jan", "Massage Therapist License", "REVOKED", "2026-01-01",
         "Revoked 2025-11-02: practising outside the scope of the licence"],
        ["MA.00060125", "Lee", "Sun", "Massage Therapist License", "PROBATION", "2027-05-01", "Y"],
    ], header=WA_HEADER)
    record = run(washington, path)
    assert record.added == 3
    ivan = RegisterEntry.objects.get(number="MA60123")  # dots dropped, leading zeros stripped
    assert (ivan.name, ivan.status, ivan.status_text, ivan.has_discipline) == ("Ivan Nowak", "active", "ACTIVE", False)
    jan = RegisterEntry.objects.get(number="MA60124")
    assert jan.status == RegisterEntry.Status.REVOKED
    assert jan.has_discipline
    assert jan.discipline == "Revoked 2025-11-02: practising outside the scope of the licence"
    sun = RegisterEntry.objects.get(number="MA60125")
    assert (sun.status, sun.status_text, sun.has_discipline, sun.discipline) == ("other", "PROBATION", True, "")


def test_mapped_csv_without_a_mapped_column_names_it(washington, tmp_path):
    path = write_csv(tmp_path / "wa.csv", [["1", "Nowak", "Ivan"]], header=["Credential Number", "Last Name", "Given"])
    with pytest.raises(RegisterFileError, match="no column 'First Name', 'Credential Type'"):
        run(washington, path)


def test_mapped_csv_refuses_a_date_in_another_format(washington, tmp_path):
    path = write_csv(tmp_path / "wa.csv", [["MA1", "Nowak", "Ivan", "Massage", "ACTIVE", "03/01/2027", ""]],
                     header=WA_HEADER)
    record = run(washington, path)
    assert record.refused_rows == [[2, "expiry date '03/01/2027' is not a date (%Y-%m-%d)"]]


@pytest.mark.parametrize(("leading_zeros", "width", "raw", "expected"), [
    ("keep", None, " mt-012 345 ", "MT012345"),
    ("strip", None, "MT 00012345", "MT12345"),
    ("strip", None, "000", "0"),
    ("pad", 7, "mt12345", "MT0012345"),
])
def test_licence_numbers_are_normalised_the_way_the_register_writes_them(leading_zeros, width, raw, expected):
    register = Register(leading_zeros=leading_zeros, number_width=width)
    assert register.normalise_number(raw) == expected


def test_a_csv_register_without_a_number_column_is_refused_by_clean():
    register = RegisterFactory.build(format=Register.Format.CSV, settings={"columns": {"name": "Name"}})
    with pytest.raises(Exception, match="must name: number"):
        register.clean()


def test_the_sql_names_the_entry_table():
    assert RegisterEntry._meta.db_table == "registers_registerentry"


def test_command_prints_the_summary_with_refused_lines(texas, tmp_path):
    path = write_csv(tmp_path / "tdlr.csv", [texas_row("MT1"), texas_row("MT2", expires="00/10/2027")])
    out = io.StringIO()
    call_command("import_register", "texas-tdlr", str(path), stdout=out)
    text = out.getvalue()
    assert "Imported: Texas TDLR licence register, 3 lines of tdlr.csv" in text
    assert "  added              1" in text
    assert "  refused            1" in text
    assert "line 3: LICENSE EXPIRATION DATE '00/10/2027' is not a date (MM/DD/YYYY)" in text


def test_command_names_an_unknown_register_and_the_known_ones(texas, tmp_path):
    with pytest.raises(CommandError, match=r"Unknown register 'ohio'\. Known registers: texas-tdlr\."):
        call_command("import_register", "ohio", str(tmp_path / "x.csv"))


def test_command_reports_a_missing_file(texas, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_register", "texas-tdlr", str(tmp_path / "missing.csv"))
