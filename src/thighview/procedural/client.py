"""A client's own thigh: measurements -> derived targets -> the default model's generator.

The reference measurements give the default model itself (byte for byte, right side); any
other set gives a model whose JSON carries the measurements, the numbers aimed for and the
warnings of what gave way.
"""

from __future__ import annotations

from pathlib import Path

from thighview.procedural.derive import Derivation, derive
from thighview.procedural.generator import DEFAULT_RESOLUTION, GeneratedModel, generate
from thighview.procedural.measurements import Measurements
from thighview.progress import Report

#: File stem of a client's model (the default model keeps ``thigh_default``).
CLIENT_STEM = "thigh"


def model_name(m: Measurements) -> str:
    """The name shown in the window title, tables and exports."""
    if m.is_reference:
        return f"ThighView default thigh ({m.side})"
    return f"Client thigh ({m.sex}, {m.height_m:g} m, {m.mass_kg:g} kg, {m.side})"


def generate_client(m: Measurements, resolution: int = DEFAULT_RESOLUTION, seed: int = 0,
                    progress: Report | None = None) -> tuple[GeneratedModel, Derivation]:
    """Generate the thigh for ``m``; the reference right thigh is exactly the default model."""
    derivation = derive(m)
    model = generate(resolution, seed, progress, derivation.body)
    if m != Measurements():
        model.client = {
            "name": model_name(m),
            "about": (f"A {m.side} thigh built by thighview.procedural from a client's measurements ({m.describe()}): "
                      "the reference anatomy scaled by published regressions; not a scan."),
            "side": m.side,
            "client": derivation.to_dict(),
        }
        model.parameters = {**model.parameters, "body": {
            "femur_length_mm": derivation.body.femur_length_mm, "bone_scale": derivation.body.bone_scale,
            "circumference_scale": derivation.body.circumference_scale,
            "muscle_scale": derivation.body.muscle_scale, "min_fat_scale": derivation.body.min_fat_scale}}
    return model, derivation


def build_client(m: Measurements, out_dir: str | Path, resolution: int = DEFAULT_RESOLUTION, seed: int = 0,
                 progress: Report | None = None
                 ) -> tuple[GeneratedModel, Derivation, Path, Path]:
    """Generate and write a client's thigh (``thigh.glb``/``.json``; the default keeps its own names)."""
    from thighview.procedural.writer import STEM, write_model

    model, derivation = generate_client(m, resolution, seed, progress)
    glb, meta = write_model(model, out_dir, STEM if model.client is None else CLIENT_STEM)
    return model, derivation, glb, meta


def mid_thigh_rings(m: Measurements) -> tuple[Derivation, dict[str, list]]:
    """The planned mid-thigh section for ``m`` (each structure's rings, in mm, as the model's
    section will show it: lateral on the viewer's left for a right thigh), without building
    the surfaces: what the form previews."""
    import numpy as np

    from thighview.procedural import generator, partition
    from thighview.procedural.derive import MID
    from thighview.procedural.plan import area_plan

    derivation = derive(m)
    body = derivation.body
    plan = area_plan(body)
    areas = plan.areas(MID)
    geo = partition.solve_level(MID, areas, body=body)
    spacing = generator.IN_PLANE_RATIO * 0.01 * body.femur_length_mm
    present = {name: slice(0, 1) if areas.get(name, 1.0) > 0 else slice(0, 0) for name in partition.OUTLINES}
    lay = generator.Layout(plan, np.array([MID]), [geo], generator._edge_counts([geo], spacing), spacing, present)
    # the section is viewed from below: the viewer's x is the patient's left (-x of the model)
    flip = np.array([-1.0, 1.0]) if body.side == "right" else np.array([1.0, 1.0])
    rings = {name: [ring * flip for ring in rs] for name, rs in generator.level_rings(lay, 0).items()}
    return derivation, rings
