"""Writes the JPEG fixtures of kiln-data's tests (Pillow; the tests never run this).

colour.jpg: 12×8 RGB, red rising left to right, blue rising top to bottom.
grey.jpg: 12×8 greyscale, a left-to-right ramp.
"""
from PIL import Image

colour = Image.new("RGB", (12, 8))
grey = Image.new("L", (12, 8))
for y in range(8):
    for x in range(12):
        colour.putpixel((x, y), (x * 20, 40, y * 30))
        grey.putpixel((x, y), x * 20)
colour.save("colour.jpg", quality=95)
grey.save("grey.jpg", quality=95)
