"""The receipt slip's QR code: the self-service page with the code in the fragment (never sent to a server)."""

from __future__ import annotations

import segno


def self_service_url(public_base_url: str, receipt_code: str) -> str:
    # The fragment stays in the guest's phone: the code is not in any access log or Referer (M-14.2).
    return f"{public_base_url.rstrip('/')}/self-service#{receipt_code}"


def receipt_qr(public_base_url: str, receipt_code: str) -> str:
    """An inline SVG QR code (no external request, allowed by the page's CSP) for the slip."""
    qr = segno.make(self_service_url(public_base_url, receipt_code), error="m", micro=False)
    svg = qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=False)
    return str(svg)
