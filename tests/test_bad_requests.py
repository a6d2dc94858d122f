"""Malformed, oversized and hostile requests are refused with a 4xx, never a 500 or a traceback.

The test client runs with DEBUG off (pytest-django's default), so the site's own 400/404 pages answer,
as they would in production. Each test also checks that nothing changed in the database.
"""

import pytest
from django.test import Client

from reviews.models import Review
from tests.factories import TEST_PASSWORD, ReviewFactory, TherapistFactory, UserFactory
from therapists.models import Credential, Therapist

pytestmark = pytest.mark.django_db

TWELVE_MB = 12 * 1024 * 1024


def assert_clean_refusal(response, *statuses):
    assert response.status_code in statuses, response.status_code
    body = response.content.decode(errors="replace")
    assert "Traceback" not in body
    assert 'File "' not in body
    assert "SECRET_KEY" not in body


@pytest.fixture
def owner(client):
    therapist = TherapistFactory(draft=True)
    client.force_login(therapist.user)
    return therapist


def test_a_body_larger_than_the_upload_limit_is_refused_with_400(client, owner):
    body = "bio=" + "x" * (TWELVE_MB + 1)
    response = client.post("/dashboard/profile/", body, content_type="application/x-www-form-urlencoded")
    assert_clean_refusal(response, 400, 413)
    owner.refresh_from_db()
    assert "x" * 100 not in owner.bio


def test_an_oversized_login_attempt_is_refused_before_any_authentication(client):
    user = UserFactory()
    body = f"login={user.email}&password={TEST_PASSWORD}&padding=" + "x" * (TWELVE_MB + 1)
    response = client.post("/accounts/login/", body, content_type="application/x-www-form-urlencoded")
    assert_clean_refusal(response, 400, 413)
    assert "_auth_user_id" not in client.session


def test_too_many_form_fields_are_refused_with_400(client, owner):
    fields = {f"field{index}": "x" for index in range(1000)}
    response = client.post("/dashboard/profile/", {**fields, "display_name": "Changed by a flood"})
    assert_clean_refusal(response, 400)
    owner.refresh_from_db()
    assert owner.display_name != "Changed by a flood"


def test_too_many_query_parameters_are_refused_with_400(client):
    query = "&".join(f"modality=m{index}" for index in range(1000))
    response = client.get(f"/therapists/?{query}")
    assert_clean_refusal(response, 400)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=BOUNDARY", b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"photo\""),
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=", b"--\r\n\r\n"),
        ("multipart/form-data; boundary=BOUNDARY", b"\x00\xff" * 500),
        (
            "multipart/form-data; boundary=BOUNDARY",
            b'--BOUNDARY\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
            b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0 truncated, never closed",
        ),
    ],
    ids=["unterminated-part", "no-boundary", "empty-boundary", "binary-noise", "truncated-file"],
)
def test_a_malformed_multipart_upload_is_refused_and_keeps_the_old_photo(client, owner, content_type, body):
    response = client.generic("POST", "/dashboard/photo/", body, content_type=content_type)
    # A broken envelope is a 400; parts Django can read but that carry no file show the form again.
    assert_clean_refusal(response, 400, 200)
    owner.refresh_from_db()
    assert not owner.photo


def test_a_malformed_multipart_credential_upload_creates_no_credential(client, owner):
    response = client.generic(
        "POST", "/dashboard/credentials/new/", b"--X\r\nContent-Disposition: form-data",
        content_type="multipart/form-data; boundary=X",
    )
    assert_clean_refusal(response, 400, 200)
    assert not Credential.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/static/../manage.py",
        "/static/../../directory/settings.py",
        "/static/%2e%2e/%2e%2e/directory/settings.py",
        "/media/../private/licence.pdf",
        "/therapists/..%2f..%2fetc%2fpasswd/",
        "/therapists/../../../../etc/passwd/",
        "/dashboard/credentials/..%2F1/document/",
    ],
)
def test_a_path_climbing_out_with_dot_dot_is_not_found(client, path):
    response = client.get(path)
    assert_clean_refusal(response, 404, 400)
    body = response.content.decode(errors="replace")
    assert "root:" not in body
    assert "DJANGO_SECRET_KEY" not in body


