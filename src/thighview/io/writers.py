"""Writing a model as one GLB: a node per structure, coloured, with ThighView's metadata.

The metadata (side, anterior direction, each structure's compartment and name as found) rides
in the glTF ``extras``, so a converted model, or one whose unassigned structures the user has
placed in a compartment, reopens exactly as it was. The file appears complete or not at all.
"""

from __future__ import annotations

from pathlib import Path

from thighview import anatomy
from thighview.export.atomic import atomic_path
from thighview.model import ThighModel

METADATA_VERSION = 1


def model_metadata(model: ThighModel) -> dict:
    """What :func:`thighview.io.load_model` needs to rebuild the model beyond its surfaces."""
    return {
        "version": METADATA_VERSION,
        "name": model.name,
        "side": model.side,
        "units": "mm",
        "anterior": None if model.anterior_hint is None else [float(c) for c in model.anterior_hint],
        "structures": {name: {"compartment": s.compartment.value, "raw_name": s.raw_name}
                       for name, s in model.structures.items()},
    }


def write_glb(model: ThighModel, target: str | Path, *, force: bool = False) -> Path:
    """Write ``model`` to ``target`` (a .glb) atomically; refuses to overwrite unless ``force``."""
    import trimesh
    from trimesh.visual.material import PBRMaterial

    scene = trimesh.Scene()
    for name, structure in model.structures.items():
        rgb = anatomy.hex_to_rgb(structure.colour or anatomy.structure_colour(name))
        material = PBRMaterial(name=name, baseColorFactor=[*(round(c * 255) for c in rgb), 255])
        mesh = trimesh.Trimesh(structure.vertices, structure.faces, process=False,
                               visual=trimesh.visual.TextureVisuals(material=material))
        scene.add_geometry(mesh, node_name=name, geom_name=name)
    scene.metadata["thighview"] = model_metadata(model)
    data = scene.export(file_type="glb")
    with atomic_path(target, force=force) as temp:
        temp.write_bytes(data)
    return Path(target)
