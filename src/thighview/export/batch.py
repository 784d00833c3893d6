"""What ``thighview export`` and File › Export run: one request becomes a list of export jobs.

An :class:`ExportRequest` says what to make (formats, levels, size, looks); :func:`plan`
turns it into :class:`ExportJob` s, one per output file, each a generator of
:class:`~thighview.progress.Progress` steps. Every target is checked before any work
starts, so a batch never stops half-way because of a file that already exists. The CLI runs
the jobs with a terminal progress bar; the GUI runs the same jobs in a worker (or, for jobs
that use VTK, on the GUI thread between events) with a progress dialog and cancel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from thighview.errors import ExportError
from thighview.export import FIGURE_FORMATS, FORMATS
from thighview.export.atomic import check_target
from thighview.export.figures import FigureOptions
from thighview.progress import CancelFlag, Progress, Report, Steps, run_steps
from thighview.export.provenance import provenance

if TYPE_CHECKING:
    from thighview.model import ThighModel
    from thighview.section import SectionEngine

DEFAULT_SIZE = {"figure": (2400, 2100), "sheet": (5400, 3300), "png3d": (1920, 1080), "movie2d": (960, 840),
                "movie3d": (960, 720), "pressure": (1920, 1080)}


@dataclass(frozen=True)
class ExportRequest:
    """Everything an export batch needs to know, whether it came from the CLI or the GUI."""

    out_dir: Path
    formats: tuple[str, ...]
    levels: tuple[float, ...] = (0.5,)
    size: tuple[int, int] | None = None  # None: a good default per kind of output
    figure: FigureOptions = FigureOptions()
    view: str = "overview"
    camera: tuple | None = None  # the GUI's current 3-D camera (pyvista camera_position), else the named view
    sheet: bool = False
    profile: int = 0  # > 0: also an area profile at this many levels (csv/json)
    animation: str = "sweep"  # sweep | turntable | pressure
    frames: int = 48
    fps: float = 12.0
    pressure_at: str | float = "anterolateral"
    pressure_direction: str = "compare"
    force_n: float = 40.0
    pressure_large_deformation: bool = False  # the frames: the large-deformation solve's load steps
    visible: dict[str, bool] = field(default_factory=dict)
    opacity: dict[str, float] = field(default_factory=dict)
    stem: str | None = None  # file name start; default the model's name
    force: bool = False


@dataclass
class ExportJob:
    """One output file: where it goes, what it is, and the generator that writes it."""

    target: Path
    description: str
    steps: Callable[[], Steps]
    uses_vtk: bool = False


def level_tag(level: float) -> str:
    """0.5 -> '50', 0.325 -> '32.5' (percent of femur length, for file names)."""
    return f"{level * 100:.1f}".rstrip("0").rstrip(".")


def _once(work: Callable[[], object], label: str) -> Callable[[], Steps]:
    def steps() -> Iterator[Progress]:
        yield Progress(0, 1, label)
        work()
        yield Progress(1, 1, label)

    return steps


def _check_request(request: ExportRequest, engine: SectionEngine) -> None:
    unknown = [f for f in request.formats if f not in FORMATS]
    if unknown:
        raise ExportError(f"unknown format '{unknown[0]}' (choose from {', '.join(FORMATS)})")
    if not request.formats:
        raise ExportError("no format chosen")
    if not request.levels:
        raise ExportError("no level chosen")
    for level in request.levels:
        engine.axis.resolve(level, None)  # LevelError with the reason if outside the femur
    flat = engine.model.flat
    if flat is not None:  # one section: nothing along the thigh to show
        along = [what for what, asked in (
            ("another level", any(level != flat.level for level in request.levels)),
            ("a figure sheet (it shows the area profile)", request.sheet),
            ("an area profile", request.profile > 0),
            ("a level sweep", request.animation == "sweep" and any(f in request.formats for f in ("gif", "mp4"))))
            if asked]
        if along:
            raise ExportError(f"this model is a single section ({flat.kind}): it has no {along[0]}", engine.model.source)
    if not request.out_dir.is_dir():
        raise ExportError("the output folder does not exist", request.out_dir)
    uses_camera = "png3d" in request.formats or (request.animation == "turntable" and
                                                 any(f in request.formats for f in ("gif", "mp4")))
    if uses_camera and request.camera is None:
        from thighview.render.views import VIEWS_BY_KEY

        if request.view not in VIEWS_BY_KEY:
            raise ExportError(f"unknown view '{request.view}' (choose from {', '.join(VIEWS_BY_KEY)})")
    if not request.fps > 0:
        raise ExportError(f"frames per second must be positive, not {request.fps:g}")
    if "mp4" in request.formats:
        from thighview.export.movie import require_video

        require_video(request.out_dir)


def plan(request: ExportRequest, model: ThighModel, engine: SectionEngine) -> list[ExportJob]:
    """The jobs for a request; raises :class:`ExportError` before any work if a target is taken."""
    _check_request(request, engine)
    jobs = [*_figure_jobs(request, model, engine), *_table_jobs(request, model, engine),
            *_scene_jobs(request, model, engine), *_movie_jobs(request, model, engine)]
    targets = [job.target for job in jobs]
    if len(set(targets)) != len(targets):
        raise ExportError("two outputs would have the same file name")
    for target in targets:
        check_target(target, force=request.force)
    return jobs


def run_jobs(jobs: Sequence[ExportJob], *, report: Report | None = None,
             cancel: CancelFlag | None = None) -> list[Path]:
    """Run jobs in order; progress messages say which file of how many. Returns the written files."""
    written = []
    for i, job in enumerate(jobs, start=1):
        prefix = f"[{i}/{len(jobs)}] {job.target.name}"

        def relay(progress: Progress, prefix: str = prefix) -> None:
            if report is not None:
                report(Progress(progress.done, progress.total, prefix))

        run_steps(job.steps(), report=relay, cancel=cancel)
        written.append(job.target)
    return written


# --- the jobs per kind of output --------------------------------------------------------------

def _stem(request: ExportRequest, model: ThighModel) -> str:
    """File names start with the model file's name (``thigh_default``), else a slug of the model's name.

    Whatever the source, the start is a plain name: no folder separators, ``..``, control or
    reserved characters, so every output stays inside ``out_dir``.
    """
    if request.stem:
        text = request.stem
    elif model.source is not None:
        text = Path(model.source).stem
    else:
        text = re.sub(r"[^a-z0-9]+", "_", model.name.lower())
    return re.sub(r'[\x00-\x1f/\\:*?"<>|]+', "_", text).strip(" ._") or "thigh"


def _figure_jobs(request: ExportRequest, model: ThighModel, engine: SectionEngine) -> list[ExportJob]:
    from thighview.export import figures

    stem = _stem(request, model)
    options = request.figure.with_(length_name=engine.axis.length_name)
    kinds = [f for f in FIGURE_FORMATS if f in request.formats]
    jobs = []
    for level in request.levels:
        for fmt in kinds:
            target = request.out_dir / f"{stem}_section_{level_tag(level)}.{fmt}"

            def work(level: float = level, target: Path = target) -> None:
                from thighview.render.section2d import image_underlay

                section = engine.section(level)
                fig = figures.section_figure(section, side=model.side, options=options,
                                             size_px=request.size or DEFAULT_SIZE["figure"],
                                             underlay=image_underlay(model.flat, section.frame))
                figures.save_figure(fig, target, record=provenance(model, content="section figure", levels=[level]),
                                    transparent=request.figure.transparent, force=request.force)

            jobs.append(ExportJob(target, f"section at {level_tag(level)}% as {fmt.upper()}", _once(work, target.name)))
    if request.sheet:
        for fmt in kinds or ["pdf"]:
            target = request.out_dir / f"{stem}_sheet.{fmt}"

            def work(target: Path = target) -> None:
                sections = [engine.section(level) for level in request.levels]
                fig = figures.sheet_figure(sections, engine.profile(n=100), side=model.side, options=options,
                                           size_px=request.size or DEFAULT_SIZE["sheet"])
                figures.save_figure(fig, target, record=provenance(model, content="figure sheet",
                                                                   levels=request.levels),
                                    transparent=request.figure.transparent, force=request.force)

            jobs.append(ExportJob(target, f"figure sheet as {fmt.upper()}", _once(work, target.name)))
    return jobs


def _table_jobs(request: ExportRequest, model: ThighModel, engine: SectionEngine) -> list[ExportJob]:
    from thighview.export import tables

    stem = _stem(request, model)
    jobs = []
    for fmt in ("csv", "json"):
        if fmt not in request.formats:
            continue
        target = request.out_dir / f"{stem}_areas.{fmt}"

        def work(target: Path = target) -> None:
            tables.write_areas(target, [engine.section(level) for level in request.levels], model_name=model.name,
                               record=provenance(model, content="areas", levels=request.levels), force=request.force)

        jobs.append(ExportJob(target, f"areas as {fmt.upper()}", _once(work, target.name)))
        if request.profile > 0:
            profile_target = request.out_dir / f"{stem}_profile.{fmt}"

            def profile_work(target: Path = profile_target) -> None:
                tables.write_profile(target, engine.profile(n=request.profile), model_name=model.name,
                                     record=provenance(model, content=f"area profile, {request.profile} levels"),
                                     force=request.force)

            jobs.append(ExportJob(profile_target, f"area profile as {fmt.upper()}",
                                  _once(profile_work, profile_target.name)))
    return jobs


def _scene_options(request: ExportRequest):
    from thighview.export.scene import SceneOptions

    return SceneOptions(view=request.view, scheme=request.figure.scheme, transparent=request.figure.transparent,
                        title=request.figure.title, legend=request.figure.legend, visible=request.visible,
                        opacity=request.opacity, camera=request.camera)


def _scene_jobs(request: ExportRequest, model: ThighModel, engine: SectionEngine) -> list[ExportJob]:
    stem = _stem(request, model)
    jobs = []
    if "png3d" in request.formats:
        for level in request.levels:
            target = request.out_dir / f"{stem}_3d_{request.view}_{level_tag(level)}.png"

            def work(level: float = level, target: Path = target) -> None:
                from thighview.export.scene import write_scene_png

                write_scene_png(target, model, engine, level, size=request.size or DEFAULT_SIZE["png3d"],
                                options=_scene_options(request), force=request.force,
                                record=provenance(model, content="3-D view", levels=[level],
                                                  extra={"view": request.view}))

            jobs.append(ExportJob(target, f"3-D view at {level_tag(level)}%", _once(work, target.name), uses_vtk=True))
    if "glb" in request.formats:
        target = request.out_dir / f"{stem}_scene.glb"

        def work(target: Path = target) -> None:
            from thighview.export.gltf import write_glb
            from thighview.render.colouring import structure_colours
            from thighview.render.scene3d import default_opacity

            options = _scene_options(request)
            section = engine.section(request.levels[0])
            colours = structure_colours(model.structures.values(), options.scheme, section)
            opacity = {n: request.opacity.get(n, default_opacity(s.compartment)) for n, s in model.structures.items()}
            visible = [n for n in model.structures if request.visible.get(n, True)]
            write_glb(target, model, colours=colours, opacity=opacity, visible=visible, force=request.force,
                      record=provenance(model, content="3-D scene"))

        jobs.append(ExportJob(target, "3-D scene as GLB", _once(work, target.name)))
    return jobs


def _movie_jobs(request: ExportRequest, model: ThighModel, engine: SectionEngine) -> list[ExportJob]:
    from thighview.app.pressure import DIRECTION_PRESETS
    from thighview.export.animations import ANIMATIONS

    kinds = [f for f in ("gif", "mp4") if f in request.formats]
    if not kinds:
        return []
    if request.animation not in ANIMATIONS:
        raise ExportError(f"unknown animation '{request.animation}' (choose from {', '.join(ANIMATIONS)})")
    if request.animation == "pressure" and request.pressure_direction not in DIRECTION_PRESETS:
        raise ExportError(f"unknown pressure direction '{request.pressure_direction}' "
                          f"(choose from {', '.join(DIRECTION_PRESETS)})")
    if request.frames < 2:
        raise ExportError(f"an animation needs at least 2 frames, not {request.frames}")
    stem = _stem(request, model)
    name = request.animation if request.animation != "pressure" else f"pressure_{request.pressure_direction}"
    jobs = []
    for fmt in kinds:
        target = request.out_dir / f"{stem}_{name}.{fmt}"
        jobs.append(ExportJob(target, f"{request.animation} animation as {fmt.upper()}",
                              _movie_steps(request, model, engine, target),
                              uses_vtk=request.animation == "turntable"))
    return jobs


def _movie_steps(request: ExportRequest, model: ThighModel, engine: SectionEngine, target: Path):
    from thighview.export import animations
    from thighview.export.movie import movie_steps

    level = request.levels[0]

    def steps() -> Iterator[Progress]:
        if request.animation == "sweep":
            levels = animations.sweep_levels(request.frames)
            frames = animations.sweep_frames(engine, levels, side=model.side,
                                             options=request.figure.with_(length_name=engine.axis.length_name),
                                             size_px=request.size or DEFAULT_SIZE["movie2d"])
            record = provenance(model, content="level sweep", levels=[levels[0], levels[-1]])
            yield from movie_steps(target, frames, n_frames=len(levels), fps=request.fps, force=request.force,
                                   provenance=record)
        elif request.animation == "turntable":
            from thighview.export.scene import OffscreenScene, turntable_frames

            with OffscreenScene(model, engine, level, size=request.size or DEFAULT_SIZE["movie3d"],
                                options=_scene_options(request)) as scene:
                record = provenance(model, content="turntable", levels=[level])
                yield from movie_steps(target, turntable_frames(scene, request.frames), n_frames=request.frames,
                                       fps=request.fps, force=request.force, provenance=record)
        else:
            frames = animations.pressure_frames(model, engine, level, direction=request.pressure_direction,
                                                at=request.pressure_at, force_n=request.force_n,
                                                n_frames=request.frames,
                                                size_px=request.size or DEFAULT_SIZE["pressure"],
                                                nonlinear=request.pressure_large_deformation)
            record = provenance(model, content=f"pressure demo, {request.pressure_direction}", levels=[level],
                                extra={"at": str(request.pressure_at), "force_n": f"{request.force_n:g}",
                                       "model": "large deformation" if request.pressure_large_deformation
                                       else "linear"})
            yield from movie_steps(target, frames, n_frames=request.frames, fps=request.fps, force=request.force,
                                   provenance=record)

    return steps