@pytest.mark.parametrize("page", ["99999999999999999999999", "1e400", "-5", "0", "NaN", "\u0663", "1" * 5000])
def test_a_huge_or_malformed_page_number_shows_a_real_page(client, page):
    TherapistFactory()
    response = client.get("/therapists/", {"page": page})
    assert_clean_refusal(response, 200)
    assert response.context["page"].number == 1


@pytest.mark.parametrize("page", ["99999999999999999999999", "1e400", "-5", "NaN", "1" * 5000])
def test_a_huge_or_malformed_page_number_on_the_api_is_404(client, page):
    TherapistFactory()
    response = client.get("/api/v1/therapists/", {"page": page})
    assert_clean_refusal(response, 404)
    assert response.json() == {"detail": "Invalid page."}


def test_a_huge_review_page_number_shows_the_last_page_of_reviews(client):
    review = ReviewFactory()
    response = client.get(review.therapist.get_absolute_url(), {"page": "9" * 100})
    assert_clean_refusal(response, 200)
    assert "only 1 pages" in response.content.decode() or response.context["reviews"].number == 1


def test_a_ten_thousand_character_search_is_refused_with_a_message_next_to_the_field(client):
    response = client.get("/therapists/", {"q": "massage, " * 1111 + "x"})
    assert_clean_refusal(response, 400)
    errors = response.context["form"].errors["q"]
    assert errors == ["Ensure this value has at most 200 characters (it has 10000)."]
    assert "at most 200 characters" in response.content.decode()


def test_a_ten_thousand_character_search_on_the_api_is_a_400_naming_q(client):
    response = client.get("/api/v1/therapists/", {"q": "x" * 10_000})
    assert_clean_refusal(response, 400)
    assert list(response.json()) == ["q"]


@pytest.mark.parametrize(
    ("param", "value"),
    [("q", "\x00"), ("city", "Paris\x00"), ("lat", "1e999"), ("lon", "nan"), ("radius_km", "inf"),
     ("min_rating", "-0"), ("max_price", "9" * 400), ("min_years", "1.5"), ("sort", "-score; DROP TABLE")],
)
def test_hostile_search_parameters_are_refused_or_ignored_never_500(client, param, value):
    TherapistFactory()
    html = client.get("/therapists/", {param: value})
    api = client.get("/api/v1/therapists/", {param: value})
    assert_clean_refusal(html, 200, 400)
    assert_clean_refusal(api, 200, 400)
    assert Therapist.objects.count() == 1


def test_a_huge_review_body_is_a_form_error_and_saves_nothing(client):
    therapist = TherapistFactory()
    client.force_login(UserFactory())
    response = client.post(
        f"/therapists/{therapist.slug}/review/",
        {"rating": "5", "title": "t" * 100_000, "body": "b" * 1_000_000, "visit_date": "2020-01-01"},
    )
    assert_clean_refusal(response, 200)
    assert response.context["form"].errors["body"]
    assert not Review.objects.exists()


def test_an_unknown_http_method_is_refused_with_405(client):
    response = client.generic("PROPFIND", "/therapists/")
    assert_clean_refusal(response, 405)


def test_a_request_for_an_unknown_host_is_refused_with_400(settings):
    settings.ALLOWED_HOSTS = ["directory.example"]
    response = Client().get("/", HTTP_HOST="evil.example")
    assert_clean_refusal(response, 400)
    assert "could not understand" in response.content.decode()


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(owner):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner.user)
    response = csrf_client.post("/dashboard/profile/", {"display_name": "Forged"})
    assert_clean_refusal(response, 403)
    owner.refresh_from_db()
    assert owner.display_name != "Forged"


@pytest.mark.parametrize(
    "path", ["/api/v1/therapists/%C3%AB%E2%B2%AB/", "/api/v1/therapists/a%20b/reviews/", "/api/v1/nothing/", "/api/"]
)
def test_an_api_path_that_matches_nothing_is_a_json_404(client, path):
    response = client.get(path)
    assert_clean_refusal(response, 404)
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_empty_page_number_is_the_first_page(client):
    TherapistFactory()
    response = client.get("/api/v1/therapists/", {"page": ""})
    assert response.status_code == 200
    assert response.json()["previous"] is None


def test_a_city_with_a_percent_sign_is_a_clear_400_not_a_500(client):
    """The unknown city is a parameter of its message: a "%" in it broke the formatting once."""
    response = client.get("/api/v1/therapists/", {"city": "100% Nowhere %s %(city)s"})
    assert response.status_code == 400
    assert response.json()["city"] == [
        "We don't know a city called “100% Nowhere %s %(city)s”. Check the spelling, or add the country: “Paris, FR”."
    ]
    html = client.get("/therapists/", {"city": "50%"})
    assert html.status_code == 400
    assert "We don&#x27;t know a city called “50%”" in html.content.decode()


