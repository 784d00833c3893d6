"""Single cross-sections from meshes: planar meshes and thin slabs, with exactly known areas.

A planar region made of triangles has exactly the area of its triangles; an annular sector of
``n`` segments between radii r1 and r2 has ``n/2 (r2^2 - r1^2) sin(theta/n)``. Files are
written as OBJ text (double precision) so that the expected areas hold to rounding.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from thighview.anatomy import Compartment
from thighview.errors import LevelError, ThighViewError
from thighview.io import load_model
from thighview.section import SectionEngine


def sector(r1: float, r2: float, a0: float, a1: float, n: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """A flat annular sector (z = 0), triangles facing +z."""
    a = np.linspace(a0, a1, n + 1)
    points = np.r_[np.c_[r1 * np.cos(a), r1 * np.sin(a)], np.c_[r2 * np.cos(a), r2 * np.sin(a)]]
    i = np.arange(n)
    faces = np.r_[np.c_[i, n + 1 + i + 1, i + 1], np.c_[i, n + 1 + i, n + 1 + i + 1]]
    return np.c_[points, np.zeros(len(points))], faces


def sector_area(r1: float, r2: float, a0: float, a1: float, n: int = 24) -> float:
    return n / 2 * (r2 ** 2 - r1 ** 2) * np.sin((a1 - a0) / n)


def square(centre: tuple[float, float], side: float) -> tuple[np.ndarray, np.ndarray]:
    x, y = centre
    h = side / 2
    points = np.array([[x - h, y - h, 0], [x + h, y - h, 0], [x + h, y + h, 0], [x - h, y + h, 0]], dtype=float)
    return points, np.array([[0, 1, 2], [0, 2, 3]])


#: Quadriceps in front (+y), adductors on +x (the patient's left seen from below: a right thigh),
#: hamstrings behind, a square femur in the hole in the middle.
SECTORS = {"quadriceps": (16.0, 70.0, np.pi / 6, 5 * np.pi / 6),
           "adductors": (16.0, 70.0, -np.pi / 3, np.pi / 6),
           "hamstrings": (16.0, 70.0, 5 * np.pi / 6, 5 * np.pi / 3)}
EXPECTED_MM2 = {**{{"quadriceps": "quadriceps_femoris"}.get(k, k): sector_area(*v) for k, v in SECTORS.items()},
                "femur": 20.0 ** 2}


def section_meshes(transform=None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    meshes = {name: sector(*spec) for name, spec in SECTORS.items()}
    meshes["femur"] = square((0.0, 0.0), 20.0)
    if transform is not None:
        meshes = {name: (transform(v), f) for name, (v, f) in meshes.items()}
    return meshes


def write_obj(path, meshes: dict[str, tuple[np.ndarray, np.ndarray]]):
    lines, offset = [], 1
    for name, (vertices, faces) in meshes.items():
        lines.append(f"o {name}")
        lines += [f"v {x!r} {y!r} {z!r}" for x, y, z in vertices.tolist()]
        lines += ["f " + " ".join(str(i + offset) for i in face) for face in faces.tolist()]
        offset += len(vertices)
    path.write_text("\n".join(lines) + "\n")
    return path


def areas_mm2(model) -> dict[str, float]:
    section = SectionEngine(model).section(model.flat.level)
    return {name: area * 100.0 for name, area in section.areas_cm2.items()}, section


def test_planar_mesh_is_one_section_with_exact_areas(tmp_path):
    model = load_model(write_obj(tmp_path / "section.obj", section_meshes()))
    assert model.flat is not None and model.flat.kind == "planar mesh"
    assert model.femur_axis.basis == "section" and not model.needs_axis_choice
    areas, section = areas_mm2(model)
    for name, expected in EXPECTED_MM2.items():
        assert areas[name] == pytest.approx(expected, rel=1e-9), name
    assert section.compartments["adductors"] is Compartment.ADDUCTORS
    # seen from below as in CT: anterior up, and the adductors (medial) on the viewer's right: a right thigh
    assert model.side == "right"
    assert np.allclose(model.femur_axis.anterior, [0, 1, 0], atol=0.05)
    quads = section.polygons["quadriceps_femoris"].centroid
    assert quads.y > 30 and abs(quads.x) < 5


def test_tilted_offset_plane_gives_the_same_areas(tmp_path):
    angle = np.radians(37.0)
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[1, 0, 0], [0, c, -s], [0, s, c]]) @ np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    shift = np.array([120.0, -45.0, 310.0])
    model = load_model(write_obj(tmp_path / "tilted.obj", section_meshes(lambda v: v @ rotation.T + shift)))
    assert model.flat.kind == "planar mesh"
    normal = rotation @ np.array([0.0, 0.0, 1.0])
    assert abs(model.femur_axis.direction @ normal) == pytest.approx(1.0, abs=1e-9)
    areas, _ = areas_mm2(model)
    for name, expected in EXPECTED_MM2.items():
        assert areas[name] == pytest.approx(expected, rel=1e-9), name
    assert model.side == "right"  # the triangles still face the same way relative to the regions


def test_mirrored_section_is_a_left_thigh_unless_told(tmp_path):
    mirror = np.diag([-1.0, 1.0, 1.0])
    meshes = {n: (v @ mirror, f[:, ::-1]) for n, (v, f) in section_meshes().items()}  # still facing +z
    path = write_obj(tmp_path / "left.obj", meshes)
    assert load_model(path).side == "left"
    assert load_model(path, side="right").side == "right"


def test_slab_is_cut_in_its_middle(tmp_path):
    meshes = {}
    for name, (vertices, faces) in section_meshes().items():
        # extrude each planar region into a closed 8 mm slab: bottom, top and walls on the boundary edges
        n = len(vertices)
        directed = np.r_[faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]].tolist()
        undirected = [tuple(sorted(e)) for e in directed]
        boundary = np.array([e for e, key in zip(directed, undirected) if undirected.count(key) == 1])
        walls = np.r_[np.c_[boundary[:, 1], boundary[:, 0], boundary[:, 0] + n],
                      np.c_[boundary[:, 1], boundary[:, 0] + n, boundary[:, 1] + n]]
        meshes[name] = (np.r_[vertices, vertices + [0.0, 0.0, 8.0]], np.r_[faces[:, ::-1], faces + n, walls])
    model = load_model(write_obj(tmp_path / "slab.obj", meshes))
    assert model.flat.kind == "slab"
    assert model.femur_axis.length_mm == pytest.approx(8.0)
    assert model.femur_axis.level_to_point(model.flat.level)[2] == pytest.approx(4.0)
    areas, section = areas_mm2(model)
    assert not section.open_structures
    for name, expected in EXPECTED_MM2.items():
        assert areas[name] == pytest.approx(expected, rel=1e-9), name


def test_one_unnamed_surface_splits_into_pieces_and_finds_the_femur(tmp_path):
    gap = 0.02  # the sectors do not touch: each is one connected piece
    pieces = [sector(r1, r2, a0 + gap, a1 - gap) for r1, r2, a0, a1 in SECTORS.values()] + [square((0, 0), 20.0)]
    vertices, faces, offset = [], [], 0
    for v, f in pieces:
        vertices.append(v)
        faces.append(f + offset)
        offset += len(v)
    path = write_obj(tmp_path / "drawing.obj", {"drawing": (np.concatenate(vertices), np.concatenate(faces))})
    path.write_text(path.read_text().replace("o drawing\n", ""))  # no object names at all
    model = load_model(path)
    assert sorted(model.names) == ["drawing_1", "drawing_2", "drawing_3", "femur"]  # the square, surrounded
    areas, _ = areas_mm2(model)
    assert areas["femur"] == pytest.approx(400.0, rel=1e-9)
    assert sorted(a for n, a in areas.items() if n != "femur") == pytest.approx(
        sorted(sector_area(r1, r2, a0 + gap, a1 - gap) for r1, r2, a0, a1 in SECTORS.values()), rel=1e-9)


def test_face_colours_name_the_regions(tmp_path):
    import trimesh

    colours = {"quadriceps": (220, 30, 30), "adductors": (30, 170, 40), "hamstrings": (40, 60, 210),
               "femur": (250, 250, 250)}
    meshes = section_meshes()
    meshes["odd"] = square((200.0, 0.0), 10.0)  # purple: no colour stands for it
    colours["odd"] = (128, 0, 128)
    vertices, faces, face_colours, offset = [], [], [], 0
    for name, (v, f) in meshes.items():
        vertices.append(v)
        faces.append(f + offset)
        face_colours.append(np.tile([*colours[name], 255], (len(f), 1)))
        offset += len(v)
    mesh = trimesh.Trimesh(np.concatenate(vertices), np.concatenate(faces), process=False,
                           face_colors=np.concatenate(face_colours))
    path = tmp_path / "coloured.ply"
    mesh.export(path, encoding="ascii")
    model = load_model(path)
    assert set(model.names) == {"quadriceps_femoris", "adductors", "hamstrings", "femur", "colour_800080"}
    assert model["colour_800080"].compartment is Compartment.UNASSIGNED
    areas, _ = areas_mm2(model)
    assert areas["colour_800080"] == pytest.approx(100.0, rel=1e-6)
    assert areas["hamstrings"] == pytest.approx(EXPECTED_MM2["hamstrings"], rel=1e-6)  # PLY floats
    mapped = load_model(path, colour_map={"#800080": "sartorius", "#dc1e1e": "quadriceps",
                                          "#1eaa28": "adductors", "#283cd2": "hamstrings", "#fafafa": "bone"})
    assert mapped["sartorius"].compartment is Compartment.OTHER_MUSCLE


def test_three_dimensional_models_are_not_sections(default_model):
    assert default_model.flat is None and default_model.femur_axis.basis == "femur"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "thighview", *args], capture_output=True, text=True, timeout=300)


def test_cli_areas_json_of_a_section_and_its_one_level(tmp_path):
    path = write_obj(tmp_path / "section.obj", section_meshes())
    result = _cli("areas", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["level"] == 0.5 and document["model"] == "section"
    assert document["structures"]["femur"]["area_cm2"] == pytest.approx(4.0, rel=1e-6)
    total = sum(EXPECTED_MM2.values())
    quads = document["compartments"]["quadriceps"]
    assert quads["percent_of_total"] == pytest.approx(100 * EXPECTED_MM2["quadriceps_femoris"] / total, abs=1e-3)
    for command in (("areas", str(path), "--level", "0.3"), ("profile", str(path), "--out", str(tmp_path / "p.csv")),
                    ("export", str(path), "--format", "png", "--sheet", "--out", str(tmp_path))):
        refused = _cli(*command)
        assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused.stderr
        assert "single section (planar mesh)" in refused.stderr and str(path) in refused.stderr


def test_cli_pressure_runs_on_a_section(tmp_path):
    path = write_obj(tmp_path / "section.obj", section_meshes())
    result = _cli("pressure", str(path), "--at", "anterior", "--force", "30")
    assert result.returncode == 0, result.stderr
    assert "a single section (planar mesh)" in result.stdout


def test_engine_refuses_nothing_but_levels_stay_inside_the_slab(tmp_path):
    model = load_model(write_obj(tmp_path / "section.obj", section_meshes()))
    with pytest.raises(LevelError):
        model.femur_axis.resolve(1.5)
    with pytest.raises(ThighViewError):
        load_model(tmp_path / "section.obj", pixel_size=0.5)  # a pixel size is for images only


def test_exported_figure_shows_the_picture_under_an_image_section(tmp_path):
    """Two shades of one colour are one region; only the picture under it tells them apart."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (400, 400), "white")
    draw = ImageDraw.Draw(picture)
    draw.ellipse((20, 20, 380, 380), fill="#f3d88a")
    draw.pieslice((50, 50, 350, 350), 180, 360, fill="#e05050")  # anterior half: a light red...
    draw.pieslice((50, 50, 350, 350), 0, 180, fill="#a02020")  # ...posterior half: a dark red, same region
    draw.ellipse((180, 180, 220, 220), fill="white")
    picture.save(tmp_path / "shades.png")
    pictures = {}
    for flag in ((), ("--no-image",)):
        out = tmp_path / ("plain" if flag else "picture")
        out.mkdir()
        result = _cli("export", str(tmp_path / "shades.png"), "--pixel-size", "0.5", "--format", "png",
                      "--no-labels", "--out", str(out), *flag)
        assert result.returncode == 0, result.stderr
        pictures[bool(flag)] = np.asarray(Image.open(out / "shades_section_50.png").convert("RGB"), dtype=float)
    plain, shown = pictures[True], pictures[False]
    height, width = plain.shape[:2]
    # the quadriceps fill, sampled above and below the femur along the middle column
    upper, lower = shown[int(height * 0.33), width // 2], shown[int(height * 0.58), width // 2]
    assert np.allclose(plain[int(height * 0.33), width // 2], plain[int(height * 0.58), width // 2], atol=3)
    assert upper.sum() - lower.sum() > 60, (upper, lower)  # the dark half shows through
