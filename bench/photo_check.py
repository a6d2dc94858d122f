"""What a photo upload costs in the request (check_photo) and in the worker (process_photo).

    .venv/bin/python bench/photo_check.py

Synthetic photo-like images (smooth noise) at 12 megapixels; medians of 5 runs each.
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image  # noqa: E402

from therapists.images import check_photo, process_photo  # noqa: E402

CASES = [
    ("12 MP JPEG (a phone photo)", "JPEG", 40, {"quality": 90}),
    ("12 MP PNG", "PNG", 400, {}),
    ("12 MP WebP", "WEBP", 40, {"quality": 80}),
]


def photo(image_format: str, grain: int, options: dict, size=(4000, 3000)) -> bytes:
    width, height = size
    bands = [Image.effect_noise((width // grain, height // grain), 60).resize(size, Image.BICUBIC) for _ in "RGB"]
    buffer = io.BytesIO()
    Image.merge("RGB", bands).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def median_ms(function, data: bytes, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        upload = SimpleUploadedFile("photo", data)
        started = time.perf_counter()
        function(upload)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main():
    print("| upload | size | in the request (check_photo) | in the worker (process_photo) |")
    print("| --- | ---: | ---: | ---: |")
    for label, image_format, grain, options in CASES:
        data = photo(image_format, grain, options)
        check, process = median_ms(check_photo, data), median_ms(process_photo, data)
        print(f"| {label} | {len(data) / 1e6:.1f} MB | {check:.0f} ms | {process:.0f} ms |")
    print(f"\nload average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
