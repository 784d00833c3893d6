"""Scene builders shared by the app, the exports and the CLI (no Qt here).

:mod:`~thighview.render.scene3d` builds the 3-D thigh on any pyvista plotter (off-screen or the
app's QtInteractor), :mod:`~thighview.render.section2d` draws the section on matplotlib axes,
:mod:`~thighview.render.colouring` decides every structure's colour,
:mod:`~thighview.render.views` holds the named anatomical camera views as data, and
:mod:`~thighview.render.pressure2d` (the deforming section) and :mod:`~thighview.render.pressure_slab`
(its 3-D slab) draw the pressure demo's data, the tool and arrow where
:mod:`~thighview.render.pressure_tool` puts them.
"""
