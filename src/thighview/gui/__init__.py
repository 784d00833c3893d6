"""The desktop app (PySide6 + pyvistaqt): the only package that imports Qt.

Importing :mod:`thighview.gui` itself loads nothing heavy; :func:`thighview.gui.app.run_app`
starts the app. :mod:`thighview.gui.state` (the app state and its events) is plain Python.
"""
