"""Each vocabulary is defined once: colour schemes, the legend, file formats, progress and cancel."""

from __future__ import annotations

import argparse

import pytest

from synthetic_thigh import synthetic_model
from thighview.anatomy import Compartment
from thighview.render.colouring import PALETTES, SCHEME_CHOICES, ColourMode, ColourScheme


@pytest.fixture(scope="module")
def section():
    from thighview.section import SectionEngine

    return SectionEngine(synthetic_model()).section(0.5)


# --- colour schemes -----------------------------------------------------------------------------

def test_colour_scheme_choices_come_from_the_enum_and_the_palettes():
    from thighview import anatomy

    assert SCHEME_CHOICES["mode"] == tuple(m.value for m in ColourMode)
    assert SCHEME_CHOICES["palette"] == tuple(anatomy.PALETTES) == PALETTES
    assert ColourScheme(mode="area").mode is ColourMode.AREA  # strings become the enum
    with pytest.raises(ValueError, match="rainbow"):
        ColourScheme(mode="rainbow")
    with pytest.raises(ValueError, match="'palette'"):
        ColourScheme(palette="sepia")
    with pytest.raises(ValueError, match="'hue'"):
        ColourScheme.from_settings({"hue": "red"})


@pytest.mark.parametrize("mode", list(ColourMode))
def test_every_setting_round_trips_through_its_plain_form(mode):
    scheme = ColourScheme(mode=mode, palette=PALETTES[-1], area_per="compartment", area_unit="cm2")
    assert ColourScheme.from_settings(scheme.settings()) == scheme


def test_cli_colour_options_offer_exactly_the_scheme_choices():
    from thighview.cli_commands.export import add_colour_options, colour_scheme

    parser = argparse.ArgumentParser()
    add_colour_options(parser)
    offered = {a.dest: tuple(a.choices) for a in parser._actions if a.choices}
    assert offered == {"colour_mode": SCHEME_CHOICES["mode"], "palette": SCHEME_CHOICES["palette"],
                       "area_per": SCHEME_CHOICES["area_per"], "area_unit": SCHEME_CHOICES["area_unit"]}
    args = parser.parse_args(["--colour-mode", "area", "--area-per", "compartment", "--area-unit", "cm2"])
    assert colour_scheme(args) == ColourScheme(mode=ColourMode.AREA, area_per="compartment", area_unit="cm2")
    assert colour_scheme(parser.parse_args([])) == ColourScheme()


@pytest.mark.parametrize("command, default", [("pressure", "into-bone"), ("animate", "compare"), ("export", "compare")])
def test_cli_direction_options_offer_exactly_the_app_presets(command, default):
    import importlib

    from thighview.app.pressure import DIRECTION_PRESETS

    parser = argparse.ArgumentParser()
    importlib.import_module(f"thighview.cli_commands.{command}").add_arguments(parser)
    (direction,) = [a for a in parser._actions if a.dest == "direction"]
    assert tuple(direction.choices) == tuple(DIRECTION_PRESETS)
    assert direction.default == default


def test_pressure_animation_refuses_a_direction_that_is_not_a_preset():
    from thighview.errors import ExportError
    from thighview.export.animations import pressure_frames

    with pytest.raises(ExportError, match="compare, into-bone, sideways, not 'upwards'"):
        next(iter(pressure_frames(None, None, 0.5, direction="upwards")))


def test_session_colours_are_checked_by_the_scheme(tmp_path):
    from thighview import session as ss
    from thighview.errors import SessionError

    assert ss.Session().colours == ColourScheme().settings()
    path = tmp_path / "s.thighview-session"
    path.write_text('{"format": "thighview.session", "version": 3, "model": {"path": null},'
                    ' "colours": {"mode": "area", "area_unit": "furlongs"}}')
    with pytest.raises(SessionError, match="furlongs"):
        ss.load_session(path)


# --- the legend ---------------------------------------------------------------------------------

def test_one_legend_for_the_view_and_the_figure(section):
    from thighview.export.figures import FigureOptions, section_figure
    from thighview.render.legend import LEGEND_ORDER, section_legend

    legend = section_legend(section, ColourScheme())
    assert legend.bar is None
    order = [e.compartment for e in legend.entries]
    assert order == sorted(order, key=LEGEND_ORDER.index) and Compartment.QUADRICEPS in order
    quad = next(e for e in legend.entries if e.compartment is Compartment.QUADRICEPS)
    assert quad.note == (f"{section.compartment_areas_cm2[Compartment.QUADRICEPS]:.1f} cm² "
                         f"({section.percent_of_muscle(Compartment.QUADRICEPS):.0f}% of muscle)")
    fig = section_figure(section, size_px=(800, 700))
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == [e.text for e in legend.entries]
    heat = section_legend(section, ColourScheme(mode=ColourMode.AREA, area_per="compartment", area_unit="cm2"))
    assert not heat.entries and heat.bar.label == "Area per compartment (cm²)"
    assert heat.bar.vmax == pytest.approx(max(section.compartment_areas_cm2[c] for c in
                                              (Compartment.QUADRICEPS, Compartment.ADDUCTORS,
                                               Compartment.HAMSTRINGS)))
    area_fig = section_figure(section, size_px=(800, 700),
                              options=FigureOptions(scheme=ColourScheme(mode=ColourMode.AREA, area_unit="cm2",
                                                                        area_per="compartment")))
    assert not area_fig.legends
    assert any(ax.get_xlabel() == heat.bar.label for ax in area_fig.axes)


# --- file formats -------------------------------------------------------------------------------

def _readme_block(name: str) -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = text.index(f"<!-- {name}")
    return text[text.index("\n", start) + 1:text.index(f"<!-- /{name} -->")].strip()


