"""Colour contrast by WCAG 2.x's formula: relative luminance of sRGB colours and the ratio
(L1 + 0.05) / (L2 + 0.05). Text on a partner's colour is black or white, whichever contrasts
more; a partner colour neither reaches 4.5:1 with is refused."""

import re

BLACK, WHITE = "#000000", "#ffffff"
TEXT_CONTRAST = 4.5  # WCAG 1.4.3, normal text
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """WCAG's relative luminance of a #rrggbb colour (0 black … 1 white)."""
    if not HEX.match(color):
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    r, g, b = (_channel(int(color[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two colours, 1 … 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background: str) -> str:
    """Black or white text, whichever has the higher contrast on the background."""
    return BLACK if contrast(BLACK, background) >= contrast(WHITE, background) else WHITE


def best_text_contrast(background: str) -> float:
    return contrast(text_on(background), background)
