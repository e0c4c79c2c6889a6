"""Choice ids are parsed in one place, and nothing a client sends back can break a query."""

from __future__ import annotations

import pytest

from bot.core import choices


def test_a_packed_id_parses_back() -> None:
    data = choices.pack(choices.BOOKING, "move", "12", "9223372036854775807")
    assert choices.parse(data, choices.BOOKING, 3) == ["move", "12", "9223372036854775807"]


@pytest.mark.parametrize(
    "data",
    [
        "bk:v1:book:" + str(10**23),  # int() is fine; SQLite raises OverflowError
        "bk:v1:book:9223372036854775808",  # one past SQLite's largest integer
        "bk:v1:book:²",  # "².isdigit()" is True, int("²") raises ValueError
        "bk:v1:book:٣",  # another script's digit: not something pack ever built
        "bk:v1:book:" + "1" * 60,  # longer than any id the bot sends
    ],
)
def test_ids_no_button_of_ours_could_carry_are_refused(data: str) -> None:
    assert choices.parse(data, choices.BOOKING, 2) is None
