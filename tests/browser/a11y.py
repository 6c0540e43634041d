"""Accessibility checks run inside a page under test."""

from __future__ import annotations

from typing import Any

#: WCAG 2 AA: normal-size text needs a contrast ratio of at least 4.5:1 with its background.
MIN_CONTRAST = 4.5

_LOW_CONTRAST_JS = """
(minimum) => {
  function rgba(text) {
    const parts = text.match(/[\\d.]+/g).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  }
  function luminance(c) {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(element) {
    for (let e = element; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour.a > 0) return colour;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  }
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const element = walker.currentNode.parentElement;
    if (!text || !element.checkVisibility() || element.closest(':disabled')) continue;
    const a = luminance(rgba(getComputedStyle(element).color));
    const b = luminance(background(element));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < minimum) low.push(text.slice(0, 40) + ' (' + ratio.toFixed(2) + ':1)');
  }
  return low;
}
"""


def low_contrast_text(frame: Any) -> list[str]:
    """Visible text (not on a disabled control) whose contrast is below :data:`MIN_CONTRAST`,
    as ``"text (ratio:1)"``; solid colours only (no images or gradients behind the text)."""
    found: list[str] = frame.evaluate(_LOW_CONTRAST_JS, MIN_CONTRAST)
    return found
