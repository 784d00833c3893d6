"""Sessions: what a user set up (model, level, colours, visibility, camera...) as versioned JSON.

A session file lets a teacher prepare a view and reopen it exactly; the autosave copy lets the
app offer "recover last session?" after a crash. The format is plain JSON (never pickle)::

    {"format": "thighview.session", "version": 5,
     "model": {"path": "/data/thigh.glb", "sha256": "…"},   # path null = the built-in thigh
     "level": 0.5,
     "colours": {"mode": "compartment", "palette": "braus", "area_per": "muscle", "area_unit": "percent"},
     "visible": {"femur": true, …}, "opacity": {"skin": 0.25, …},
     "camera": [[px, py, pz], [fx, fy, fz], [ux, uy, uz]] | null,
     "compartments": {"mystery_muscle": "adductors"},   # the user's assignments
     "axis": null | {"basis": "principal"}                # the axis chosen for a model without a femur
             | {"basis": "points", "proximal": [x, y, z], "distal": [x, y, z]},
     "pressure": {"at": "anterolateral", "direction": "sideways", "force_n": 40.0, …},  # PressureSettings
     "image": {"pixel_size": 0.125, "colour_map": {"tolerance": 60, "colours": {…}}}}  # optional:
                                                          # how a section image was read (absent: defaults)

Older versions are migrated on load (:data:`_MIGRATIONS`); a file from a newer ThighView, or
anything that is not a session, is a one-line :class:`~thighview.errors.SessionError`.
Writes are atomic (:mod:`thighview.export.atomic`): a crash mid-save leaves the previous file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from thighview.anatomy import Compartment
from thighview.errors import ExportError, SessionError
from thighview.render.colouring import ColourScheme

if TYPE_CHECKING:
    from thighview.femur_axis import FemurAxis
    from thighview.model import ThighModel

FORMAT = "thighview.session"
VERSION = 5
SUFFIX = ".thighview-session"
#: A session is a few kB; anything far larger is not one (and is not read into memory).
MAX_SESSION_BYTES = 4 * 2**20

Camera = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]


@dataclass
class Session:
    """Everything a session restores. ``model_path`` None means the built-in thigh."""

    model_path: str | None = None
    model_sha256: str | None = None
    level: float = 0.5
    colours: dict[str, str] = field(default_factory=lambda: ColourScheme().settings())  # ColourScheme.settings()
    visible: dict[str, bool] = field(default_factory=dict)
    opacity: dict[str, float] = field(default_factory=dict)
    camera: Camera | None = None
    compartments: dict[str, str] = field(default_factory=dict)
    pressure: dict[str, str | float | bool | None] = field(default_factory=dict)  # PressureSettings.as_dict()
    axis: dict | None = None  # see axis_spec(); None = the femur's own axis
    image: dict = field(default_factory=dict)  # a section image's load options: pixel_size, colour_map

    def to_dict(self) -> dict:
        data = asdict(self)
        model = {"path": data.pop("model_path"), "sha256": data.pop("model_sha256")}
        camera = data.pop("camera")
        return {"format": FORMAT, "version": VERSION, "model": model, **data,
                "camera": None if camera is None else [list(v) for v in camera]}


# --- checksums -------------------------------------------------------------------------------

def model_checksum(path: str | Path) -> str:
    """SHA-256 of a model file, or of a folder's files (relative names and contents, sorted)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(2**20), b""):
                digest.update(block)
    return digest.hexdigest()


def model_changed(session: Session) -> bool:
    """True when the session's model file differs from the one it was saved with."""
    from thighview._resources import default_model_path

    path = Path(session.model_path) if session.model_path else default_model_path()
    if not path.exists():
        raise SessionError("the session's model is missing (move it back or open it by hand)", path)
    return session.model_sha256 is not None and model_checksum(path) != session.model_sha256


# --- the chosen axis ------------------------------------------------------------------------

def axis_spec(axis: FemurAxis) -> dict | None:
    """What a session stores of an axis: nothing for a femur's (it is found again from the bone),
    the choice for the principal axis (recomputed from the same model), the two points otherwise."""
    if axis.basis in ("femur", "section"):  # a single section's axis comes with the model
        return None
    if axis.basis == "principal":
        return {"basis": "principal"}
    return {"basis": "points", "proximal": [float(c) for c in axis.level_to_point(0.0)],
            "distal": [float(c) for c in axis.level_to_point(1.0)]}


def axis_from_spec(model: ThighModel, spec: dict) -> FemurAxis:
    """The axis a session's :func:`axis_spec` describes, on ``model``."""
    from thighview.femur_axis import FemurAxis

    if spec["basis"] == "principal":
        return FemurAxis.from_principal_axis(model)
    return FemurAxis.from_points(model, spec["proximal"], spec["distal"])


# --- validation ------------------------------------------------------------------------------

