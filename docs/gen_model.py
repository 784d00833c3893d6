"""Generated figures about the built-in thigh and the Braus-like drawing (see docs/generate.py)."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BRAUS = ROOT / "assets" / "braus_like_section.png"
BRAUS_LEVEL, BRAUS_PIXEL_MM, BRAUS_SARTORIUS = 0.4, 0.125, "#9b59b6"


def ceil_to(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step``: a bound stated at that precision."""
    return math.ceil(value / step - 1e-9) * step


@cache
def _default():
    from thighview.io import load_model
    from thighview.section import SectionEngine

    model = load_model()
    return model, SectionEngine(model)


@cache
def _fidelity():
    from thighview.procedural.fidelity import measure

    return measure(*_default())


def _name(structure: str) -> str:
    return structure.replace("_", " ")


def default_model_claims() -> str:
    """README: the built-in model's figures in one paragraph."""
    from thighview.anatomy import Compartment

    f = _fidelity()
    worst = max(f.volume_cm3, key=lambda n: abs(f.volume_error_percent(n)))
    shares = [f.quadriceps_share[t] for t in sorted(f.quadriceps_share)]
    mid = _default()[1].section(0.5)
    return (f"Every muscle's volume is within {ceil_to(f.largest_volume_error_percent, 0.1):.1f} % of its target "
            f"(the largest difference: {_name(worst)}, {abs(f.volume_error_percent(worst)):.2f} %); quadriceps hold "
            f"{min(shares):.0f}-{max(shares):.0f} % of the muscle area at 30-70 % of the femur "
            f"({mid.percent_of_muscle(Compartment.QUADRICEPS):.0f} % at mid-thigh), quadriceps + adductors "
            f"{f.quadriceps_adductors_mid:.0f} % at mid-thigh, and the quadriceps border "
            f"{100 * f.quadriceps_border_mid:.0f} % of the femur's outline there.")


def default_model_fidelity() -> str:
    """docs/default_model.md: each target, its source and what the model gives."""
    from thighview.procedural import outline
    from thighview.procedural.fidelity import MID_THIGH, NEAR_KNEE, targets

    f, goals = _fidelity(), targets()
    femur, skin = goals["femur"], goals["thigh_outline"]
    upper, lower = f.circumference_cm[outline.GLUTEAL_FOLD_LEVEL], f.circumference_cm[outline.ABOVE_KNEE_LEVEL]
    levels = " / ".join(f"{100 * t:.0f}" for t in sorted(f.quadriceps_share))
    shares = " / ".join(f"{f.quadriceps_share[t]:.0f}" for t in sorted(f.quadriceps_share))
    rows = [
        ("each muscle's volume (table below)", "Handsfield 2014",
         f"within {ceil_to(f.largest_volume_error_percent, 0.1):.1f} %"),
        ("cross-section peak of each muscle/group", "J Phys Ther Sci 21(3)",
         f"within {f.largest_peak_offset_points:.0f} points of femur length"),
        (f"femur length {femur['length_mm']['value']} mm, mid-shaft diameter {femur['midshaft_diameter_mm']['value']} mm",
         "Karakas & Harma 2008", f"{f.femur_length_mm:.1f} mm, {f.midshaft_diameter_mm:.1f} mm"),
        (f"circumference {skin['circumference_upper_cm']['value']} cm at the gluteal fold "
         f"({100 * outline.GLUTEAL_FOLD_LEVEL:.0f} %), {skin['circumference_lower_cm']['value']} cm above the knee "
         f"({100 * outline.ABOVE_KNEE_LEVEL:.0f} %)", "ANSUR II", f"{upper:.1f} cm, {lower:.1f} cm"),
        (f"quadriceps share of muscle area at {levels} %", "about 50 %", f"{shares} %"),
        (f"quadriceps + adductors at mid-thigh ({100 * MID_THIGH:.0f} %)", "about 75 %",
         f"{f.quadriceps_adductors_mid:.0f} %"),
        (f"hamstrings share near the knee ({100 * NEAR_KNEE:.0f} %)", "52 %", f"{f.hamstrings_share_near_knee:.0f} %"),
        ("thigh-muscle area peak (hip muscles left out)", "about 40 %", f"{100 * f.muscle_area_peak_level:.0f} %"),
        ("quadriceps border of the femur at mid-thigh", "", f"{100 * f.quadriceps_border_mid:.0f} % of its perimeter"),
        ("sections tile (50 levels, 5-95 %)", "",
         f"overlap < {ceil_to(f.overlap_percent, 0.01):.2f} %, gaps < {ceil_to(f.gap_percent, 0.01):.2f} %"),
    ]
    lines = ["| target | source | model |", "|---|---|---|"]
    return "\n".join(lines + [f"| {a} | {b} | {c} |" for a, b, c in rows])


