"""The set-up the storefront and the console share: text from people is escaped, a value a
template names but was not given is an error, and only plain names of served files are served."""

from __future__ import annotations

import jinja2
import pytest

from cloud_api.web.templates import Site

SITE = Site("cloud_api.storefront", {".css": "text/css; charset=utf-8"}, filters={"loud": str.upper})


def test_text_from_people_is_escaped_and_a_missing_value_is_an_error() -> None:
    template = SITE.environment().from_string("<p>{{ name | loud }}</p>")
    assert template.render(name="<script>x</script>") == "<p>&lt;SCRIPT&gt;X&lt;/SCRIPT&gt;</p>"
    with pytest.raises(jinja2.UndefinedError):
        SITE.environment().from_string("<p>{{ name }}</p>").render()


@pytest.mark.parametrize(
    "name", ["../render.py", "%2e%2e/render.py", "sub/site.css", ".site.css", "site.js", "site", "gone.css"]
)
def test_only_plain_names_of_served_files_are_served(name: str) -> None:
    answer = SITE.static(name)
    assert (answer.status_code, answer.body) == (404, b"Not found")


def test_a_served_file_carries_its_type_and_may_be_cached() -> None:
    answer = SITE.static("site.css")
    assert answer.status_code == 200 and answer.body
    assert answer.headers["content-type"] == "text/css; charset=utf-8"
    assert answer.headers["cache-control"] == "public, max-age=3600"
