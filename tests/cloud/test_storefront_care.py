"""The storefront builder's allergy and care fields read into the order API's care flags, with
the counter's vocabulary; what cannot be a flag is a clear 400, never a half-read line."""

from __future__ import annotations

import pytest

from cloud_api.errors import BadRequest
from cloud_api.storefront.forms import care_flags


def test_typed_and_ticked_care_become_the_kitchens_flags() -> None:
    form = {
        "care_allergy": " milk ",
        "care_well_done": "1",
        "care_cut_squares": "1",
        "care_other": "no basil",
    }
    assert [f.label for f in care_flags(form)] == [
        "ALLERGY: MILK",
        "WELL DONE",
        "CUT IN SQUARES",
        "CARE: NO BASIL",
    ]
    assert care_flags({"care_allergy": "  ", "care_other": ""}) == []


@pytest.mark.parametrize(
    "form", [{"care_allergy": "x" * 61}, {"care_other": "nuts\x1b[31m"}, {"care_allergy": "a\nb"}]
)
def test_a_flag_that_cannot_be_one_is_refused_with_what_to_do(form: dict[str, str]) -> None:
    with pytest.raises(BadRequest, match="one line of up to 60 characters"):
        care_flags(form)
