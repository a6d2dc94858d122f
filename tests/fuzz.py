"""Shared hypothesis strategies for the fuzz tests: any text, number or date a person could type, and worse."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Surrogates cannot travel in UTF-8, so no browser can send them; everything else can.
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
hostile = st.sampled_from(
    [
        "", " ", "\x00", "a\x00b", "\t\r\n", "<script>alert(1)</script>", "'; DROP TABLE therapists_therapist; --",
        "%", "_", "\\", "9" * 400, "-1", "0", "1e309", "-1e309", "NaN", "inf", "2024-02-30", "0000-00-00",
        "9999-12-31", "1-1-1", "١٢٣", "True", "False", "on", "ｆｕｌｌｗｉｄｔｈ", "\u202eevil", "💆" * 50,
    ]
)
number_text = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=False).map(str),
)
date_text = st.one_of(
    st.dates().map(lambda value: value.isoformat()),
    st.dates().map(lambda value: value.strftime("%d/%m/%Y")),
    st.datetimes().map(lambda value: value.isoformat()),
)
field_value = st.one_of(hostile, any_text, number_text, date_text)

# Modest example counts keep the suite fast; CI runs these on SQLite and on PostgreSQL.
fuzz_settings = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.status_code
    assert b"Traceback" not in response.content