def _fail(reason: str, path: Path | None) -> NoReturn:
    raise SessionError(reason, path)


def _number(value, what: str, path: Path | None, low: float = -math.inf, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        _fail(f"{what} must be a number between {low:g} and {high:g}, not {value!r}", path)
    return float(value)


def _mapping(data: dict, key: str, path: Path | None) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        _fail(f"'{key}' must be an object of names", path)
    return value


def _session_from_dict(data: dict, path: Path | None) -> Session:
    """A :class:`Session` from a current-version dictionary, every field checked."""
    model = data.get("model")
    if not isinstance(model, dict):
        _fail("'model' is missing", path)
    model_path, sha = model.get("path"), model.get("sha256")
    if model_path is not None and (not isinstance(model_path, str) or not model_path or "\0" in model_path):
        _fail(f"model path {model_path!r} is not a file name", path)
    if sha is not None and (not isinstance(sha, str) or len(sha) != 64
                            or any(c not in "0123456789abcdef" for c in sha)):
        _fail("model checksum is not a SHA-256 hex digest", path)
    try:
        colours = ColourScheme.from_settings(_mapping(data, "colours", path)).settings()
    except ValueError as exc:
        _fail(str(exc), path)
    visible = _mapping(data, "visible", path)
    if not all(isinstance(v, bool) for v in visible.values()):
        _fail("'visible' values must be true or false", path)
    opacity = {k: _number(v, f"opacity of '{k}'", path, 0.0, 1.0) for k, v in _mapping(data, "opacity", path).items()}
    compartments = _mapping(data, "compartments", path)
    known = {c.value for c in Compartment}
    for name, value in compartments.items():
        if value not in known:
            _fail(f"compartment {value!r} for '{name}' is not one of {', '.join(sorted(known))}", path)
    pressure = _pressure_settings(_mapping(data, "pressure", path), path)
    axis = data.get("axis")
    if axis is not None:
        points = axis.get("basis") == "points" if isinstance(axis, dict) else False
        if not isinstance(axis, dict) or axis.get("basis") not in ("principal", "points") \
                or set(axis) != ({"basis", "proximal", "distal"} if points else {"basis"}) \
                or points and not all(isinstance(axis[k], list) and len(axis[k]) == 3 for k in ("proximal", "distal")):
            _fail('axis must be null, {"basis": "principal"} or {"basis": "points", "proximal": [x, y, z], '
                  '"distal": [x, y, z]}', path)
        if points:
            axis = {"basis": "points", **{k: [_number(c, f"a {k} axis coordinate", path) for c in axis[k]]
                                          for k in ("proximal", "distal")}}
    camera = data.get("camera")
    if camera is not None:
        if not (isinstance(camera, list) and len(camera) == 3
                and all(isinstance(v, list) and len(v) == 3 for v in camera)):
            _fail("camera must be [position, focal point, view up], each three numbers", path)
        camera = tuple(tuple(_number(c, "a camera coordinate", path) for c in v) for v in camera)
    return Session(model_path=model_path, model_sha256=sha,
                   level=_number(data.get("level", 0.5), "level", path, 0.0, 1.0),
                   colours=colours, visible=dict(visible), opacity=opacity, camera=camera,
                   compartments=dict(compartments), pressure=pressure, axis=axis,
                   image=_image_options(data, path))


def _pressure_settings(pressure: dict, path: Path | None) -> dict:
    """The pressure demo's settings, checked as the app state takes them (nothing stored: nothing set)."""
    from thighview.app.pressure import settings_from_mapping

    if not pressure:
        return {}
    try:
        return settings_from_mapping(pressure).as_dict()
    except ValueError as exc:
        _fail(str(exc), path)


def _image_options(data: dict, path: Path | None) -> dict:
    """The optional ``image`` entry: a positive pixel size and a colour map that reads, or nothing."""
    from thighview.errors import FileFormatError
    from thighview.io.colour_map import ColourMap

    image = _mapping(data, "image", path)
    unknown = set(image) - {"pixel_size", "colour_map"}
    if unknown:
        _fail(f"image setting '{sorted(unknown)[0]}' is not understood", path)
    options = {}
    if image.get("pixel_size") is not None:
        options["pixel_size"] = _number(image["pixel_size"], "the image's pixel size", path, 1e-6, 1000.0)
    if image.get("colour_map") is not None:
        try:
            ColourMap.from_mapping(image["colour_map"])
        except FileFormatError as exc:
            _fail(f"the image's {exc.reason}", path)
        options["colour_map"] = image["colour_map"]
    return options


# --- migrations ------------------------------------------------------------------------------

def _from_v1(data: dict) -> dict:
    """Version 1 (early builds): flat ``model`` path, ``colour_mode``/``palette``, a ``hidden`` list,
    the level in percent; no checksum, opacity, assignments or pressure."""
    hidden = data.get("hidden", [])
    if not isinstance(hidden, list):
        raise ValueError("'hidden' must be a list of names")
    level = data.get("level_percent", 50.0)
    return {"model": {"path": data.get("model"), "sha256": None},
            "level": level / 100.0 if isinstance(level, (int, float)) and not isinstance(level, bool) else level,
            "colours": {key: data[old] for key, old in (("mode", "colour_mode"), ("palette", "palette"))
                        if old in data},  # the rest keep their defaults
            "visible": {str(name): False for name in hidden}, "camera": data.get("camera")}


def _from_v2(data: dict) -> dict:
    """Version 2 did not store the axis chosen for a model without a femur (reopening asks again)."""
    return {**data, "axis": None}


def _from_v3(data: dict) -> dict:
    """Version 3 stored the pressure panel's widget texts: the direction's label, "auto" for no side;
    "enabled" was never written."""
    pressure = data.get("pressure")
    if not isinstance(pressure, dict):
        return data
    # the texts version 3 wrote, kept as written (not app.pressure.DIRECTION_LABELS, which may be renamed)
    labels = {"Compare both": "compare", "Into the bone": "into-bone", "Sideways": "sideways"}
    pressure = {k: v for k, v in pressure.items() if k != "enabled"}
    if pressure.get("direction") in labels:
        pressure["direction"] = labels[pressure["direction"]]
    if pressure.get("side") == "auto":
        pressure["side"] = None
    return {**data, "pressure": pressure}


def _from_v4(data: dict) -> dict:
    """Version 4 showed only the linear model of the pressure demo: it reopens showing that."""
    pressure = data.get("pressure")
    if not isinstance(pressure, dict):
        return data
    return {**data, "pressure": {**pressure, "large_deformation": False}}


#: version -> function turning that version's dictionary into the next version's.
_MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: _from_v1, 2: _from_v2, 3: _from_v3, 4: _from_v4}


