"""The built-in anatomical thigh: an idealised right adult male thigh, generated from the literature.

No open, clean, non-overlapping per-muscle thigh model exists that ThighView could ship, so
it builds its own from the reference figures in ``data/anatomy_targets.json`` (each with its
source). How:

1. **Areas per level** (:mod:`.plan`). Each muscle's cross-sectional area along the femur is
   a broad bump that starts and ends where the muscle does, peaks where MRI puts its largest
   section, and is scaled so that the muscle's volume inside the model equals the Handsfield
   et al. (2014) volume for a 1.75 m, 75 kg man. The hip muscles that reach the top of the
   thigh (gluteus maximus, tensor fasciae latae, iliopsoas, pectineus) get estimated
   volumes. Septa, the femoral vessels and the sciatic nerve get small areas that fade out
   where they end.
2. **Outlines** (:mod:`.outline`), all polar about the straight femur shaft axis (the z axis):
   the femur (oval shaft of the reference mid-shaft diameter with the linea aspera and its
   diverging lips, trochanters and neck proximally, flared condyles distally, rounded ends);
   the skin (an off-centre ellipse whose circumference follows ANSUR II at the gluteal fold
   and above the knee); the subcutaneous fat (thickest medially, thinnest laterally, as in
   the CT study), whose overall thickness at each level is solved so that the muscle ring
   inside the fascia lata has exactly the summed muscle area; and the fascia lata,
   thickened laterally into the iliotibial band.
3. **Partition** (:mod:`.partition`). The muscle ring is mapped onto a unit square with an
   area-preserving polar map and cut into columns from bone to fascia; each column holds a
   deep-to-superficial stack. Where columns meet the bone and the fascia balances
   anatomical landmarks at both ends (the lateral and medial septa at the lips of the
   linea aspera, the quadriceps wrapping most of the shaft, the vastus lateralis reaching
   behind it; the superficial order round the thigh) against the column's area; layer
   heights follow from the target areas in closed form, so every section holds exactly the
   planned areas and tiles the ring: the compartment layout of Braus's classic section
   (quadriceps round the front and sides of the femur, adductors medially, hamstrings
   behind, sartorius over the adductor canal and the femoral vessels, the sciatic nerve
   between adductor magnus and hamstrings).
4. **Surfaces** (:mod:`.loft`). Each structure's outline is sampled with a fixed number of
   points per edge of the partition, shared with its neighbours, at every level; rings are
   lofted level to level and capped, giving one closed, consistently outward-oriented
   surface per structure. Muscles that begin or end inside the thigh taper to a sliver and
   are capped there. Fat, skin and fascia are shells; the femur is capped by fans.
5. **Files** (:mod:`.writer`): ``thigh_default.glb`` (one named node per structure) and
   ``thigh_default.json`` (compartments, colours, units, femur axis, level convention,
   generator version, parameters, sources), written atomically and byte-reproducibly.

Coordinates are RAS-like millimetres: +x = the patient's right (lateral for this right
thigh), +y = anterior, +z = superior; the femur runs from z = 0 (proximal) to z = -length.
"""

from __future__ import annotations

from pathlib import Path

from thighview.procedural.generator import DEFAULT_RESOLUTION, GeneratedModel, generate
from thighview.progress import Report

__all__ = ["DEFAULT_RESOLUTION", "GeneratedModel", "build", "generate"]


def build(out_dir: str | Path, resolution: int = DEFAULT_RESOLUTION, seed: int = 0,
          progress: Report | None = None) -> tuple[GeneratedModel, Path, Path]:
    """Generate the model and write ``thigh_default.glb``/``.json`` into ``out_dir``."""
    from thighview.procedural.writer import write_model

    model = generate(resolution=resolution, seed=seed, progress=progress)
    glb, meta = write_model(model, out_dir)
    return model, glb, meta
