"""The desktop app (PySide6 + pyvistaqt): the only package that imports Qt.

Importing :mod:`thighview.gui` itself loads nothing heavy; :func:`thighview.gui.app.run_app`
starts the app. The state its widgets show and edit is :mod:`thighview.app` (plain Python).
"""
