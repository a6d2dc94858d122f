"""The home page's search form: the same keyword box as the search page."""

import re

import pytest

from tests.factories import TherapistFactory

pytestmark = pytest.mark.django_db


def home_search_form(client) -> str:
    content = client.get("/").content.decode()
    match = re.search(r'<form class="search-form"[^>]*action="/therapists/".*?</form>', content, re.S)
    assert match, "no search form posting to /therapists/ on the home page"
    return match.group(0)


def test_home_search_form_has_a_labelled_keyword_box_named_q(client):
    form = home_search_form(client)
    field = re.search(r'<input id="([^"]+)" name="q"', form)
    assert field, "no q input in the home search form"
    assert f'<label for="{field.group(1)}">Name, massage type or keyword</label>' in form


def test_keyword_from_the_home_form_finds_the_therapist_by_headline(client):
    TherapistFactory(display_name="Clara Weber", headline="Lymphatic drainage after surgery")
    TherapistFactory(display_name="Ben Brandt", headline="Sports massage")
    names = re.findall(r'name="([^"]+)"', home_search_form(client))
    assert names == ["q", "city", "modality", "need"]
    # What the browser sends when only the keyword is filled in.
    response = client.get("/therapists/", {"q": "lymphatic", "city": "", "modality": "", "need": ""})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Clara Weber" in content
    assert "Ben Brandt" not in content
