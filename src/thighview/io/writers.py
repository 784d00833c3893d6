"""Writing a model as one GLB: a node per structure, coloured, with ThighView's metadata.

:func:`glb_bytes` is ThighView's one GLB writer (the default model's generator, the 3-D scene
export and ``convert`` all use it): a named node and a matte PBR material per structure. The metadata (side, anterior direction, each structure's compartment and name as found) rides
in the glTF ``extras``, so a converted model, or one whose unassigned structures the user has
placed in a compartment, reopens exactly as it was. The file appears complete or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from thighview import anatomy
from thighview.export.atomic import atomic_path
from thighview.model import ThighModel

METADATA_VERSION = 1


@dataclass(frozen=True)
class GlbNode:
    """One structure of a GLB: its surface and colour (RGBA 0..1; alpha < 1 is see-through)."""

    name: str
    vertices: np.ndarray
    faces: np.ndarray
    rgba: tuple[float, float, float, float]

    @classmethod
    def opaque(cls, name: str, vertices, faces, colour: str) -> GlbNode:
        """A node in a hex colour, fully opaque."""
        return cls(name, vertices, faces, (*anatomy.hex_to_rgb(colour), 1.0))


def glb_bytes(nodes: Iterable[GlbNode], *, normals: bool = False, metadata: dict | None = None,
              tree_postprocessor: Callable[[dict], None] | None = None) -> bytes:
    """The GLB of ``nodes``: float32 positions, uint32 indices, one node, mesh and matte material
    each, named by the structure. ``metadata`` goes to the scene's extras (what
    :func:`thighview.io.load_model` reads back); ``tree_postprocessor`` may edit the glTF JSON."""
    import trimesh
    from trimesh.visual.material import PBRMaterial

    scene = trimesh.Scene()
    for node in nodes:
        opaque = node.rgba[3] >= 1.0
        material = PBRMaterial(name=node.name, baseColorFactor=list(node.rgba), metallicFactor=0.0,
                               roughnessFactor=0.8, alphaMode=None if opaque else "BLEND", doubleSided=not opaque)
        mesh = trimesh.Trimesh(np.asarray(node.vertices, dtype=np.float32), np.asarray(node.faces), process=False,
                               visual=trimesh.visual.TextureVisuals(material=material))
        scene.add_geometry(mesh, node_name=node.name, geom_name=node.name)
    if metadata is not None:
        scene.metadata["thighview"] = metadata
    return trimesh.exchange.gltf.export_glb(scene, include_normals=normals, tree_postprocessor=tree_postprocessor)


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
    data = glb_bytes((GlbNode.opaque(name, s.vertices, s.faces, s.colour or anatomy.structure_colour(name))
                      for name, s in model.structures.items()), metadata=model_metadata(model))
    with atomic_path(target, force=force) as temp:
        temp.write_bytes(data)
    return Path(target)
