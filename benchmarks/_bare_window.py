"""The baseline the app's start-up and memory are compared with: a bare pyvistaqt window.

It reads the same built-in model with the same reader and shows every structure in a
``QtInteractor`` with the app's starting opacities (skin see-through, fat and fascia hidden),
smooth-shaded, in a window of the app's size; it prints ``3D view ready`` once the first frame
is drawn, then idles. No section, no numbers, no panels: what any viewer of these meshes costs.
"""

from __future__ import annotations

import sys
import time


def main() -> int:
    started = time.perf_counter()
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication(sys.argv[:1])
    import pyvista  # noqa: F401  (what QtInteractor needs anyway)
    from pyvistaqt import QtInteractor

    from thighview.io import load_model
    from thighview.render.scene3d import default_opacity

    window = QtWidgets.QMainWindow()
    plotter = QtInteractor(window, auto_update=False)
    window.setCentralWidget(plotter.interactor)
    window.resize(1560, 940)
    window.show()
    model = load_model()
    import pyvista as pv

    for name, structure in model.structures.items():
        opacity = default_opacity(structure.compartment)
        if opacity > 0:
            mesh = pv.PolyData.from_regular_faces(structure.vertices, structure.faces)
            plotter.add_mesh(mesh, opacity=opacity, smooth_shading=True, name=name, render=False)
    plotter.reset_camera(render=False)
    plotter.render()
    app.processEvents()
    print(f"thighview: 3D view ready after {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
