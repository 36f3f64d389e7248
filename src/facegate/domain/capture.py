"""The capture window: how long after consenting a person may add their face by the receipt (M-14.3).

A receipt seen later (a photo of a slip, a shared screen) must not let someone
else add their own face to that person's consent; after the window, capture
happens at the desk, where staff check who is there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

CAPTURE_WINDOW = timedelta(minutes=30)  # as long as a kiosk form lives (services.person.FORM_TOKEN_TTL)


def is_capture_window_open(consent_given_at: datetime, now: datetime, window: timedelta = CAPTURE_WINDOW) -> bool:
    return now - consent_given_at <= window