def test_a_site_path_that_matches_nothing_is_the_html_404_page(client):
    response = client.get("/nothing/here/")
    assert_clean_refusal(response, 404)
    assert "Page not found" in response.content.decode()


def test_the_api_document_says_empty_filters_are_allowed_and_refusals_are_keyed_by_parameter(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/therapists/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["verified"]["allowEmptyValue"] is True
    # An empty page is the first page, as DRF serves it; the document must say so.
    assert parameters["page"]["allowEmptyValue"] is True
    bad_input = operation["responses"]["400"]["content"]["application/json"]["schema"]
    assert bad_input == {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}


@pytest.mark.parametrize(
    ("template", "heading"),
    [("400.html", "We could not understand that request"), ("403.html", "You cannot open this page"),
     ("404.html", "Page not found"), ("429.html", "Too many attempts"), ("500.html", "Something went wrong")],
)
def test_error_pages_render_without_a_request_or_context(template, heading):
    # Django renders 400 and 500 this way, after something has already failed.
    from django.template import loader

    html = loader.get_template(template).render()
    assert heading in html
    assert 'href="/static/css/site.css"' in html or "site.css" in html


def test_a_view_that_crashes_answers_the_500_page_without_a_traceback(client, monkeypatch):
    import directory.views

    def explode(*args, **kwargs):
        raise RuntimeError("boom: secret internals")

    monkeypatch.setattr(directory.views, "search_choices", explode)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "boom" not in body and "Traceback" not in body


def test_a_slow_client_holds_one_worker_only_until_gunicorns_timeout(tmp_path):
    """A client that sends half a body and stalls: the other worker keeps serving, and gunicorn
    drops the stalled request after --timeout instead of waiting for ever (production also puts a
    buffering proxy in front, see SECURITY.md)."""
    import socket
    import time

    from tests.gunicorn_server import base_env, gunicorn, manage, request

    env = base_env(tmp_path / "site.sqlite3")
    manage("migrate", "--noinput", env=env)
    with gunicorn(env, workers=2, access_log=tmp_path / "access.log", timeout=3, preload=True) as port:
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            # A well-formed CSRF cookie, so the middleware goes on to read the (never finished) body.
            b"Cookie: csrftoken=" + b"a" * 32 + b"\r\nContent-Length: 100000\r\n\r\nlogin=slow"
        )
        started = time.monotonic()
        assert request(port, "GET", "/healthz")[0] == 200
        assert time.monotonic() - started < 2

        slow.settimeout(15)
        try:
            answer = slow.recv(4096)
        except ConnectionResetError:
            answer = b""
        waited = time.monotonic() - started
        slow.close()
        assert not answer.startswith(b"HTTP/1.1 2")
        assert b"Traceback" not in answer
        # Held for the worker timeout (3 s), then dropped: not answered early, not held for ever.
        assert 2.5 < waited < 12
        assert request(port, "GET", "/healthz")[0] == 200


TOO_LARGE_ID = "9" * 30  # past any database integer: SQLite raised OverflowError, PostgreSQL a DataError


@pytest.mark.parametrize("field", ["modalities", "needs", "languages"])
def test_a_profile_choice_id_past_the_integer_range_is_an_invalid_choice(client, owner, field):
    response = client.post("/dashboard/profile/", {"display_name": "Renamed", field: TOO_LARGE_ID})
    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    owner.refresh_from_db()
    assert owner.display_name != "Renamed"


def test_a_credential_modality_id_past_the_integer_range_is_an_invalid_choice(client, owner):
    response = client.post("/dashboard/credentials/new/", {"kind": "licence", "modality": TOO_LARGE_ID})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Credential.objects.exists()


def test_a_review_modality_id_past_the_integer_range_is_an_invalid_choice(client):
    therapist = TherapistFactory()
    client.force_login(UserFactory())
    response = client.post(f"/therapists/{therapist.slug}/review/", {"rating": "5", "modality": TOO_LARGE_ID})
    assert response.status_code == 200
    assert "Choose a massage type this therapist offers." in response.content.decode()
    assert not Review.objects.exists()
