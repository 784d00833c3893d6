"""A structure with an unknown name (unassigned) is labelled in the 2-D section like the muscles,
so the user can see which region to assign."""

from __future__ import annotations

from synthetic_thigh import synthetic_model

from thighview.anatomy import Compartment
from thighview.model import Structure, ThighModel
from thighview.render import colouring, section2d
from thighview.render.colouring import ColourScheme


def test_unassigned_structure_gets_a_label():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from thighview.section import SectionEngine

    base = synthetic_model()
    structures = dict(base.structures)
    lateral = structures.pop("vastus_lateralis")
    structures["mystery_muscle"] = Structure("mystery_muscle", lateral.vertices, lateral.faces,
                                             Compartment.UNASSIGNED, raw_name="Mystery_Muscle")
    model = ThighModel(structures, side="right", anterior_hint=base.anterior_hint)
    section = SectionEngine(model).section(0.5)
    assert section.compartments["mystery_muscle"] is Compartment.UNASSIGNED
    figure = Figure(figsize=(8, 6), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    colours = colouring.structure_colours(model.structures.values(), ColourScheme(), section)
    drawing = section2d.draw_section(ax, section, colours, side=model.side)
    assert drawing.labels["mystery_muscle"].get_text() == "Mystery muscle"
    assert "rectus_femoris" in drawing.labels  # the others keep theirs