def test_readme_format_table_is_the_registry():
    from thighview.io.formats import markdown_table

    assert _readme_block("supported-formats") == markdown_table()


def test_unsupported_and_misnamed_files_are_named_from_the_registry(tmp_path):
    from thighview.errors import FileFormatError, UnsupportedFormatError
    from thighview.io import load_model
    from thighview.io.formats import FORMATS, SUPPORTED_SUFFIXES

    (tmp_path / "model.docx").write_bytes(b"PK\x03\x04" + b"\0" * 26)
    with pytest.raises(UnsupportedFormatError) as info:
        load_model(tmp_path / "model.docx")
    listed = str(info.value).split("ThighView opens ")[1]
    assert listed == ", ".join(s.lstrip(".") for s in SUPPORTED_SUFFIXES) + " and folders of these)"
    first_by_magic = {f.magic: f for f in reversed(FORMATS) if f.magic}  # a Slicer file is NRRD data
    for fmt in first_by_magic.values():  # each kind of magic bytes under a mesh name it is not
        wrong = tmp_path / ("thing.obj" if ".obj" not in fmt.suffixes else "thing.stl")
        wrong.write_bytes(fmt.magic + b"\0" * 64)
        with pytest.raises(FileFormatError, match=f"holds {fmt.name} data, not what its name .* says; rename it"):
            load_model(wrong)


# --- one colour converter, one GLB writer -------------------------------------------------------

def test_one_hex_converter_reads_every_spelling_and_refuses_the_rest():
    from thighview import anatomy
    from thighview.io.colour_map import parse_colour

    assert anatomy.hex_to_rgb("#ff8800") == anatomy.hex_to_rgb("FF8800") == anatomy.hex_to_rgb(" #f80")
    assert anatomy.hex_to_rgb("#ff8000") == (1.0, 128 / 255, 0.0)
    assert anatomy.rgb_to_hex((1.0, 128 / 255, 0.0)) == "#ff8000" == anatomy.rgb_to_hex([255, 128, 0, 255], 255)
    assert anatomy.rgb_to_hex((1.7, -0.2, 0.5)) == "#ff0080"  # out-of-range values are clipped
    assert parse_colour("#f80") == (255, 136, 0)
    for bad in ("#ff80", "red", "#gg0000", 12):
        with pytest.raises(ValueError):
            anatomy.hex_to_rgb(bad)


def _glb_json(data: bytes) -> dict:
    import json
    import struct

    length = struct.unpack_from("<I", data, 12)[0]
    return json.loads(data[20:20 + length])


def test_model_scene_and_default_glbs_come_from_one_writer(tmp_path):
    from thighview import anatomy
    from thighview.export.gltf import scene_glb
    from thighview.io import load_model
    from thighview.io.writers import write_glb

    model = synthetic_model()
    path = write_glb(model, tmp_path / "thigh.glb")
    written = _glb_json(path.read_bytes())
    scene = _glb_json(scene_glb(model, colours={n: (0.2, 0.4, 0.6) for n in model.structures},
                                opacity={"skin": 0.25}))
    for tree in (written, scene):
        materials = {m["name"]: m for m in tree["materials"]}
        assert {n["name"] for n in tree["nodes"]} >= set(model.structures)
        assert all(m["pbrMetallicRoughness"]["metallicFactor"] == 0.0 for m in materials.values())
    femur = {m["name"]: m for m in written["materials"]}["femur"]["pbrMetallicRoughness"]["baseColorFactor"]
    expected = anatomy.hex_to_rgb(model.structures["femur"].colour or anatomy.structure_colour("femur"))
    assert femur == pytest.approx([*expected, 1.0], abs=1 / 255)
    skin = {m["name"]: m for m in scene["materials"]}["skin"]
    assert skin["alphaMode"] == "BLEND" and skin["pbrMetallicRoughness"]["baseColorFactor"][3] == pytest.approx(0.25, abs=1 / 255)
    assert set(load_model(path).structures) == set(model.structures)


# --- one progress-and-cancel contract -----------------------------------------------------------

def test_imports_and_exports_share_one_progress_and_cancel(tmp_path):
    import io
    import threading

    from thighview.io import load_model
    from thighview.progress import Cancelled, Progress, Stage, TerminalProgress, run_steps

    seen: list[Progress] = []
    load_model(None, progress=seen.append)
    assert all(isinstance(p, Progress) for p in seen) and seen[-1].fraction == 1.0
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled, match="import cancelled"):
        load_model(None, cancel=cancel)

    closed = []

    def steps():
        try:
            for i in range(1, 5):
                yield Progress(i, 4, "frames")
        finally:
            closed.append(True)

    log = io.StringIO()
    run_steps(steps(), report=TerminalProgress(log))
    assert log.getvalue().splitlines()[-1] == "4/4 frames"
    with pytest.raises(Cancelled, match="export cancelled"):
        run_steps(steps(), cancel=cancel)
    assert closed == [True, True]  # a stopped generator is closed (it deletes its partial file)

    quiet = io.StringIO()
    Stage(TerminalProgress(quiet)).sub(0.5, 1.0)(1.0, "done")
    assert quiet.getvalue() == ""  # fractions (imports) stay out of a log


def test_the_gui_runner_delivers_progress_in_order_then_the_result(qtbot):
    from thighview.gui.workers import run_in_thread
    from thighview.progress import Progress

    got: list = []

    def work(report):
        for i in range(1, 4):
            report(Progress(i, 3, f"step {i}"))
        return "result"

    run_in_thread(work, got.append, got.append, on_progress=lambda p: got.append(p.message))
    qtbot.waitUntil(lambda: "result" in got, timeout=10000)
    assert got == ["step 1", "step 2", "step 3", "result"]
