"""The join QR code for the projector, drawn by the app itself as SVG."""

from __future__ import annotations

import qrcode
import qrcode.image.svg


def join_svg(url: str) -> bytes:
    """An SVG QR code of `url` (one path, scalable, no Pillow, no outside service)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    code.add_data(url)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode").encode("utf-8")
