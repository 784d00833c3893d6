"""Plane-strain finite elements of a thigh section: what pressing "into the bone" and "sideways" do.

    model = PressureModel.from_section(section, side="right")    # mesh + factorise once
    result = model.solve(Contact("anterolateral", "sideways", force_n=40))
    print(result.readout().table())

Submodules: ``geometry`` (the section as soft tissue around a fixed femur), ``meshing``
(permissively licensed quality triangulation), ``materials``, ``fem`` (Taylor-Hood mixed
elasticity, factorised once; ``lu`` makes and frees the factors on one thread), ``loads`` (tools, places, directions), ``model``, ``results``,
``animation`` (the load ramp, solved scenes and playback: data, drawn by
:mod:`thighview.render.pressure2d`) and ``demo`` (the guided massage sequence).
"""

from __future__ import annotations

from thighview.mechanics.geometry import PLACES, SectionShape, toy_section
from thighview.mechanics.loads import DIRECTIONS, TOOLS, Contact, Tool, tool_named
from thighview.mechanics.materials import Materials
from thighview.mechanics.model import MeshOptions, PressureModel
from thighview.mechanics.results import Deformation, Readout, compare_summary

__all__ = [
    "DIRECTIONS", "PLACES", "TOOLS", "Contact", "Deformation", "Materials", "MeshOptions", "PressureModel",
    "Readout", "SectionShape", "Tool", "compare_summary", "tool_named", "toy_section",
]
