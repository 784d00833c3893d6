"""The 3-D scene as one binary glTF (GLB) for web viewers and slides.

One node per visible structure, named by its canonical name (so :func:`thighview.io.load_model`
reads it back as the same structures), a PBR material in the scene's colour and opacity
(``BLEND`` where see-through), the structure's compartment and label in the node's ``extras``,
and the provenance record in ``asset.extras``. Coordinates stay in the model's units
(millimetres; stated in ``asset.extras.units``), as in ThighView's own default model.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from thighview import anatomy
from thighview.errors import ExportError
from thighview.export.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from thighview.model import ThighModel

RGB = tuple[float, float, float]


def scene_glb(model: ThighModel, *, colours: Mapping[str, RGB], opacity: Mapping[str, float] | None = None,
              visible: Collection[str] | None = None, record: dict[str, str] | None = None) -> bytes:
    """The GLB bytes of the model's visible structures in the given colours and opacities."""
    from thighview.io.writers import GlbNode, glb_bytes

    shown = [n for n in model.structures if visible is None or n in visible]
    if not shown:
        raise ExportError("no visible structure to export", model.source)
    nodes = []
    for name in shown:
        structure = model.structures[name]
        rgb = colours.get(name, anatomy.hex_to_rgb(anatomy.compartment_colour(structure.compartment)))
        nodes.append(GlbNode(name, structure.vertices, structure.faces,
                             (*rgb, float((opacity or {}).get(name, 1.0)))))

    def add_extras(tree: dict) -> None:
        tree.setdefault("asset", {})["extras"] = {**(record or {}), "units": model.units, "side": model.side}
        for node in tree.get("nodes", []):
            name = node.get("name")
            if name in model.structures:
                node["extras"] = {"compartment": model.structures[name].compartment.value,
                                  "label": anatomy.label_of(name)}

    return glb_bytes(nodes, normals=True, tree_postprocessor=add_extras)


def write_glb(path: str | Path, model: ThighModel, *, colours: Mapping[str, RGB],
              opacity: Mapping[str, float] | None = None, visible: Collection[str] | None = None,
              record: dict[str, str] | None = None, force: bool = False) -> Path:
    """Write the scene GLB atomically."""
    path = Path(path)
    if path.suffix.lower() != ".glb":
        raise ExportError(f"a 3-D scene is written as .glb, not '{path.suffix or path.name}'", path)
    return atomic_write_bytes(path, scene_glb(model, colours=colours, opacity=opacity, visible=visible,
                                              record=record), force=force)
