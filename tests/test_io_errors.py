"""A corpus of malformed inputs: each must fail with one ThighViewError line naming the file."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

import io_samples as S
from thighview.errors import LimitExceededError, ThighViewError
from thighview.io import load_model
from thighview.io.limits import Limits


def _labels(values=(0, 1)):
    data = np.zeros((12, 12, 12), dtype=np.int16)
    data[3:9, 3:9, 3:9] = values[1]
    return data


def _good_nifti(folder: Path) -> Path:
    return S.save_nifti(folder / "good.nii.gz", _labels(), np.diag([4.0, 4.0, 4.0, 1.0]))


def _good_glb(folder: Path) -> Path:
    import trimesh

    path = folder / "good.glb"
    trimesh.creation.box((40, 40, 300)).export(path)
    return path


def _truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def _write(name: str, data: bytes | str):
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return path
    return make


def _nifti(name: str, data: np.ndarray):
    return lambda folder: S.save_nifti(folder / name, data, np.diag([4.0, 4.0, 4.0, 1.0]))


def _mask_folder_mismatch(folder: Path) -> Path:
    out = folder / "masks"
    out.mkdir()
    S.save_nifti(out / "femur.nii.gz", _labels(), np.diag([4.0, 4.0, 4.0, 1.0]))
    S.save_nifti(out / "gracilis.nii.gz", _labels(), np.diag([2.0, 4.0, 4.0, 1.0]))
    return out


def _empty_mask_folder(folder: Path) -> Path:
    out = folder / "masks"
    out.mkdir()
    S.save_nifti(out / "femur.nii.gz", np.zeros((8, 8, 8), np.uint8), np.eye(4))
    return out


def _mixed_folder(folder: Path) -> Path:
    out = folder / "mixed"
    out.mkdir()
    _good_glb(out)
    _good_nifti(out)
    return out


def _gltf_escaping_its_folder(folder: Path) -> Path:
    (folder / "secret.bin").write_bytes(b"\0" * 64)
    inner = folder / "model"
    inner.mkdir()
    path = inner / "model.gltf"
    path.write_text('{"asset": {"version": "2.0"}, "buffers": [{"uri": "../secret.bin", "byteLength": 64}],'
                    '"bufferViews": [{"buffer": 0, "byteLength": 36}], "accessors": [{"bufferView": 0,'
                    '"componentType": 5126, "count": 3, "type": "VEC3"}], "meshes": [{"primitives":'
                    '[{"attributes": {"POSITION": 0}}]}], "nodes": [{"mesh": 0}], "scenes": [{"nodes": [0]}]}')
    return path


def _nrrd_without_space(folder: Path) -> Path:
    import nrrd

    path = folder / "nospace.nrrd"
    nrrd.write(str(path), _labels())
    return path


CORPUS = {
    **{f"empty file {suffix}": _write(f"empty{suffix}", b"")
       for suffix in (".glb", ".gltf", ".obj", ".stl", ".ply", ".vtk", ".vtp", ".vtm", ".nii", ".nii.gz", ".nrrd")},
    **{f"random bytes {suffix}": _write(f"noise{suffix}", np.random.default_rng(1).bytes(3000))
       for suffix in (".glb", ".stl", ".ply", ".vtk", ".nii", ".nii.gz", ".nrrd")},
    "truncated nii.gz": lambda f: _truncate(_good_nifti(f)),
    "truncated glb": lambda f: _truncate(_good_glb(f)),
    "gz that is not a nifti": _write("fake.nii.gz", gzip.compress(b"hello world" * 50)),
    "glb named .stl": lambda f: _good_glb(f).rename(f / "actually_glb.stl") or f / "actually_glb.stl",
    "text named .nrrd": _write("notes.nrrd", "this is not an image\n"),
    "NaN coordinates (OBJ)": _write("nan.obj", "v nan 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 3 4\n"),
    "NaN coordinates (VTK)": _write("nan.vtk", "# vtk DataFile Version 3.0\nx\nASCII\nDATASET POLYDATA\n"
                                               "POINTS 3 float\nnan 0 0 1 0 0 0 1 0\nPOLYGONS 1 4\n3 0 1 2\n"),
    "points only (PLY)": _write("cloud.ply", "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                                             "property float y\nproperty float z\nend_header\n0 0 0\n1 0 0\n0 1 0\n"),
    "intensity image (fractional floats)": _nifti("mri.nii.gz", np.random.default_rng(2).random((12, 12, 12))),
    "intensity image (many integer values)": _nifti("ct.nii.gz", np.arange(12**3, dtype=np.int16).reshape(12, 12, 12)),
    "negative labels": _nifti("neg.nii.gz", _labels((0, -3))),
    "no labels": _nifti("zeros.nii.gz", np.zeros((12, 12, 12), np.uint8)),
    "4-D image": lambda f: S.save_nifti(f / "four.nii.gz", np.ones((4, 4, 4, 3), np.uint8), np.eye(4)),
    "NRRD without space directions": _nrrd_without_space,
    "zero voxel size": lambda f: S.save_nrrd(f / "flat.nrrd", _labels(), np.diag([4.0, 0.0, 4.0, 1.0])),
    "unsupported type": _write("thigh.docx", b"PK\x03\x04"),
    "missing file": lambda f: f / "nothing_here.glb",
    "empty folder": lambda f: (f / "void").mkdir() or f / "void",
    "folder of masks on two grids": _mask_folder_mismatch,
    "folder of empty masks": _empty_mask_folder,
    "folder of meshes and images": _mixed_folder,
    "glTF reading outside its folder": _gltf_escaping_its_folder,
}


def _assert_one_line_naming(exc: ThighViewError, path: Path) -> None:
    text = str(exc)
    assert "\n" not in text
    assert path.name in text, text
    assert len(exc.reason) > 10


@pytest.mark.parametrize("case", list(CORPUS))
def test_malformed_input_gives_one_line_error(tmp_path, case):
    path = CORPUS[case](tmp_path)
    with pytest.raises(ThighViewError) as info:
        load_model(path)
    _assert_one_line_naming(info.value, path)


@pytest.mark.parametrize("limits, message", [
    (Limits(max_triangles=10), "triangles"),
    (Limits(max_file_mb=1e-4), "MB"),
])
def test_mesh_limits(tmp_path, limits, message):
    path = _good_glb(tmp_path)
    with pytest.raises(LimitExceededError, match=message) as info:
        load_model(path, limits=limits)
    _assert_one_line_naming(info.value, path)


@pytest.mark.parametrize("limits, message", [
    (Limits(max_voxels=1000), "voxels"),
    (Limits(max_labels=1), "labels"),
])
def test_label_map_limits(tmp_path, limits, message):
    data = _labels()
    data[0:2, 0:2, 0:2] = 2
    path = S.save_nifti(tmp_path / "two.nii.gz", data, np.eye(4))
    with pytest.raises(LimitExceededError, match=message) as info:
        load_model(path, limits=limits)
    _assert_one_line_naming(info.value, path)


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("THIGHVIEW_MAX_TRIANGLES", "123")
    assert Limits.from_env().max_triangles == 123
    monkeypatch.setenv("THIGHVIEW_MAX_VOXELS", "many")
    with pytest.raises(LimitExceededError, match="THIGHVIEW_MAX_VOXELS"):
        Limits.from_env()


def test_bad_colour_table_and_misplaced_labels_option(tmp_path):
    image = _good_nifti(tmp_path)
    table = _write("garbage.ctbl", "1 femur\nnot numbers here\n")(tmp_path)
    with pytest.raises(ThighViewError) as info:
        load_model(image, labels=table)
    _assert_one_line_naming(info.value, table)
    with pytest.raises(ThighViewError, match="label map"):
        load_model(_good_glb(tmp_path), labels=table)


@pytest.mark.parametrize("meta", ['{"structures": {"box": {"compartment": "elbow"}}}', '{"side": "up"}',
                                  '{"anterior": [0, 1]}', '[1, 2, 3]', '{"name": '])
def test_invalid_sidecar_metadata(tmp_path, meta):
    glb = _good_glb(tmp_path)
    glb.rename(tmp_path / "box.glb")
    (tmp_path / "box.json").write_text(meta)
    with pytest.raises(ThighViewError) as info:
        load_model(tmp_path / "box.glb")
    assert "\n" not in str(info.value) and "box." in str(info.value)


def test_every_supported_suffix_has_a_reader_that_opens_it(tmp_path):
    from thighview.io import SUPPORTED_SUFFIXES, formats

    assert SUPPORTED_SUFFIXES == tuple(s for f in formats.FORMATS if f.reader for s in f.suffixes)
    for suffix in SUPPORTED_SUFFIXES:
        found = formats.format_of(tmp_path / f"thigh{suffix.upper()}")
        assert found is not None and suffix in found.suffixes and callable(found.load_reader())
    assert formats.format_of(tmp_path / "thigh.seg.nrrd").name == "Slicer segmentation"


def test_one_known_name_twice_is_refused(tmp_path):
    text = "".join(f"o femur\nv {x} 0 0\nv {x + 30} 0 0\nv {x} 30 0\nv {x} 0 300\n"
                   f"f {4 * n + 1} {4 * n + 3} {4 * n + 2}\nf {4 * n + 1} {4 * n + 2} {4 * n + 4}\n"
                   f"f {4 * n + 1} {4 * n + 4} {4 * n + 3}\nf {4 * n + 2} {4 * n + 3} {4 * n + 4}\n"
                   for n, x in enumerate((0, 100)))
    (tmp_path / "two.obj").write_text(text)
    with pytest.raises(ThighViewError, match="both named 'femur'") as info:
        load_model(tmp_path / "two.obj")
    _assert_one_line_naming(info.value, tmp_path / "two.obj")
