"""The tips file: the shipped file passes, broken files fail with line numbers, reloads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.services.tips_content import (
    DEFAULT_TIPS_FILE,
    PREP,
    TOPICS,
    TipLibrary,
    TipsFileError,
    load_tips,
    parse_tips,
)

DATA = Path(__file__).parents[1] / "data"
ONE_TIP = """tips:
  - id: {ident}
    topic: photos
    indonesia: Foto dekat jendela.
    english: Shoot near a window.
"""


def test_shipped_file_has_sixty_tips_in_every_topic() -> None:
    tips = load_tips(DEFAULT_TIPS_FILE.read_text("utf-8"))
    assert len([t for t in tips if t.topic != PREP]) >= 60
    assert {t.topic for t in tips} == set(TOPICS)
    assert len([t for t in tips if t.topic == PREP]) == 3
    assert all(t.text["id"] and t.text["en"] for t in tips)


def test_broken_file_lists_each_problem_with_its_line() -> None:
    _, problems = parse_tips((DATA / "tips_broken.yaml").read_text("utf-8"))
    found = {(p.line, p.message.split(":")[0]) for p in problems}
    assert (7, "missing text in 'english'") in found
    assert (11, "id 'good-one' repeats line 2") in found
    assert (19, "indonesia") in found and "629 characters" in str(problems[2])
    assert (25, "indonesia") in found and "not closed" in str(problems[3])
    assert (27, "english") in found and "&amp;" in str(problems[4])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tips: 3\n", "line 1: the file must have 'tips:'"),
        ("tips:\n  - id: x\n    topic: weather\n", "line 2: topic 'weather'"),
        ("tips:\n  - id: x\n    colour: red\n", "line 3: unknown field 'colour'"),
        ("tips: [\n", "not valid YAML"),
    ],
)
def test_unknown_tags_and_shapes_are_refused(text: str, message: str) -> None:
    with pytest.raises(TipsFileError, match=message):
        load_tips(text)


def test_unknown_marketplace_and_level_are_refused() -> None:
    text = ONE_TIP.format(ident="x") + "    marketplaces: [amazon]\n    level: expert\n"
    _, problems = parse_tips(text)
    assert [str(p) for p in problems] == [
        "line 2: level 'expert' is not beginner, selling or all",
        "line 6: unknown marketplace 'amazon'",
    ]


def test_cli_check_passes_on_the_shipped_file_and_fails_on_a_broken_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["tips", "check"]) == 0
    assert "all fine" in capsys.readouterr().out
    assert main(["tips", "check", str(DATA / "tips_broken.yaml")]) == 1
    err = capsys.readouterr().err
    assert "5 problem(s)" in err and "line 11: id 'good-one' repeats line 2" in err


async def test_library_reloads_a_changed_file_and_keeps_tips_after_a_broken_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tips.yaml"
    path.write_text(ONE_TIP.format(ident="first"), "utf-8")
    library = TipLibrary(path)
    assert [t.id for t in await library.tips()] == ["first"]
    path.write_text(ONE_TIP.format(ident="second"), "utf-8")
    os.utime(path, (1, 1))
    assert main(["tips", "reload", str(path)]) == 0  # checks, then touches the file
    assert [t.id for t in await library.tips()] == ["second"]
    path.write_text("tips:\n  - id: Broken!\n", "utf-8")
    os.utime(path, (2, 2))
    assert [t.id for t in await library.tips()] == ["second"]
    assert main(["tips", "reload", str(path)]) == 1
    capsys.readouterr()
