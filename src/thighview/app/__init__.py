"""The application's state, without Qt: what the user is looking at, as plain Python objects.

:mod:`~thighview.app.state` holds :class:`~thighview.app.state.AppState` (model, level, section,
colours, visibility, selection) and :mod:`~thighview.app.pressure` the pressure demo's
:class:`~thighview.app.pressure.PressureState`. Both publish small dataclass events; the GUI's
widgets subscribe, sessions read and write them, and tests drive them without a window.
"""
