"""Write the bad-input corpus: files that must each fail with one clear line, never a traceback.

Run ``python tests/data/make_bad_corpus.py [FOLDER]`` (default: ``tests/data/bad``). The output
is deterministic (fixed seeds, no timestamps), so the committed corpus can be checked against a
fresh run. ``manifest.json`` lists every file with what ThighView must answer: ``"error"`` and a
phrase of the one-line message, or ``"ok"`` for inputs that are odd but usable (the control
model, a few degenerate triangles, integral float labels).

The base is a small valid right thigh (femur, three muscles, in mm): each case breaks it in one way.
"""

from __future__ import annotations

import gzip
import json
import struct
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


# --- the valid base ------------------------------------------------------------------------

def _cylinder(radius: float, centre_xy: tuple[float, float], z0: float, z1: float,
              sections: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """A closed, outward-oriented prism around the z axis from z0 (top) to z1 (bottom)."""
    angles = np.linspace(0, 2 * np.pi, sections, endpoint=False)
    ring = np.c_[radius * np.cos(angles) + centre_xy[0], radius * np.sin(angles) + centre_xy[1]]
    top = np.c_[ring, np.full(sections, z0)]
    bottom = np.c_[ring * 0.85 + np.array(centre_xy) * 0.15, np.full(sections, z1)]  # tapers to the knee
    vertices = np.vstack([top, bottom, [[*centre_xy, z0], [*np.array(centre_xy), z1]]])
    faces = []
    for i in range(sections):
        j = (i + 1) % sections
        faces += [[i, sections + i, sections + j], [i, sections + j, j],
                  [2 * sections, i, j], [2 * sections + 1, sections + j, sections + i]]
    return vertices.round(3), np.array(faces)


#: name -> (radius, centre) in mm; a right thigh in RAS: +x lateral, +y anterior.
BASE = {"femur": (14.0, (0.0, 0.0)), "vastus_lateralis": (22.0, (40.0, 20.0)),
        "adductor_longus": (18.0, (-40.0, -5.0)), "semitendinosus": (16.0, (-10.0, -45.0))}


def base_parts(scale: float = 1.0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    parts = {}
    for name, (radius, centre) in BASE.items():
        z1 = -420.0 if name == "femur" else -380.0
        vertices, faces = _cylinder(radius, centre, -10.0 if name != "femur" else 0.0, z1)
        parts[name] = (vertices * scale, faces)
    return parts


def obj_text(parts: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
    lines, offset = [], 1
    for name, (vertices, faces) in parts.items():
        lines.append(f"o {name}")
        lines += [f"v {x:.6g} {y:.6g} {z:.6g}" for x, y, z in vertices]
        lines += [f"f {a + offset} {b + offset} {c + offset}" for a, b, c in faces]
        offset += len(vertices)
    return "\n".join(lines) + "\n"


def glb_bytes(parts: dict[str, tuple[np.ndarray, np.ndarray]]) -> bytes:
    import trimesh

    scene = trimesh.Scene()
    for name, (vertices, faces) in parts.items():
        scene.add_geometry(trimesh.Trimesh(vertices, faces, process=False), node_name=name, geom_name=name)
    return scene.export(file_type="glb")


def stl_bytes(vertices: np.ndarray, faces: np.ndarray, count: int | None = None) -> bytes:
    """Binary STL; ``count`` overrides the triangle count in the header."""
    triangles = np.asarray(vertices, dtype="<f4")[faces]
    records = np.zeros(len(faces), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    records["v"] = triangles
    header = b"ThighView bad corpus".ljust(80, b" ")
    return header + struct.pack("<I", len(faces) if count is None else count) + records.tobytes()


def ply_text(vertices: np.ndarray, faces: np.ndarray, count: int | None = None) -> str:
    head = (f"ply\nformat ascii 1.0\nelement vertex {len(vertices) if count is None else count}\n"
            "property float x\nproperty float y\nproperty float z\n"
            f"element face {len(faces)}\nproperty list uchar int vertex_indices\nend_header\n")
    return head + "".join(f"{x} {y} {z}\n" for x, y, z in vertices) + "".join(f"3 {a} {b} {c}\n" for a, b, c in faces)


def vtk_text(vertices: np.ndarray, faces: np.ndarray) -> str:
    return ("# vtk DataFile Version 3.0\nfemur\nASCII\nDATASET POLYDATA\n"
            f"POINTS {len(vertices)} float\n" + "".join(f"{x} {y} {z}\n" for x, y, z in vertices)
            + f"POLYGONS {len(faces)} {4 * len(faces)}\n" + "".join(f"3 {a} {b} {c}\n" for a, b, c in faces))


def labels() -> np.ndarray:
    """A 24^3 label map: femur (1) inside a muscle (2)."""
    data = np.zeros((24, 24, 24), dtype=np.uint8)
    data[4:20, 4:20, 2:22] = 2
    data[9:15, 9:15, 1:23] = 1
    return data


def nifti_bytes(data: np.ndarray, dims: tuple[int, ...] | None = None) -> bytes:
    """A single-file NIfTI-1 (4 mm voxels); ``dims`` overrides the header's image size."""
    import nibabel as nib

    image = nib.Nifti1Image(data, np.diag([4.0, 4.0, 4.0, 1.0]))
    image.header.set_xyzt_units("mm")
    raw = bytearray(image.to_bytes())
    if dims is not None:
        raw[40:56] = struct.pack("<8h", len(dims), *dims, *([1] * (7 - len(dims))))
    return bytes(raw)


def nrrd_bytes(data: np.ndarray, sizes: tuple[int, ...] | None = None, encoding: str = "raw",
               kind: str = "uint8") -> bytes:
    sizes = sizes or data.shape
    head = ("NRRD0004\n"
            f"type: {kind}\ndimension: 3\nspace: left-posterior-superior\nsizes: {' '.join(map(str, sizes))}\n"
            "space directions: (4,0,0) (0,4,0) (0,0,4)\nkinds: domain domain domain\n"
            f"endian: little\nencoding: {encoding}\nspace origin: (0,0,0)\n\n")
    return head.encode() + data.tobytes(order="F")


def section_pixels(femur: bool = True) -> np.ndarray:
    """A 64 x 64 labelled section on white: red front, blue back, a white femur in the middle."""
    rows, cols = np.mgrid[:64, :64] + 0.5
    r = np.hypot(rows - 32, cols - 32)
    pixels = np.full((64, 64, 3), 255, dtype=np.uint8)
    pixels[r < 28] = (255, 0, 0)
    pixels[(r < 28) & (rows > 32)] = (0, 0, 255)
    if femur:
        pixels[r < 6] = (255, 255, 255)
    return pixels


def image_bytes(pixels: np.ndarray, kind: str) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=kind, **({"quality": 75} if kind == "JPEG" else {}))
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header (with a valid checksum) claims ``width`` x ``height`` pixels."""
    import zlib

    head = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = image_bytes(section_pixels(), "PNG")
    return png[:12] + head + struct.pack(">I", zlib.crc32(head)) + png[33:]


# --- the cases -----------------------------------------------------------------------------

def _replace_part(name: str, vertices: np.ndarray, faces: np.ndarray) -> dict:
    parts = base_parts()
    parts[name] = (vertices, faces)
    return parts


#: Cases whose problem shows only when the model is measured: checked with ``thighview areas``
#: (the others with ``thighview info``, which only reads the file).
MEASURED = {"good_thigh.glb", "good_thigh.obj", "truncated.obj", "zero_area_femur.obj",
            "some_degenerate_triangles.obj", "nonmanifold_femur.obj", "self_intersecting.obj",
            "open_surface.obj", "duplicate_femur.obj", "non_utf8_names.obj", "no_femur.glb", "single_triangle.obj"}


def cases() -> dict[str, tuple[bytes, str, str]]:
    """file name -> (content, outcome, phrase). Outcomes: ``"error"`` (one line containing the
    phrase) or ``"ok"`` (exit 0, the phrase in the output)."""
    rng = np.random.default_rng(20261126)
    parts = base_parts()
    femur_v, femur_f = parts["femur"]
    glb, obj = glb_bytes(parts), obj_text(parts).encode()
    stl, ply = stl_bytes(femur_v, femur_f), ply_text(femur_v, femur_f).encode()
    vtk, nii, nrrd = vtk_text(femur_v, femur_f).encode(), nifti_bytes(labels()), nrrd_bytes(labels())

    def garble(data: bytes, start: int, length: int = 64) -> bytes:
        noise = rng.integers(0, 256, length, dtype=np.uint8).tobytes()
        return data[:start] + noise + data[start + length:]

    huge_glb = bytearray(glb)
    huge_glb[8:12] = struct.pack("<I", 2**31)  # the header claims a 2 GB file
    huge_glb[12:16] = struct.pack("<I", 2**31 - 64)  # and a 2 GB JSON chunk
    flat_femur = femur_v.copy()
    flat_femur[:, :2] = 0.0  # every femur triangle collapses onto the axis line: zero area
    degenerate = np.vstack([femur_f, [[0, 0, 1], [2, 2, 2], [3, 4, 3]]])  # a few zero-area triangles
    fin_v = np.vstack([femur_v, [[40.0, 40.0, -200.0]]])
    nonmanifold = np.vstack([femur_f, [[femur_f[0][0], femur_f[0][1], len(femur_v)]]])  # a fin on one edge
    open_faces = parts["vastus_lateralis"][1][4:]  # one wall panel missing: a hole in the side
    no_femur = {k: v for k, v in parts.items() if k != "femur"}
    second_femur = obj_text({"femur": (femur_v + np.array([150.0, 0.0, 0.0]), femur_f)}).splitlines()
    offset = sum(len(v) for v, _ in parts.values())
    second_femur = [f"f {' '.join(str(int(i) + offset) for i in line.split()[1:])}" if line.startswith("f ")
                    else line for line in second_femur]
    duplicate_text = obj_text(parts) + "\n".join(second_femur) + "\n"  # two objects both called femur
    crossed = parts["vastus_lateralis"][0].copy()
    ring = (len(crossed) - 2) // 2
    for a, b in ((1, 6), (ring + 1, ring + 6)):  # swap two vertices of each ring: the walls pass through each other
        crossed[[a, b]] = crossed[[b, a]]
    latin1 = obj_text(parts).replace("o vastus_lateralis", "o vasto_lateral_\u00e1\u00e9").encode("latin-1")
    float_labels = labels().astype(np.float32) + rng.random((24, 24, 24), dtype=np.float32) * 0.5

    png, jpeg = image_bytes(section_pixels(), "PNG"), image_bytes(section_pixels(), "JPEG")

    nan_v = femur_v.copy()
    nan_v[3] = np.nan
    inf_v = femur_v.copy()
    inf_v[5, 2] = np.inf

    return {
        "good_thigh.glb": (glb, "ok", ""),
        "good_thigh.obj": (obj, "ok", ""),
        # empty files, every format
        **{f"empty.{ext}": (b"", "error", "empty") for ext in ("glb", "obj", "stl", "ply", "vtk", "nii", "nrrd")},
        # truncated
        "truncated.glb": (glb[: len(glb) // 2], "error", "GLB"),
        "truncated.obj": (obj[: obj.index(b"o adductor_longus") - 203], "ok", "not closed"),  # text: cut faces = holes
        "truncated.stl": (stl[: len(stl) // 2], "error", "no triangle"),
        "truncated.ply": (ply[: len(ply) // 2], "error", "PLY"),
        "truncated.vtk": (vtk[: len(vtk) // 2], "error", "no triangle"),
        "truncated.nii": (nii[: 352 + 1000], "error", "truncated"),
        "truncated.nrrd": (nrrd[: len(nrrd) // 2], "error", "NRRD"),
        # corrupted in the middle
        "corrupted.glb": (garble(glb, 24), "error", "GLB"),
        "corrupted.obj": (obj.replace(b"\nf 1 ", b"\nf 99999 ", 1), "error", "OBJ"),
        "corrupted.stl": (garble(stl, 84 + 50 * 10, 200), "error", ""),
        "corrupted.ply": (ply.replace(b"property float y", b"property flaot y", 1), "error", "PLY"),
        "corrupted.vtk": (vtk.replace(b"POINTS", b"PIONTS", 1), "error", "no triangle"),
        "corrupted.nii": (garble(nii, 0, 48), "error", "NIfTI"),
        "bad_index.vtk": (vtk.replace(b"\n3 0 ", b"\n3 9999 ", 1), "error", "not in the file"),  # crashed VTK
        "bad_index.ply": (ply.replace(b"\n3 0 ", b"\n3 9999 ", 1), "error", "indices outside"),
        "corrupted.nrrd": (nrrd.replace(b"encoding: raw", b"encoding: zstd-magic", 1), "error", "NRRD"),
        # headers claiming far more data than there is
        "huge_claim.glb": (bytes(huge_glb), "error", "GLB"),
        "huge_claim.stl": (stl[:80] + struct.pack("<I", 2**31 - 1) + stl[84:], "error", "no triangle"),
        "huge_claim.ply": (ply_text(femur_v, femur_f, count=200_000_000).encode(), "error", "no triangle"),
        "huge_claim.nii": (nifti_bytes(labels(), dims=(1024, 1024, 2048)), "error", "voxels"),
        "huge_claim.nrrd": (nrrd_bytes(labels(), sizes=(1024, 1024, 2048)), "error", "voxels"),
        # the wrong name for the content
        "glb_named.obj": (glb, "error", "rename"),
        "nifti_named.stl": (gzip.compress(nii, mtime=0), "error", "rename"),
        "stl_named.glb": (stl, "error", "GLB"),
        "model.docx": (b"PK\x03\x04" + b"\0" * 26, "error", "unsupported"),
        # bad geometry
        "nan_coordinates.stl": (stl_bytes(nan_v, femur_f), "error", "NaN or infinite"),
        "inf_coordinates.ply": (ply_text(inf_v, femur_f).encode(), "error", "NaN or infinite"),
        "zero_area_femur.obj": (obj_text(_replace_part("femur", flat_femur, femur_f)).encode(), "error", "no area"),
        "some_degenerate_triangles.obj": (obj_text(_replace_part("femur", femur_v, degenerate)).encode(), "ok", ""),
        "nonmanifold_femur.obj": (obj_text(_replace_part("femur", fin_v, nonmanifold)).encode(), "ok", "not closed"),
        "self_intersecting.obj": (obj_text(_replace_part("vastus_lateralis", crossed,
                                                         parts["vastus_lateralis"][1])).encode(), "ok",
                                  "self-intersecting at this level, so no area: vastus_lateralis"),
        "open_surface.obj": (obj_text(_replace_part("vastus_lateralis", parts["vastus_lateralis"][0],
                                                    open_faces)).encode(), "ok", "not closed"),
        "absurd_units_km.obj": (obj_text(base_parts(scale=1e5)).encode(), "error", "units"),
        "absurd_units_tiny.obj": (obj_text(base_parts(scale=1e-6)).encode(), "error", "units"),
        # one 1 x 1 x 0 triangle: as metres 1.4 m across, as cm 14 mm; no unit makes it a thigh's section
        "single_triangle.obj": (b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", "error", "no thigh is that size"),
        # bad names and structure lists
        "duplicate_femur.obj": (duplicate_text.encode(), "error", "both named"),
        "non_utf8_names.obj": (latin1, "ok", ""),
        "no_femur.glb": (glb_bytes(no_femur), "error", "no femur"),
        # label maps that are not label maps
        "float_labels.nii": (nifti_bytes(float_labels), "error", "fractional"),
        "integral_float_labels.nii": (nifti_bytes(labels().astype(np.float32)), "ok", ""),
        "negative_labels.nrrd": (nrrd_bytes(-labels().astype(np.int8), kind="int8"), "error", "negative"),
        # labelled section images
        "truncated.png": (png[: len(png) // 2], "error", "truncated or damaged"),
        "corrupted.png": (garble(png, 50, 40), "error", "truncated or damaged"),
        "truncated.jpg": (jpeg[: len(jpeg) // 2], "error", "truncated or damaged"),
        "corrupted.jpg": (garble(jpeg, 2, 16), "error", "not an image"),
        "text_named.png": (b"thigh section, drawn by hand\n" * 8, "error", "not an image"),
        "huge_claim.png": (png_claiming(100_000, 100_000), "error", "THIGHVIEW_MAX_IMAGE_PIXELS"),
        "no_mapped_colour.png": (image_bytes(np.full((32, 32, 3), 255, dtype=np.uint8), "PNG"), "error",
                                 "no region of a mapped colour"),
        "no_femur_no_scale.png": (image_bytes(section_pixels(femur=False), "PNG"), "error", "--pixel-size MM"),
    }


def write_corpus(folder: Path) -> dict:
    """Write every case and ``manifest.json`` into ``folder``; returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, (content, outcome, phrase) in cases().items():
        (folder / name).write_bytes(content)
        manifest[name] = {"outcome": outcome, "phrase": phrase, "command": "areas" if name in MEASURED else "info"}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "bad"
    write_corpus(target)
    total = sum(p.stat().st_size for p in target.iterdir())
    print(f"{target}: {len(list(target.iterdir()))} files, {total / 1024:.0f} kB")