def session_from_json(text: str, path: Path | None = None) -> Session:
    """Parse a session document of any known version (see the module docstring)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        _fail(f"not a ThighView session: not valid JSON ({exc})", path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        _fail("not a ThighView session (no \"format\": \"thighview.session\")", path)
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        _fail(f"session version {version!r} is not a positive whole number", path)
    if version > VERSION:
        _fail(f"written by a newer ThighView (session version {version}; this one reads up to {VERSION})", path)
    saved_version = version
    try:
        while version < VERSION:
            data = _MIGRATIONS[version](data)
            version += 1
    except (ValueError, TypeError) as exc:
        _fail(f"cannot upgrade this version-{saved_version} session ({exc})", path)
    return _session_from_dict(data, path)


# --- files -----------------------------------------------------------------------------------

def save_session(session: Session, path: str | Path, *, force: bool = True) -> Path:
    """Write ``session`` to ``path`` atomically (the old file stays intact until the new one is complete)."""
    from thighview.export.atomic import atomic_write_text

    text = json.dumps(session.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    try:
        return atomic_write_text(path, text, force=force)
    except ExportError as exc:
        raise SessionError(exc.reason, exc.path) from None


def load_session(path: str | Path) -> Session:
    """Read a session file; any problem is a one-line :class:`SessionError` naming the file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SESSION_BYTES:
            _fail(f"{path.stat().st_size / 2**20:.0f} MB is far too large for a session file", path)
        raw = path.read_bytes()
    except FileNotFoundError:
        _fail("no such session file", path)
    except OSError as exc:
        _fail(f"cannot read the session file ({exc.strerror or exc})", path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _fail("not a ThighView session (not UTF-8 text)", path)
    return session_from_json(text, path)


# --- autosave and recovery -------------------------------------------------------------------

def autosave_path() -> Path:
    """Where the running app keeps its autosave: ``THIGHVIEW_STATE_DIR`` or the user's state folder."""
    folder = os.environ.get("THIGHVIEW_STATE_DIR")
    if not folder:
        import platformdirs

        folder = platformdirs.user_state_dir("ThighView", appauthor=False)
    return Path(folder) / f"autosave{SUFFIX}"


def autosave(session: Session) -> Path:
    """Replace the autosave copy atomically (a kill mid-write leaves the previous copy)."""
    path = autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_session(session, path, force=True)


def recoverable_session() -> Session | None:
    """The autosave a crashed run left behind (a clean exit removes it), or None.

    An unreadable autosave is not worth an error at start-up: it is dropped.
    """
    path = autosave_path()
    if not path.is_file():
        return None
    try:
        return load_session(path)
    except SessionError:
        discard_autosave()
        return None


def discard_autosave() -> None:
    """Remove the autosave copy (on a clean exit, or when the user declines recovery)."""
    autosave_path().unlink(missing_ok=True)
