"""The API's input exception, with the field named (see README, "Errors")."""

from __future__ import annotations

from .roster import InputError


class EntitlementInputError(InputError):
    """Bad input to the API (a beneficiary, a roster, counts, a year or month, an argument);
    ``field`` names it (English field name), ``value`` is the text given, ``reason`` and
    ``reason_en`` say why. A subclass of ``InputError`` and so of ``ValueError``."""

    def __init__(self, field: str, value: object, reason: str, reason_en: str):
        value = value if isinstance(value, str) else _show(value)
        english = "" if reason_en == reason else f" ({reason_en})"  # a reading error is already in both languages
        shown = f" value={value!r}" if value else ""
        super().__init__(f"{field}: {reason}{english}{shown}")
        self.field, self.value, self.reason, self.reason_en = field, value, reason, reason_en


def _show(value: object, limit: int = 80) -> str:
    """A short text of any value (an error must never fail to print its value)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails still gets named
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
