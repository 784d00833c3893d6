"""Labelled section images (thighview.io.section_image) against answers known from the drawing.

Every image is drawn here with numpy (exact discs: a pixel is in when its centre is) or Pillow,
at a chosen pixel size, so true areas are known: pi r^2 for discs and rings, the pixel count for
anything else. Tolerances are the issue's: 1 % of the area and one pixel times the perimeter.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from thighview.anatomy import Compartment
from thighview.cli import main
from thighview.errors import FileFormatError, LimitExceededError
from thighview.io import load_model
from thighview.io.colour_map import ColourMap
from thighview.io.limits import Limits
from thighview.progress import Cancelled, Stage
from thighview.io.section_image import read_section_image

RED, GREEN, BLUE, WHITE, YELLOW = (255, 0, 0), (0, 160, 0), (0, 0, 255), (255, 255, 255), (255, 255, 0)
PURPLE, BLACK = (150, 0, 200), (0, 0, 0)


def canvas(size: int = 400, colour=WHITE, alpha: bool = False) -> np.ndarray:
    pixels = np.zeros((size, size, 4 if alpha else 3), dtype=np.uint8)
    pixels[..., :3] = colour
    return pixels


def disc(pixels: np.ndarray, centre: tuple[float, float], radius: float, colour) -> None:
    """Paint the pixels whose centres lie within ``radius`` of ``centre`` (x, y in pixels)."""
    rows, cols = np.mgrid[: pixels.shape[0], : pixels.shape[1]] + 0.5
    inside = np.hypot(cols - centre[0], rows - centre[1]) < radius
    pixels[inside, : len(colour)] = colour


def save(pixels: np.ndarray, path, **options):
    Image.fromarray(pixels).save(path, **options)
    return path


def braus(size: int = 600, outline: int = 0) -> Image.Image:
    """A Braus-like section on white paper: red front, green medial, blue back around a white
    femur, in a yellow ring of fat; ``outline``: black lines of that width between the regions."""
    image = Image.new("RGB", (size, size), WHITE)
    draw = ImageDraw.Draw(image)
    c, skin, muscle, bone = size / 2, 0.45 * size, 0.40 * size, 0.06 * size
    draw.ellipse([c - skin, c - skin, c + skin, c + skin], fill=YELLOW)
    box = [c - muscle, c - muscle, c + muscle, c + muscle]
    for start, end, colour in ((180, 360, RED), (0, 90, BLUE), (90, 180, GREEN)):
        draw.pieslice(box, start, end, fill=colour)
    if outline:
        for angle in (0, 90, 180):
            t = np.radians(angle)
            draw.line([c, c, c + muscle * np.cos(t), c + muscle * np.sin(t)], fill=BLACK, width=outline)
        half = outline / 2  # Pillow draws an outline inside its box: centre it on the edge
        draw.ellipse([box[0] - half, box[1] - half, box[2] + half, box[3] + half], outline=BLACK, width=outline)
    draw.ellipse([c - bone, c - bone, c + bone, c + bone], fill=WHITE)
    return image


def areas(section) -> dict[str, float]:
    return {r.name: r.area for r in section.regions}


def region(section, name):
    return next(r for r in section.regions if r.name == name)


# --- discs and rings: exact answers ---------------------------------------------------------

def test_discs_have_their_area_within_one_percent_and_one_pixel_of_perimeter(tmp_path):
    pixels = canvas()
    disc(pixels, (120.3, 130.7), 70, RED)
    disc(pixels, (290.0, 260.0), 45, BLUE)
    px = 0.25
    section = read_section_image(save(pixels, tmp_path / "discs.png"), pixel_size=px)
    for name, radius in (("quadriceps_femoris", 70), ("hamstrings", 45)):
        true = np.pi * (radius * px) ** 2
        assert abs(region(section, name).area - true) <= min(0.01 * true, px * 2 * np.pi * radius * px)
        assert isinstance(region(section, name).shape, shapely.Polygon)
    assert section.scale == "pixel size 0.25 mm as given"
    assert section.pixel_size_mm == px
    assert section.warnings == []


def test_a_ring_keeps_its_hole_on_transparent_and_on_white_paper(tmp_path):
    px = 0.5
    see_through = canvas(alpha=True)
    disc(see_through, (200, 200), 150, (*GREEN, 255))
    disc(see_through, (200, 200), 60, (0, 0, 0, 0))  # the hole is transparent: background
    on_paper = canvas()
    disc(on_paper, (200, 200), 150, GREEN)
    disc(on_paper, (200, 200), 60, WHITE)  # white and enclosed: bone
    true_ring, true_hole = np.pi * ((150 * px) ** 2 - (60 * px) ** 2), np.pi * (60 * px) ** 2
    for name, pixels in (("transparent", see_through), ("paper", on_paper)):
        section = read_section_image(save(pixels, tmp_path / f"{name}.png"), pixel_size=px)
        ring = region(section, "adductors").shape
        assert isinstance(ring, shapely.Polygon) and len(ring.interiors) == 1, name
        assert ring.area == pytest.approx(true_ring, rel=0.01)
        assert shapely.Polygon(ring.interiors[0]).area == pytest.approx(true_hole, rel=0.01)
    assert region(section, "femur").area == pytest.approx(true_hole, rel=0.01)  # the paper's hole is the femur


def test_neighbours_share_their_edges_no_gaps_no_overlaps(tmp_path):
    braus(400).save(tmp_path / "braus.png")
    section = read_section_image(tmp_path / "braus.png", pixel_size=1.0)
    shapes = [r.shape for r in section.regions]
    union = shapely.union_all(shapes)
    assert sum(s.area for s in shapes) == pytest.approx(union.area, rel=1e-9)  # no overlaps
    assert len(union.interiors) == 0 and union.geom_type == "Polygon"  # no gaps between them
    assert all(s.is_valid for s in shapes)


# --- the Braus-like composite ---------------------------------------------------------------

def test_braus_composite_finds_compartments_bone_and_paper(tmp_path):
    size, px = 600, 0.3
    braus(size).save(tmp_path / "braus.png")
    section = read_section_image(tmp_path / "braus.png", pixel_size=px)
    found = areas(section)
    assert set(found) == {"quadriceps_femoris", "adductors", "hamstrings", "femur", "subcutaneous_fat"}
    muscle, bone, skin = (0.40 * size * px, 0.06 * size * px, 0.45 * size * px)
    quarter = np.pi * (muscle**2 - bone**2) / 4
    assert found["quadriceps_femoris"] == pytest.approx(2 * quarter, rel=0.02)
    assert found["adductors"] == pytest.approx(quarter, rel=0.02)
    assert found["hamstrings"] == pytest.approx(quarter, rel=0.02)
    assert found["femur"] == pytest.approx(np.pi * bone**2, rel=0.03)
    assert found["subcutaneous_fat"] == pytest.approx(np.pi * (skin**2 - muscle**2), rel=0.02)
    femur = region(section, "femur").shape  # the enclosed white, in the middle; the paper is not bone
    assert femur.centroid.x == pytest.approx(size * px / 2, abs=1) and femur.centroid.y == pytest.approx(-size * px / 2, abs=1)
    assert section.colours_found["#ffffff"]["name"] == "femur"
    assert sum(e["pixels"] for e in section.colours_found.values()) < 0.7 * size**2  # paper not counted
    np.testing.assert_allclose(section.corners_mm, [[0, 0], [size * px, 0], [0, -size * px]])
    assert section.pixels.shape == (size, size, 3)


def test_black_outlines_between_regions_are_absorbed_mid_line(tmp_path):
    plain, outlined = tmp_path / "plain.png", tmp_path / "outlined.png"
    braus(600).save(plain)
    braus(600, outline=3).save(outlined)
    without, with_lines = areas(read_section_image(plain, pixel_size=1.0)), areas(read_section_image(outlined, pixel_size=1.0))
    assert set(with_lines) == set(without)  # no "colour #000000" region
    for name, area in without.items():
        perimeter = region(read_section_image(plain, pixel_size=1.0), name).shape.length
        assert abs(with_lines[name] - area) <= perimeter, name  # within a pixel of perimeter
        assert with_lines[name] == pytest.approx(area, rel=0.02), name


def test_jpeg_round_trip_stays_within_tolerance_and_says_so(tmp_path):
    braus(600).save(tmp_path / "braus.png")
    braus(600).save(tmp_path / "braus.jpg", quality=75)
    exact = read_section_image(tmp_path / "braus.png", pixel_size=0.3)
    blurred = read_section_image(tmp_path / "braus.jpg", pixel_size=0.3)
    assert set(areas(blurred)) == set(areas(exact))
    for name, area in areas(exact).items():
        assert areas(blurred)[name] == pytest.approx(area, rel=0.015), name
    assert any("JPEG" in w for w in blurred.warnings) and not any("JPEG" in w for w in exact.warnings)


# --- colours that match nothing, and custom maps -----------------------------------------------

def test_an_unmapped_colour_becomes_its_own_reported_region(tmp_path):
    pixels = canvas()
    disc(pixels, (200, 200), 150, RED)
    disc(pixels, (200, 200), 20, WHITE)
    disc(pixels, (280, 150), 30, PURPLE)
    section = read_section_image(save(pixels, tmp_path / "purple.png"), pixel_size=0.5)
    name = "colour #9600c8"
    blob = np.pi * (30 * 0.5) ** 2
    assert region(section, name).area == pytest.approx(blob, rel=0.01)
    assert section.unmapped == {"#9600c8": pytest.approx(blob / 100, rel=0.01)}
    assert section.colours_found["#9600c8"]["name"] is None
    warning = next(w for w in section.warnings if "#9600c8" in w)
    assert "cm²" in warning and "--colour-map" in warning
    model = load_model(tmp_path / "purple.png", pixel_size=0.5)
    structure = model.structures["colour_9600c8"]
    assert structure.compartment is Compartment.UNASSIGNED
    json.dumps({"found": section.colours_found, "unmapped": section.unmapped})  # JSON-able


def test_a_custom_colour_map_names_regions(tmp_path):
    pixels = canvas()
    disc(pixels, (200, 200), 150, PURPLE)
    disc(pixels, (200, 200), 20, (200, 200, 200))
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"tolerance": 40, "colours": {"#9600c8": "vastus lateralis", "#c8c8c8": "bone"}}))
    section = read_section_image(save(pixels, tmp_path / "custom.png"), colour_map=ColourMap.load(mapping),
                                 pixel_size=1.0)
    assert set(areas(section)) == {"vastus_lateralis", "femur"}
    assert section.unmapped == {}
    model = load_model(tmp_path / "custom.png", colour_map=mapping, pixel_size=1.0)
    assert model.structures["vastus_lateralis"].compartment is Compartment.QUADRICEPS


@pytest.mark.parametrize(("content", "phrase"), [
    ("{not json", "not valid JSON"),
    ('{"#zz0000": "quadriceps"}', "not a colour"),
    ('{"tolerance": -3, "colours": {"#ff0000": "quadriceps"}}', "tolerance"),
])
def test_a_bad_colour_map_is_one_line(tmp_path, content, phrase):
    mapping = tmp_path / "map.json"
    mapping.write_text(content)
    with pytest.raises(FileFormatError, match=phrase) as caught:
        ColourMap.load(mapping)
    assert str(caught.value).startswith(str(mapping)) and "\n" not in str(caught.value)


def test_thick_outlines_and_a_second_background_colour_by_map_entry(tmp_path):
    pixels = canvas(colour=BLACK)
    pixels[:, 200:] = (40, 40, 120)  # a scanner's second background tone, not at the border's colour
    disc(pixels, (200, 200), 150, RED)
    pixels[196:205, 70:330] = BLACK  # a 9-px line inside the section: too thick to vanish on its own
    disc(pixels, (200, 200), 30, WHITE)
    path = save(pixels, tmp_path / "thick.png")
    plain = read_section_image(path, pixel_size=1.0)
    assert "colour #000000" in areas(plain) and "colour #282878" in areas(plain)
    mapping = ColourMap.default().to_mapping()
    mapping["colours"].update({"#000000": "outline", "#282878": "Background"})
    section = read_section_image(path, colour_map=ColourMap.from_mapping(mapping), pixel_size=1.0)
    assert set(areas(section)) == {"quadriceps_femoris", "femur"}
    assert areas(section)["quadriceps_femoris"] == pytest.approx(np.pi * (150**2 - 30**2), rel=0.01)


def test_on_black_and_cropped_inside_the_section(tmp_path):
    on_black = canvas(colour=BLACK)
    disc(on_black, (200, 200), 150, GREEN)
    disc(on_black, (200, 200), 30, WHITE)
    section = read_section_image(save(on_black, tmp_path / "black.png"), pixel_size=1.0)
    assert areas(section) == pytest.approx({"adductors": np.pi * (150**2 - 30**2), "femur": np.pi * 30**2}, rel=0.01)
    cropped = canvas(colour=RED)  # no paper at all: the image shows the inside of the thigh
    cropped[250:] = BLUE
    disc(cropped, (200, 200), 30, WHITE)
    section = read_section_image(save(cropped, tmp_path / "cropped.png"), pixel_size=1.0)
    assert sum(areas(section).values()) == pytest.approx(400 * 400)
    assert areas(section)["femur"] == pytest.approx(np.pi * 30**2, rel=0.01)


def test_only_the_largest_enclosed_white_is_bone_and_white_lines_are_outlines(tmp_path):
    pixels = canvas()
    disc(pixels, (200, 200), 150, RED)
    disc(pixels, (200, 200), 30, WHITE)
    disc(pixels, (290, 200), 12, WHITE)  # a vessel left white
    pixels[100:102, 120:280] = WHITE  # a 2-px white septum line
    disc(pixels, (120, 260), 3, BLUE)  # a stray dot of blue
    section = read_section_image(save(pixels, tmp_path / "gaps.png"), pixel_size=1.0)
    assert areas(section)["femur"] == pytest.approx(np.pi * 30**2, rel=0.01)
    assert areas(section)["quadriceps_femoris"] == pytest.approx(np.pi * (150**2 - 30**2 - 12**2), rel=0.01)
    assert any("1 more enclosed white area" in w for w in section.warnings)
    assert any(w.startswith("hamstrings covers only") for w in section.warnings)


# --- scale ----------------------------------------------------------------------------------

def test_scale_assumed_from_the_femur_diameter(tmp_path):
    pixels = canvas()
    disc(pixels, (200, 200), 150, RED)
    disc(pixels, (200, 200), 40, WHITE)
    section = read_section_image(save(pixels, tmp_path / "noscale.png"))
    femur = region(section, "femur").shape
    assert 2 * np.sqrt(femur.area / np.pi) == pytest.approx(26.5, rel=1e-3)
    assert section.pixel_size_mm == pytest.approx(26.5 / 80, rel=0.01)
    assert "26.5 mm" in section.scale and "Karakas" in section.scale
    assert any("--pixel-size" in w and "percentages do not depend on it" in w for w in section.warnings)


def test_no_femur_and_no_pixel_size_asks_for_one(tmp_path):
    pixels = canvas()
    disc(pixels, (200, 200), 150, RED)
    with pytest.raises(FileFormatError, match="--pixel-size MM") as caught:
        read_section_image(save(pixels, tmp_path / "nofemur.png"))
    assert str(caught.value).startswith(str(tmp_path / "nofemur.png"))
    assert areas(read_section_image(tmp_path / "nofemur.png", pixel_size=1.0))  # with a scale it opens


# --- pixel formats and bad input ------------------------------------------------------------

@pytest.mark.parametrize("mode", ["P", "RGBA", "L", "I;16"])
def test_palette_grey_16_bit_and_alpha_images_read(tmp_path, mode):
    pixels = canvas()
    disc(pixels, (200, 200), 150, RED if mode not in ("L", "I;16") else (128, 128, 128))
    disc(pixels, (200, 200), 40, WHITE)
    image = Image.fromarray(pixels)
    if mode == "P":
        image = image.quantize(8)
    elif mode == "RGBA":
        image = image.convert("RGBA")
    elif mode == "L":
        image = image.convert("L")
    else:
        image = Image.fromarray((np.asarray(image.convert("L")).astype(np.uint16) * 257))
        assert image.mode == "I;16"
    image.save(tmp_path / "m.png")
    mapping = {"tolerance": 30, "colours": {"#ff0000": "quadriceps", "#808080": "quadriceps", "#ffffff": "femur"}}
    section = read_section_image(tmp_path / "m.png", colour_map=ColourMap.from_mapping(mapping), pixel_size=1.0)
    assert areas(section)["quadriceps_femoris"] == pytest.approx(np.pi * (150**2 - 40**2), rel=0.01)


@pytest.mark.parametrize("suffix", [".tif", ".bmp"])
def test_tiff_and_bmp(tmp_path, suffix):
    braus(300).save(tmp_path / f"b{suffix}")
    assert len(read_section_image(tmp_path / f"b{suffix}", pixel_size=1.0).regions) == 5


def test_a_photo_is_turned_upright_and_a_multi_page_tiff_says_which_page(tmp_path):
    pixels = canvas()
    pixels[20:380, 20:120] = RED  # a tall bar on the left ...
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # ... in a photo the camera held turned: shown rotated 90 degrees clockwise
    image.save(tmp_path / "photo.jpg", exif=exif, quality=95)
    section = read_section_image(tmp_path / "photo.jpg", pixel_size=1.0)
    x0, y0, x1, y1 = region(section, "quadriceps_femoris").shape.bounds
    assert (x1 - x0, y1 - y0) == (pytest.approx(360, abs=2), pytest.approx(100, abs=2))  # now a wide bar at the top
    assert y1 == pytest.approx(-20, abs=2)
    Image.fromarray(pixels).save(tmp_path / "pages.tif", save_all=True, append_images=[Image.fromarray(pixels)])
    assert "the file holds 2 images: only the first is read" in read_section_image(tmp_path / "pages.tif",
                                                                                  pixel_size=1.0).warnings


def test_bad_images_are_one_line_errors(tmp_path):
    braus(200).save(tmp_path / "good.png")
    data = (tmp_path / "good.png").read_bytes()
    (tmp_path / "truncated.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "text.png").write_bytes(b"this is not an image at all\n" * 10)
    save(canvas(100), tmp_path / "blank.png")
    save(np.random.default_rng(3).integers(0, 256, (80, 80, 3), dtype=np.uint8), tmp_path / "noise.png")
    save(np.where((np.arange(60) % 2)[:, None, None] == 1, np.array(RED, np.uint8), np.array(BLUE, np.uint8))
         .repeat(60, axis=1), tmp_path / "stripes.png")  # one-pixel lines only
    cases = [("truncated.png", FileFormatError, "truncated or damaged"), ("text.png", FileFormatError, "not an image"),
             *((name, FileFormatError, "no region of a mapped colour") for name in ("blank.png", "noise.png",
                                                                                   "stripes.png"))]
    for name, error, phrase in cases:
        with pytest.raises(error, match=phrase) as caught:
            read_section_image(tmp_path / name, pixel_size=1.0)
        assert str(caught.value).startswith(str(tmp_path / name)) and "\n" not in str(caught.value)
    with pytest.raises(LimitExceededError, match="THIGHVIEW_MAX_IMAGE_PIXELS"):
        read_section_image(tmp_path / "good.png", pixel_size=1.0, limits=Limits(max_image_pixels=100 * 100))


def test_progress_is_reported_and_cancel_honoured(tmp_path):
    braus(200).save(tmp_path / "b.png")
    seen = []
    read_section_image(tmp_path / "b.png", pixel_size=1.0, progress=Stage(lambda p: seen.append(p.fraction)))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 5

    class Stop:
        def is_set(self):
            return True

    with pytest.raises(Cancelled):
        read_section_image(tmp_path / "b.png", pixel_size=1.0, progress=Stage(cancel=Stop()))


@settings(max_examples=12, deadline=None)
@given(st.lists(st.sampled_from([WHITE, RED, GREEN, BLUE, YELLOW, PURPLE]), min_size=64, max_size=64))
def test_any_block_picture_is_covered_without_gaps_or_overlaps(colours):
    """8 x 8 blocks of 6 px in any colours: the regions tile exactly the non-paper pixels."""
    import tempfile
    from pathlib import Path

    pixels = np.array(colours, dtype=np.uint8).reshape(8, 8, 3).repeat(6, axis=0).repeat(6, axis=1)
    pixels = np.pad(pixels, ((4, 4), (4, 4), (0, 0)), constant_values=255)  # paper round it
    with tempfile.TemporaryDirectory() as folder:
        try:
            section = read_section_image(save(pixels, Path(folder) / "blocks.png"), pixel_size=1.0)
        except FileFormatError as error:  # only paper is refused
            assert "no region of a mapped colour" in str(error)
            return
    shapes = [r.shape for r in section.regions]
    union = shapely.union_all(shapes)
    assert sum(s.area for s in shapes) == pytest.approx(union.area, rel=1e-9)
    assert all(s.is_valid for s in shapes)
    counted = sum(e["pixels"] for e in section.colours_found.values())
    assert union.area == pytest.approx(counted, rel=0.01)


# --- end to end -----------------------------------------------------------------------------

def test_load_model_and_section_give_the_image_areas(tmp_path):
    from thighview.section import SectionEngine

    braus(400).save(tmp_path / "braus.png")
    section = read_section_image(tmp_path / "braus.png", pixel_size=0.5)
    model = load_model(tmp_path / "braus.png", pixel_size=0.5)
    assert model.flat.kind == "image" and model.flat.image.shape == (400, 400, 3)
    cut = SectionEngine(model).section(model.flat.level)
    for r in section.regions:
        assert cut.areas_cm2[r.name] == pytest.approx(r.area / 100, rel=1e-3), r.name
    assert cut.percent_of_muscle(Compartment.QUADRICEPS) == pytest.approx(50, abs=1)
    assert cut.percent_of_muscle(Compartment.ADDUCTORS) == pytest.approx(25, abs=1)


def test_cli_areas_json_with_pixel_size(tmp_path, capsys):
    braus(400).save(tmp_path / "braus.png")
    assert main(["areas", str(tmp_path / "braus.png"), "--pixel-size", "0.5", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    expected = np.pi * (0.40 * 400 * 0.5) ** 2 / 100  # the muscle disc (without the femur) ...
    muscle = sum(report["structures"][n]["area_cm2"] for n in ("quadriceps_femoris", "adductors", "hamstrings"))
    femur = report["structures"]["femur"]["area_cm2"]
    assert muscle + femur == pytest.approx(expected, rel=0.01)  # ... plus the femur in its middle


def test_cli_without_scale_or_femur_is_one_line(tmp_path, capsys):
    pixels = canvas()
    disc(pixels, (200, 200), 150, RED)
    assert main(["areas", str(save(pixels, tmp_path / "nofemur.png"))]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--pixel-size MM" in err


def test_the_drawn_braus_section_gives_the_built_in_thighs_areas(default_model):
    """assets/braus_like_section.png is the built-in thigh's section at 40 % painted by
    docs/draw_braus_like.py at 0.125 mm per pixel, with dark outlines, fat seams and a violet
    sartorius: read back, every compartment is within 1 % of the model's own section."""
    from pathlib import Path

    from thighview.section import SectionEngine

    drawing = Path(__file__).parents[1] / "assets" / "braus_like_section.png"
    section = read_section_image(drawing, pixel_size=0.125)
    truth = SectionEngine(default_model).section(0.4)
    found = {name: area / 100 for name, area in areas(section).items()}
    for name, compartment in (("quadriceps_femoris", Compartment.QUADRICEPS), ("adductors", Compartment.ADDUCTORS),
                              ("hamstrings", Compartment.HAMSTRINGS), ("femur", Compartment.BONE)):
        assert found[name] == pytest.approx(truth.compartment_areas_cm2[compartment], rel=0.01), name
    assert found["colour #9b59b6"] == pytest.approx(truth.areas_cm2["sartorius"], rel=0.01)
