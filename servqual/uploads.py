"""Uploaded pictures: real-content checks and removal of the GPS position.

Shared by audit evidence photos and PQR attachments. A picture is accepted when Pillow
opens and verifies it as JPEG, PNG or WebP within :data:`MAX_PIXELS`; callers turn the
two refusals below into their own messages.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

#: The largest picture accepted, in pixels (guards against decompression bombs).
MAX_PIXELS = 40_000_000
#: Picture formats accepted: Pillow format → (content type, file extension).
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
#: The EXIF tag holding the GPS position.
GPS_TAG = 0x8825


class NotAnImage(ValueError):
    """The bytes are not a picture in one of :data:`IMAGE_FORMATS`."""


class TooManyPixels(ValueError):
    """The picture is larger than :data:`MAX_PIXELS` (or a decompression bomb)."""


def open_image(content: bytes) -> Image.Image:
    """Open ``content`` as a picture after verifying it, fully loaded.

    Raise :class:`NotAnImage` or :class:`TooManyPixels`.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(content))
            if probe.format not in IMAGE_FORMATS:
                raise NotAnImage
            if probe.width * probe.height > MAX_PIXELS:
                raise TooManyPixels
            probe.verify()
            image = Image.open(io.BytesIO(content))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, NotAnImage | TooManyPixels):
            raise
        raise NotAnImage from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooManyPixels from None
    return image


def has_location(image: Image.Image) -> bool:
    """Tell whether the picture's EXIF carries a GPS position."""
    return GPS_TAG in image.getexif()


def without_location(image: Image.Image) -> bytes:
    """Re-encode the picture without its GPS position (and other metadata but EXIF)."""
    exif = image.getexif()
    exif.pop(GPS_TAG, None)
    out = io.BytesIO()
    options = {"quality": 90} if image.format in ("JPEG", "WEBP") else {}
    picture = image.convert("RGB") if image.format == "JPEG" and image.mode != "RGB" else image
    picture.save(out, format=image.format, exif=exif, **options)
    return out.getvalue()
