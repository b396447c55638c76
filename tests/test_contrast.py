"""WCAG contrast: the formula, and the chart's bar text chosen by it."""

import itertools
import re

import pytest

from events.contrast import BLACK, WHITE, best_text_contrast, contrast, luminance, text_on
from events.contributions.charts import Series, share_chart

# 16 levels a channel: 4,096 colours across the whole cube.
SAMPLES = ["#" + "".join(f"{v:02x}" for v in rgb)
           for rgb in itertools.product(range(0, 256, 17), repeat=3)]


def test_the_formula_gives_the_known_ratios():
    assert contrast(BLACK, WHITE) == pytest.approx(21)
    assert contrast(WHITE, WHITE) == pytest.approx(1)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert contrast("#777777", WHITE) < 4.5
    assert luminance("#ff0000") == pytest.approx(0.2126)
    with pytest.raises(ValueError, match="not a #rrggbb colour"):
        luminance("red")


def test_text_on_a_colour_is_the_one_of_black_and_white_with_more_contrast():
    for color in SAMPLES:
        chosen = text_on(color)
        other = WHITE if chosen == BLACK else BLACK
        assert contrast(chosen, color) >= contrast(other, color), color
        assert best_text_contrast(color) >= 4.5, color  # one of them always reaches 4.5:1


def bar_ink(color: str) -> str:
    svg = share_chart(title="t", description="d", columns=["Jan"], x_title="x", y_title="y",
                      series=[Series("A", color, [1])], empty_text="none")
    return re.search(r'</rect><text [^>]*fill="(#[0-9a-f]{6})">100 %</text>', svg).group(1)


def test_the_chart_writes_on_each_bar_in_the_colour_the_formula_picks():
    wrong = [color for color in SAMPLES if bar_ink(color) != text_on(color)]
    assert wrong == []
