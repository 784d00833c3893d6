"""3-D pictures: the render module's scene on an off-screen pyvista plotter ("one scene, two hosts").

:class:`OffscreenScene` builds :class:`thighview.render.scene3d.ThighScene` (the same scene the
GUI's 3-D view hosts) on an off-screen plotter of the requested size, with anti-aliasing, an
optional transparent background, a title and a compartment legend. :func:`write_scene_png`
saves one picture with provenance ``tEXt`` chunks; :func:`turntable_frames` turns the camera
round the thigh for a movie. VTK is touched only by the thread that made the scene.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from thighview.errors import ExportError
from thighview.export.atomic import atomic_path
from thighview.export.figures import check_size
from thighview.export.provenance import SOFTWARE
from thighview.render.colouring import ColourScheme

if TYPE_CHECKING:
    from thighview.model import ThighModel
    from thighview.section import SectionEngine

#: Supersampling renders twice the size in each direction; off-screen EGL/OSMesa framebuffers
#: fail beyond about this many pixels per side (10000 works, 15360 does not), so larger
#: pictures (8K) are rendered without it: at that size a pixel is too small for jaggies to show.
SSAA_MAX_SIDE = 10240

@dataclass(frozen=True)
class SceneOptions:
    """How the 3-D picture looks; ``visible``/``opacity`` default to the scene's own defaults."""

    view: str = "overview"
    scheme: ColourScheme = ColourScheme()
    transparent: bool = False
    title: str | None = None  # None: "Right thigh, section at 50% of femur length"; "": none
    legend: bool = True
    anti_aliasing: str | None = "ssaa"  # "ssaa" (supersampling; works off-screen on EGL/OSMesa) or None
    clipping: bool = True
    plane: bool = True
    lighting: bool = True
    visible: Mapping[str, bool] = field(default_factory=dict)
    opacity: Mapping[str, float] = field(default_factory=dict)
    camera: tuple | None = None  # pyvista camera_position (the GUI's current camera); None: the named view