def muscle_volumes() -> str:
    """docs/default_model.md: every muscle's target and model volume."""
    f = _fidelity()
    lines = ["| muscle | target (cm³) | model (cm³) | difference |", "|---|---:|---:|---:|"]
    for name, (target, model) in f.volume_cm3.items():
        error = round(f.volume_error_percent(name), 2) + 0.0  # + 0.0: no "-0.00"
        lines.append(f"| {_name(name)} | {target:.0f} | {model:.1f} | {error:+.2f} % |")
    return "\n".join(lines)


def default_model_files() -> str:
    """docs/default_model.md: size of the shipped files."""
    from thighview._resources import default_model_path

    triangles = sum(len(s.faces) for s in _default()[0].structures.values())
    return (f"Default files: `thigh_default.glb` {default_model_path().stat().st_size / 1e6:.1f} MB, "
            f"{triangles / 1000:.0f} k triangles.")


@cache
def _braus():
    """The drawing read as the README says (pixel size typed, the violet named sartorius) and the truth."""
    from thighview.io import load_model
    from thighview.io.colour_map import ColourMap
    from thighview.section import SectionEngine

    colours = ColourMap.default().to_mapping()
    colours["colours"][BRAUS_SARTORIUS] = "sartorius"
    drawing = load_model(BRAUS, pixel_size=BRAUS_PIXEL_MM, colour_map=colours)
    model, engine = _default()
    return SectionEngine(drawing).section(drawing.flat.level), engine.section(BRAUS_LEVEL)


_ROWS = (("Quadriceps", "QUADRICEPS"), ("Adductors", "ADDUCTORS"), ("Hamstrings", "HAMSTRINGS"),
         ("Sartorius (other muscle)", "OTHER_MUSCLE"), ("Femur", "BONE"))


def braus_readback() -> str:
    """README: the drawing's areas and shares against the model's own section."""
    from thighview.anatomy import Compartment

    read, truth = _braus()
    lines = [f"| compartment | area (cm²) | % of muscle | built-in model at {100 * BRAUS_LEVEL:.0f} % |",
             "| --- | ---: | ---: | ---: |"]
    for label, key in _ROWS:
        compartment = Compartment[key]
        if compartment.is_muscle:
            share, model_share = (f"{read.percent_of_muscle(compartment):.1f}",
                                  f"{truth.percent_of_muscle(compartment):.1f}")
        else:
            share = model_share = "–"
        lines.append(f"| {label} | {read.compartment_areas_cm2[compartment]:.1f} | {share} | {model_share} |")
    fat = read.compartment_areas_cm2[Compartment.FAT]
    lines += ["", f"The drawing's yellow ring ({fat:.1f} cm²) holds the model's fat, skin, fascia and vessels together."]
    return "\n".join(lines)


def braus_accuracy() -> str:
    """docs/import.md: the drawing read back against the model's section, in words."""
    from thighview.anatomy import Compartment

    read, truth = _braus()
    pairs = [(label.split(" ")[0].lower(), read.compartment_areas_cm2[Compartment[key]],
              truth.compartment_areas_cm2[Compartment[key]]) for label, key in _ROWS]
    worst = max(abs(a - b) / b for _, a, b in pairs)
    listed = ", ".join(f"{name} {a:.2f} against {b:.2f}" + (" cm²" if i == 0 else "")
                       for i, (name, a, b) in enumerate(pairs))
    return (f"The Braus-like picture of the built-in thigh at {100 * BRAUS_LEVEL:.0f} % "
            f"(`assets/braus_like_section.png`, painted by `docs/draw_braus_like.py` at {BRAUS_PIXEL_MM} mm/px "
            "with dark outlines, fat seams and a violet sartorius, named sartorius as in the README) "
            f"reads back within {ceil_to(100 * worst, 0.1):.1f} % of the model's own section for every "
            f"compartment and the femur ({listed}).")


BLOCKS = {
    "default-model-claims": default_model_claims,
    "default-model-fidelity": default_model_fidelity,
    "muscle-volumes": muscle_volumes,
    "default-model-files": default_model_files,
    "braus-readback": braus_readback,
    "braus-accuracy": braus_accuracy,
}