class OffscreenScene:
    """The thigh scene at one level on an off-screen plotter; use as a context manager."""

    def __init__(self, model: ThighModel, engine: SectionEngine, level: float, *,
                 size: tuple[int, int] = (1920, 1080), options: SceneOptions = SceneOptions()) -> None:
        import pyvista as pv

        from thighview.render.colouring import structure_colours
        from thighview.render.scene3d import ThighScene
        from thighview.render.views import AnatomicalAxes

        self.size = check_size(size)
        self.options = options
        self.plotter = pv.Plotter(off_screen=True, window_size=list(self.size))
        try:
            self.section = engine.section(level)
            self.length_name = engine.axis.length_name  # what the title's level is a fraction of
            self.scene = ThighScene(self.plotter, model, AnatomicalAxes.from_femur_axis(engine.axis),
                                    lighting=options.lighting, background=not options.transparent)
            if options.transparent:
                self.plotter.set_background("white")
            self.scene.set_colours(structure_colours(model.structures.values(), options.scheme, self.section))
            for name, shown in options.visible.items():
                if name in self.scene.actors:
                    self.scene.set_visible(name, shown)
            for name, opacity in options.opacity.items():
                if name in self.scene.actors:
                    self.scene.set_opacity(name, opacity)
            self.scene.set_clipping(options.clipping)
            self.scene.set_plane_visible(options.plane)
            self.scene.set_section(self.section)
            self.scene.view(options.view)
            if options.camera is not None:
                self.plotter.camera_position = options.camera
            else:
                self._fit_visible(model)
            self._decorate(model)
            supersampled = options.anti_aliasing == "ssaa"
            if options.anti_aliasing and not (supersampled and 2 * max(self.size) > SSAA_MAX_SIDE):
                self.plotter.enable_anti_aliasing(options.anti_aliasing)
        except BaseException:
            self.plotter.close()
            raise

    def _fit_visible(self, model: ThighModel) -> None:
        """Frame what is left after the cut (the part of the thigh below the plane and the section)."""
        if not self.options.clipping:
            return
        origin = np.asarray(self.section.frame.origin, dtype=float)
        superior = self.scene.axes.superior
        import shapely

        kept = [s.vertices[(s.vertices - origin) @ superior <= 0.0] for s in model.structures.values()]
        outline = shapely.get_coordinates(shapely.boundary(list(self.section.polygons.values())))
        kept.append(self.section.frame.to_3d(outline) if len(outline) else origin[None, :])
        kept = np.concatenate([k for k in kept if len(k)])
        centre = (kept.min(axis=0) + kept.max(axis=0)) / 2.0
        radius = float(np.linalg.norm(kept - centre, axis=1).max())
        camera = self.plotter.camera
        direction = np.asarray(camera.position) - np.asarray(camera.focal_point)
        direction /= np.linalg.norm(direction)
        half_angle = np.radians(camera.view_angle / 2.0)
        if self.size[0] < self.size[1]:  # portrait: the narrower horizontal angle decides
            half_angle = np.arctan(np.tan(half_angle) * self.size[0] / self.size[1])
        distance = 1.15 * radius / np.sin(half_angle)
        camera.focal_point = tuple(centre)
        camera.position = tuple(centre + distance * direction)
        self.plotter.reset_camera_clipping_range()

    def _decorate(self, model: ThighModel) -> None:
        options = self.options
        ink = "#1a1a1a" if options.transparent else "white"
        title = options.title
        if title is None:
            from thighview.femur_axis import SINGLE_SECTION

            where = ("a single section" if self.length_name == SINGLE_SECTION else
                     f"section {self.section.where}" if self.section.where else
                     f"section at {self.section.level * 100:.0f}% of {self.length_name}")
            title = f"{model.side.capitalize()} thigh, {where}"
        if title:  # VTK's font size unit is ~1.2 px per character: fit the width, scale with the height
            font = max(6, round(min(self.size[1] / 60, 0.8 * self.size[0] / (1.25 * len(title)))))
            self.plotter.add_text(title, position="upper_edge", font_size=font, color=ink, name="title")
        if options.legend and not options.scheme.mode.is_heat_map:
            from thighview.render.legend import compartment_entries

            entries = [[e.text, e.colour] for e in compartment_entries(
                (s.compartment for s in model.structures.values()), options.scheme.palette)]
            if entries:
                # a dark box keeps every entry (text in its own colour, the femur's is pale) readable
                self.plotter.add_legend(entries, bcolor=(0.12, 0.12, 0.14), background_opacity=0.7, border=False,
                                        face="rectangle", size=(0.16, 0.2), loc="lower right")

    def image(self) -> np.ndarray:
        """The current picture as an RGB (or RGBA when transparent) ``uint8`` array."""
        self.plotter.render()  # pyvista renders by itself only before the first screenshot
        image = np.asarray(self.plotter.screenshot(transparent_background=self.options.transparent,
                                                   return_img=True))
        if not image.any():  # a framebuffer the driver could not allocate comes back all black
            raise ExportError(f"the 3-D renderer could not draw a {self.size[0]}x{self.size[1]} picture here; "
                              "try a smaller size")
        return image

    def rotate(self, degrees: float) -> None:
        """Turn the camera round the thigh's long axis."""
        camera = self.plotter.camera
        camera.SetViewUp(*self.scene.axes.superior)
        camera.Azimuth(degrees)
        camera.OrthogonalizeViewUp()

    def close(self) -> None:
        self.plotter.close()

    def __enter__(self) -> OffscreenScene:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def save_png(image: np.ndarray, path: str | Path, *, record: dict[str, str], force: bool = False) -> Path:
    """An RGB(A) array as a PNG with the provenance record as ``tEXt`` chunks, atomically."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ExportError(f"a 3-D picture is written as .png, not '{path.suffix or path.name}'", path)
    info = PngInfo()
    info.add_text("Software", SOFTWARE)
    for key, value in record.items():
        info.add_text(f"thighview:{key}", value)
    with atomic_path(path, force=force) as temp:
        # zlib level 2: a 4K picture encodes ~3x faster than Pillow's default (6), ~25% larger
        Image.fromarray(np.ascontiguousarray(image)).save(temp, format="PNG", pnginfo=info, compress_level=2)
    return path


def write_scene_png(path: str | Path, model: ThighModel, engine: SectionEngine, level: float, *,
                    size: tuple[int, int] = (1920, 1080), options: SceneOptions = SceneOptions(),
                    record: dict[str, str], force: bool = False) -> Path:
    """One 3-D picture of the thigh cut at ``level`` as PNG (any size up to 8K)."""
    from thighview.export.atomic import check_target

    check_target(path, force=force)  # fail before the (slow) render
    with OffscreenScene(model, engine, level, size=size, options=options) as scene:
        return save_png(scene.image(), path, record=record, force=force)


def turntable_frames(scene: OffscreenScene, n_frames: int) -> Iterator[np.ndarray]:
    """``n_frames`` pictures while the camera goes once round the thigh."""
    for i in range(n_frames):
        if i:
            scene.rotate(360.0 / n_frames)
        yield scene.image()
