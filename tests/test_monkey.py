"""The real window under a monkey: random user actions, invariants checked after every step.

A Hypothesis state machine drives the main window under Xvfb (levels, colours, visibility,
assignments with undo/redo, models, a single section, the pressure demo, presentation mode,
exports, sessions, resizing) and after every step checks that no exception reached the
excepthook, that the Areas panel shows the section engine's numbers, that the 2-D and 3-D
views show the state's level, and that nothing (plotter actors, timers, threads) outlives the
model it belonged to. Undo/redo, sessions and exports are checked where they happen.

Profiles, like the fuzz tests: the SHORT one (derandomized, 6 × 50 steps, the fixture models
only) runs in the normal test command; ``THIGHVIEW_MONKEY=long`` runs ≥ 10 000 random steps (the
built-in thigh too) and checks the resident-memory budget (:data:`RSS_BUDGET_MB`).
``THIGHVIEW_MONKEY_LOG=FILE`` logs progress: slow steps, and at each start state the resident
memory (after a collection and ``malloc_trim``) with the counts of live QObjects, VTK objects and
matplotlib figures.

Every widget the monkey touches is reached through :class:`Driver`, so a changed widget is
adapted in one place.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as stg
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)
from resident import arenas_mb, heap_mb, mapped_mb, resident_mb
from synthetic_thigh import synthetic_model

from thighview.anatomy import Compartment
from thighview.model import Structure
from thighview.render.colouring import ColourMode

pytestmark = pytest.mark.gui

LONG = os.environ.get("THIGHVIEW_MONKEY") == "long"
#: (examples, at most steps per example): SHORT ≈ 300 steps, LONG ≥ 10 000 steps. Hypothesis ends an
#: example early at random (measured: 38-42 steps on average, over runs of 22-179 examples), so 250 × 48
#: stops between 9 500 and 10 500 steps, at the edge of the 10 000 asserted; 300 give 11 400-12 600.
PROFILE = (300, 48) if LONG else (6, 50)
#: The long profile's examples run as fresh Hypothesis runs of this many each (10 × 30). One run keeps a
#: record of every example it drew until it ends; over 300 examples of a bare 5-rule state machine that
#: grew RSS by 34 MB (3 MB in runs of 30), which the memory budget would have charged to the app.
BATCH = 30 if LONG else PROFILE[0]
#: The models the monkey opens. The built-in thigh (~20 s to open and to reopen by session on a
#: busy 2-core machine) only in the long profile: the short one must fit the test command's time.
MODELS = ["mystery", "synthetic", "planar", *(["builtin"] if LONG else [])]
MYSTERY = "mystery_muscle"
#: Resident memory may grow by at most this much between visits of the start state, measured after a
#: warm-up (caches filled: fonts, shaders, the built-in model's engine, the FEM factorisation) as the
#: median of the last tenth of the visits less the median of the first tenth after it. One visit
#: alone varies by ±40 MB (measured: 744-814 MB between visits 16 and 21: what the last example left
#: built, allocator fragmentation), so a single visit is no measure; the medians are. A leak of what
#: the monkey found (one pressure model's factors, 15-20 MB per level change; a model, 80-100 MB per
#: opening) would exceed the bound within a few visits; 1 MB per visit would put ~200 MB between the medians.
RSS_BUDGET_MB = 50.0
#: A generous ceiling for waits on conditions on a busy 2-core machine; the long run is niced and
#: shares the machine, where one pressure build has taken over a minute.
WAIT_MS = (600 if LONG else 60) * 1000


# --- fixture files ---------------------------------------------------------------------------
def mystery_model():
    """The synthetic prism thigh with one structure under a name no vocabulary knows."""
    model = synthetic_model()
    old = model.structures.pop("semimembranosus")
    model.structures[MYSTERY] = Structure(MYSTERY, old.vertices, old.faces, Compartment.UNASSIGNED)
    return model


def write_planar_section(path: Path) -> Path:
    """One cross-section as a planar OBJ: three muscle groups as quads around a square femur."""
    parts = {"quadriceps": [(-60, 15), (60, 15), (60, 60), (-60, 60)],
             "adductors": [(15, -60), (60, -60), (60, 10), (15, 10)],
             "hamstrings": [(-60, -60), (10, -60), (10, -15), (-60, -15)],
             "femur": [(-10, -10), (10, -10), (10, 10), (-10, 10)]}
    lines, offset = [], 1
    for name, corners in parts.items():
        lines.append(f"o {name}")
        lines += [f"v {x} {y} 0" for x, y in corners]
        lines += [f"f {offset} {offset + 1} {offset + 2}", f"f {offset} {offset + 2} {offset + 3}"]
        offset += 4
    path.write_text("\n".join(lines) + "\n")
    return path


# --- the adapter: every widget the monkey touches --------------------------------------------
class Driver:
    """The window's public surface as the monkey uses it (widgets, actions, state setters)."""

    def __init__(self, window, qtbot) -> None:
        self.win, self.qtbot = window, qtbot

    @property
    def state(self):
        return self.win.state

    def wait(self, condition, timeout: int = WAIT_MS) -> None:
        self.qtbot.waitUntil(condition, timeout=timeout)

    def settle(self, workers: bool = False) -> None:
        """Let queued redraws and renders run, and with ``workers`` the worker threads finish and
        deliver (waits on conditions, not time)."""
        from PySide6 import QtCore, QtWidgets

        QtWidgets.QApplication.processEvents()
        if workers:
            self.wait(lambda: QtCore.QThreadPool.globalInstance().activeThreadCount() == 0)
            QtWidgets.QApplication.processEvents()
        self.wait(lambda: not self.win.section_view._redraw_timer.isActive())

    # models
    def open_file(self, path) -> None:
        with self.qtbot.waitSignal(self.win.model_loaded, timeout=WAIT_MS):
            self.win.load(path)
        self.wait(lambda: self.win.view3d.scene is not None and self.win.view3d.scene.model is self.state.model)

    def open_builtin(self) -> None:
        with self.qtbot.waitSignal(self.win.model_loaded, timeout=WAIT_MS):
            self.win.open_default_action.trigger()
        self.wait(lambda: self.win.view3d.scene is not None and self.win.view3d.scene.model is self.state.model)

    # level
    def slider(self, value: int) -> None:
        self.win.level_control.slider.setValue(value)

    def percent(self, value: float) -> None:
        self.win.level_control.percent.setValue(value)

    def cm(self, value: float) -> None:
        box = self.win.level_control.cm
        box.setValue(min(value, box.maximum()))

    def level_key(self, index: int) -> None:
        """One of Ctrl+Up/Down/PgUp/PgDown, pressed in the active window, then Ctrl released.

        The release matters: Qt takes the modifiers held from the last key event, and the click's
        own release still carries Ctrl, so without it every later selection in a list acted as a
        Ctrl+click (it broke test_gui's opacity test when run after the monkey in one process).
        """
        from PySide6 import QtCore, QtWidgets

        keys = (QtCore.Qt.Key.Key_Up, QtCore.Qt.Key.Key_Down, QtCore.Qt.Key.Key_PageUp, QtCore.Qt.Key.Key_PageDown)
        self.win.activateWindow()
        self.wait(self.win.isActiveWindow, timeout=5000)
        target = QtWidgets.QApplication.focusWidget() or self.win
        self.qtbot.keyClick(target, keys[index], QtCore.Qt.KeyboardModifier.ControlModifier)
        self.qtbot.keyRelease(target, QtCore.Qt.Key.Key_Control)

    # colours
    def mode(self, index: int) -> None:
        self.win.mode_combo.setCurrentIndex(index)

    def toggle_palette(self) -> None:
        self.win.colourblind_action.trigger()

    def heat_map(self, per: str, unit: str) -> None:
        self.win.area_per_actions[per].trigger()
        self.win.area_unit_actions[unit].trigger()

    # structures
    def show(self, name: str, on: bool) -> None:
        self.win.structures.set_row_checked(name, on)

    def opacity(self, name: str, value: float) -> None:
        self.state.set_opacity([name], value)

    def assign(self, name: str, compartment: Compartment) -> None:
        self.win.structures.assign([name], compartment)

    def undo(self) -> None:
        self.win.structures.undo_action.trigger()

    def redo(self) -> None:
        self.win.structures.redo_action.trigger()

    @property
    def can_undo(self) -> bool:
        return self.win.structures.undo_action.isEnabled()

    # pressure demo
    def pressure_panel(self):
        self.win.pressure_dock.show()
        self.win.pressure_dock.raise_()
        self.wait(lambda: self.win.pressure is not None)
        return self.win.pressure

    def pressure_ready(self) -> bool:
        return self.state.pressure.scene is not None

    def pressure_built(self) -> None:
        """Wait until the panel has built (or failed to build) the current level's model."""
        panel = self.pressure_panel()
        self.wait(lambda: not panel.building)

    def play(self, on: bool) -> None:
        panel = self.pressure_panel()
        if panel.play.isChecked() != on:
            panel.play.click()

    def demo_step(self, forward: bool) -> None:
        (self.pressure_panel().next_step if forward else self.pressure_panel().previous_step).click()

    def contact_angle(self, degrees: float) -> None:
        self.pressure_panel().angle.setValue(degrees)

    def force(self, newtons: float) -> None:
        self.pressure_panel().force.setValue(newtons)

    # presentation, window
    def presentation(self, on: bool) -> None:
        (self.win.presentation_action if on else self.win.leave_presentation_action).trigger()

    @property
    def presenting(self) -> bool:
        return self.win.presenting

    def resize(self, width: int, height: int) -> None:
        self.win.resize(width, height)

    # export, sessions
    def export(self, choice: int, folder: Path) -> list[Path]:
        """File › Export, one choice, into ``folder``; returns the dialog's written files. The
        "Export finished" note it leaves (window-modal, listing the files) is closed as a user
        closes it: nothing reaches the window behind it until then."""
        import shiboken6
        from PySide6 import QtCore, QtWidgets

        from thighview.gui.export_dialog import ExportDialog

        self.win.export_action.trigger()
        dialogs = [d for d in self.win.findChildren(ExportDialog) if d.isVisible()]
        assert len(dialogs) == 1, "File › Export opened no dialog (or several)"
        dialog = dialogs[0]
        dialog.choice.setCurrentIndex(choice)
        dialog.folder.setText(str(folder))
        dialog.width_box.setValue(200)
        dialog.height_box.setValue(160)
        # a failed export shows a modal "Export failed" box from inside the delivery of its job: the
        # watcher reads and closes it (as a user would) so that the step fails with its text at once
        exported, failed = [], []

        def watch() -> None:
            box = QtWidgets.QApplication.activeModalWidget()
            if isinstance(box, QtWidgets.QMessageBox) and box.windowTitle() == "Export failed":
                failed.append(box.text())
                box.done(0)

        watcher = QtCore.QTimer(interval=50)
        watcher.timeout.connect(watch)
        dialog.exported.connect(lambda files: exported.append((list(files), dialog.report_box)))
        watcher.start()
        try:
            dialog.export_button.click()
            self.wait(lambda: bool(exported or failed))
        finally:
            watcher.stop()
        assert not failed, f"the export failed: {failed[0]}"
        written, note = exported[0]
        self.wait(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
        assert note is not None and note.isVisible(), "an export finished without its note"
        assert QtWidgets.QApplication.activeModalWidget() is note
        assert all(Path(p).name in note.text() for p in written), "the note does not list every file written"
        note.button(QtWidgets.QMessageBox.StandardButton.Close).click()
        return written

    def export_dialogs(self) -> list:
        from PySide6 import QtCore, QtWidgets

        from thighview.gui.export_dialog import ExportDialog

        QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        return self.win.findChildren(ExportDialog)

    def capture(self):
        return self.win.sessions.capture()

    def save_session(self, path: Path) -> None:
        self.wait(lambda: self.capture().model_sha256 is not None)
        self.win.sessions.save(path)

    def open_session(self, path: Path) -> None:
        with self.qtbot.waitSignal(self.win.model_loaded, timeout=WAIT_MS):
            self.win.sessions.open_path(path)

    # what the views show
    def areas_text(self, key) -> tuple[str, str]:
        return self.win.areas.row_values(key)

    def area_rows(self) -> list:
        return [*self.win.areas.compartment_items, *self.win.areas.items]

    def level_3d(self):
        scene = self.win.view3d.scene
        return None if scene is None or scene._section is None else scene._section

    def patches_2d(self) -> dict:
        return self.win.section_view.drawing.patches

    def error_box(self):
        return self.win.error_box

    def close_dialogs(self) -> list[str]:
        """Close the dialogs of this window left open (as a user would: Cancel, or the box's close
        button) and return their titles. Only a failed step leaves one: closing it lets Hypothesis
        replay that example from the same start, so that it reports and shrinks the real failure
        (a dialog left by a failed export made the replay fail at once on the modal-box invariant,
        and Hypothesis gave up with FlakyStrategyDefinition, the export's own error lost)."""
        from PySide6 import QtWidgets

        closed = []
        for _ in range(3):  # an export dialog closed while exporting cancels first, then closes
            open_now = [dialog for dialog in self.win.findChildren(QtWidgets.QDialog) if dialog.isVisible()]
            if not open_now:
                break
            closed += [f"{type(dialog).__name__} {dialog.windowTitle()!r}" for dialog in open_now]
            for dialog in open_now:
                dialog.reject()
            self.settle(workers=True)
        return closed

    def modal_box(self):
        """A modal box of this window left open (it would swallow every key and click meant for the window).

        Boxes of other windows do not count: a window-modal box blocks only its own window, and a
        window that an earlier test left behind may still hold one."""
        from PySide6 import QtWidgets

        box = QtWidgets.QApplication.activeModalWidget()
        return box if box is not None and box.parentWidget() is not None and box.parentWidget().window() is self.win \
            else None


# --- the machine -----------------------------------------------------------------------------
class Context:
    """What the test hands the machine: the window's driver, fixture files, hook records."""

    driver: Driver
    files: dict[str, Path]
    tmp: Path
    hooked: list
    steps = 0
    examples = 0
    rss_mb: list[float]
    rules: dict[str, int]  # steps per rule
    types_at_warm: Counter  # live objects by type at the tenth start state, after the caches have filled
    last: tuple[str, float] = ("", 0.0)  # the last step's rule and when it started
    log = None


CTX = Context()
LEVEL_RULES = stg.sampled_from(["slider", "percent", "cm", "key"])


def object_types() -> Counter:
    """Every object the collector tracks, counted by type (``module.qualname``)."""
    import gc

    return Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


def live_objects(window, types: Counter) -> dict[str, int]:
    """What a leak would pile up: the window's QObjects, Python-held VTK objects, matplotlib figures,
    and every tracked object (``types``: :func:`object_types`)."""
    from PySide6 import QtCore

    return {"qobjects": len(window.findChildren(QtCore.QObject)),
            "vtk": sum(n for name, n in types.items() if name.startswith("vtkmodules")),
            "figures": types["matplotlib.figure.Figure"], "tracked": sum(types.values())}


def shows_level(percent_shown: float, level: float) -> bool:
    """The % box shows ``level`` to its one decimal. At a tie either neighbour is right: Qt rounds
    the decimal value half away from zero, numpy's ``round`` scales by ten and rounds half to even
    (1.6500000000000001 shows 1.7, rounds to 1.6), so the check is the box's precision, not numpy's."""
    return abs(percent_shown - level * 100.0) <= 0.05 + 1e-9


class Monkey(RuleBasedStateMachine):
    """Random user actions on the real window; the invariants hold after each."""

    def __init__(self) -> None:
        super().__init__()
        self.d = CTX.driver

    @initialize()
    def start_state(self) -> None:
        """Every example starts from the same state: the fixture thigh at mid-level, default view."""
        d = self.d
        left = d.close_dialogs()
        if left:
            self._note(f"the last example (its last step: {CTX.last[0]}) left {left} open: closed")
        if d.presenting:
            d.presentation(False)
        if d.win.pressure is not None:
            d.play(False)
        d.resize(1400, 860)
        d.open_file(CTX.files["mystery"])
        d.win.structures.undo_stack.clear()
        d.mode(0)
        if d.state.scheme.palette != "braus":
            d.toggle_palette()
        d.percent(50.0)
        d.settle(workers=True)
        CTX.examples += 1
        CTX.rss_mb.append(resident_mb())
        if CTX.log is None:  # what follows only explains the log's memory figures
            return
        types = object_types()
        self._note(f"example {CTX.examples} start: rss {CTX.rss_mb[-1]:.1f} MB, heap {heap_mb()}, "
                   f"arenas {arenas_mb()}, maps {mapped_mb()}, live {live_objects(d.win, types)}")
        if CTX.examples == 10:
            CTX.types_at_warm = types
        elif CTX.examples % 10 == 0 and CTX.types_at_warm:
            self._note(f"types grown since example 10: {(types - CTX.types_at_warm).most_common(8)}")

    def _note(self, text: str) -> None:
        if CTX.log is not None:
            CTX.log.write(f"{time.strftime('%H:%M:%S')} steps {CTX.steps} {text}\n")
            CTX.log.flush()

    def _step(self) -> None:
        """Count a step; the log names the slow ones (the previous step and its invariants)."""
        now = time.monotonic()
        if CTX.log is not None and CTX.last[0] and now - CTX.last[1] > 3.0:
            self._note(f"slow: {CTX.last[0]} and its checks took {now - CTX.last[1]:.1f} s")
        CTX.steps += 1
        CTX.last = (sys._getframe(1).f_code.co_name, now)
        CTX.rules[CTX.last[0]] = CTX.rules.get(CTX.last[0], 0) + 1
        if CTX.steps % 100 == 0:
            self._note(f"rss {resident_mb():.1f} MB")

    @property
    def flat(self) -> bool:
        return self.d.state.single_section

    # --- level ----------------------------------------------------------------------------
    @rule(how=LEVEL_RULES, fraction=stg.floats(0.0, 1.0), key=stg.integers(0, 3))
    def set_level(self, how: str, fraction: float, key: int) -> None:
        self._step()
        d = self.d
        if self.flat:
            return  # the level widgets are hidden for a single section
        if how == "slider":
            d.slider(round(fraction * d.win.level_control.slider.maximum()))
        elif how == "percent":
            d.percent(round(fraction * 100.0, 1))
        elif how == "cm":
            d.cm(round(fraction * d.win.level_control.cm.maximum(), 1))
        else:
            before = d.state.level
            d.level_key(key)
            delta = (-0.01, 0.01, -0.10, 0.10)[key]
            assert d.state.level == pytest.approx(min(max(before + delta, 0.0), 1.0))

    # --- colours --------------------------------------------------------------------------
    @rule(index=stg.integers(0, len(ColourMode) - 1))
    def colour_mode(self, index: int) -> None:
        self._step()
        self.d.mode(index)
        assert self.d.state.scheme.mode is list(ColourMode)[index]

    @rule()
    def palette(self) -> None:
        self._step()
        before = self.d.state.scheme.palette
        self.d.toggle_palette()
        assert self.d.state.scheme.palette != before

    @rule(per=stg.sampled_from(["muscle", "compartment"]), unit=stg.sampled_from(["percent", "cm2"]))
    def heat_map(self, per: str, unit: str) -> None:
        self._step()
        self.d.heat_map(per, unit)
        assert (self.d.state.scheme.area_per, self.d.state.scheme.area_unit) == (per, unit)

    # --- structures -----------------------------------------------------------------------
    @rule(data=stg.data(), on=stg.booleans())
    def visibility(self, data, on: bool) -> None:
        self._step()
        name = data.draw(stg.sampled_from(sorted(self.d.state.visible)))
        self.d.show(name, on)
        assert self.d.state.visible[name] is on

    @rule(data=stg.data(), value=stg.sampled_from([0.0, 0.15, 0.5, 1.0]))
    def opacity(self, data, value: float) -> None:
        self._step()
        name = data.draw(stg.sampled_from(sorted(self.d.state.opacity)))
        self.d.opacity(name, value)
        assert self.d.state.opacity[name] == value

    @precondition(lambda self: MYSTERY in (self.d.state.model.structures if self.d.state.model else {}))
    @rule(compartment=stg.sampled_from([Compartment.QUADRICEPS, Compartment.HAMSTRINGS, Compartment.ADDUCTORS,
                                        Compartment.UNASSIGNED]))
    def assign(self, compartment: Compartment) -> None:
        self._step()
        self.d.assign(MYSTERY, compartment)
        assert self.d.state.model.structures[MYSTERY].compartment is compartment
        assert self.d.state.engine.compartments[MYSTERY] is compartment

    @precondition(lambda self: self.d.can_undo)
    @rule()
    def undo_then_redo(self) -> None:
        """Undo then redo restores the exact state: assignments, the engine's and the panel's numbers."""
        self._step()
        d = self.d
        before = self._snapshot()
        d.undo()
        d.redo()
        assert self._snapshot() == before

    @precondition(lambda self: self.d.can_undo)
    @rule()
    def undo(self) -> None:
        self._step()
        self.d.undo()

    @rule()
    def redo(self) -> None:
        self._step()
        self.d.redo()

    def _snapshot(self) -> tuple:
        state = self.d.state
        return ({n: s.compartment for n, s in state.model.structures.items()}, dict(state.engine.compartments),
                state.level, dict(state.section.areas_cm2), dict(state.section.compartment_areas_cm2),
                {k: self.d.areas_text(k) for k in self.d.area_rows()}, dict(state.colours))

    # --- models ---------------------------------------------------------------------------
    @rule(which=stg.sampled_from(MODELS))
    def open_model(self, which: str) -> None:
        self._step()
        d = self.d
        old_scene = d.win.view3d.scene
        if which == "builtin":
            d.open_builtin()
        else:
            d.open_file(CTX.files[which])
        assert d.state.single_section is (which == "planar")
        d.settle()
        self._check_old_scene_gone(old_scene)

    def _check_old_scene_gone(self, old_scene) -> None:
        """The new model's scene replaced the old one's actors in the one plotter; no worker runs."""
        view = self.d.win.view3d
        if old_scene is None or view.scene is old_scene:
            return
        shown = set(map(id, view.plotter.renderer.actors.values()))
        assert not shown & set(map(id, old_scene.actors.values())), "the old model's actors stay in the plotter"
        assert len(view.plotter.renderers) == 1

    # --- pressure -------------------------------------------------------------------------
    @rule()
    def open_pressure(self) -> None:
        """The panel builds the level's model: then the demo is solved, or the status says why not (the
        wait once stopped only at a message starting "The pressure", so "the section has no femur"
        at a bone's end waited the whole timeout)."""
        self._step()
        d = self.d
        d.pressure_built()
        status = d.win.pressure.status.text()
        assert d.pressure_ready() or (status and not status.startswith("Building")), status
        assert not status.startswith("The pressure model failed"), f"an untyped error: {status}"

    @precondition(lambda self: self.d.win.pressure is not None)
    @rule(on=stg.booleans())
    def play(self, on: bool) -> None:
        self._step()
        self.d.play(on)
        if self.d.pressure_ready():
            assert self.d.state.pressure.playback.playing is on

    @precondition(lambda self: self.d.win.pressure is not None)
    @rule(forward=stg.booleans())
    def demo_step(self, forward: bool) -> None:
        self._step()
        self.d.demo_step(forward)

    @precondition(lambda self: self.d.win.pressure is not None)
    @rule(angle=stg.integers(-360, 360), force=stg.sampled_from([5.0, 30.0, 80.0]))
    def move_contact(self, angle: int, force: float) -> None:
        self._step()
        self.d.contact_angle(float(angle))
        self.d.force(force)

    @precondition(lambda self: self.d.state.pressure.playback.playing)
    @rule()
    def let_it_play(self) -> None:
        """Some animation frames go by (a condition on the state's frame, not a sleep)."""
        self._step()
        playback = self.d.state.pressure.playback
        start = playback.index
        self.d.wait(lambda: playback.index != start or not playback.playing, timeout=10000)

    # --- presentation, window -------------------------------------------------------------
    @rule(on=stg.booleans())
    def presentation(self, on: bool) -> None:
        self._step()
        d = self.d
        if on != d.presenting:
            d.presentation(on)
        assert d.presenting is on

    @rule(width=stg.integers(640, 1600), height=stg.integers(480, 1000))
    def resize(self, width: int, height: int) -> None:
        self._step()
        if not self.d.presenting:
            self.d.resize(width, height)

    # --- export ---------------------------------------------------------------------------
    @rule(choice=stg.sampled_from([0, 2, 5, 7]))
    def export(self, choice: int) -> None:
        """An export is complete files in the folder, exactly those the dialog reports, nothing else."""
        self._step()
        folder = CTX.tmp / f"export{CTX.steps}"
        folder.mkdir()
        written = self.d.export(choice, folder)
        assert sorted(p.name for p in folder.iterdir()) == sorted(Path(p).name for p in written)
        for path in written:
            assert_complete(Path(path))
        assert not self.d.export_dialogs(), "a finished export's dialog stays a child of the window"

    # --- sessions -------------------------------------------------------------------------
    @precondition(lambda self: self.d.state.model is not None and self.d.state.model.source is not None)
    @rule(level=stg.floats(0.05, 0.95), force=stg.sampled_from([12.0, 64.0]))
    def save_and_reopen_session(self, level: float, force: float) -> None:
        """A saved then reopened session restores level, colours, visibility, opacity, assignments
        and pressure settings exactly (the camera to VTK's rounding)."""
        self._step()
        d = self.d
        path = CTX.tmp / f"session{CTX.steps}.thighview"
        d.save_session(path)
        saved = d.capture()
        d.state.set_level(level)  # change what the session must bring back
        d.mode((list(ColourMode).index(d.state.scheme.mode) + 1) % len(ColourMode))
        d.toggle_palette()
        d.state.set_visible(list(d.state.visible)[:1], not next(iter(d.state.visible.values())))
        d.state.pressure.update(force_n=force if force != d.state.pressure.settings.force_n else force + 1)
        if MYSTERY in d.state.model.structures:
            d.assign(MYSTERY, Compartment.OTHER_MUSCLE)
        d.open_session(path)
        d.settle()
        again = d.capture()
        assert again.camera is None or saved.camera is None or np.allclose(again.camera, saved.camera, atol=1e-6)
        again.camera = saved.camera
        assert again == saved
        assert d.state.section.level == pytest.approx(saved.level)

    # --- invariants -----------------------------------------------------------------------
    @invariant()
    def no_exception_reached_the_hook(self) -> None:
        if CTX.hooked:  # taken off the record: Hypothesis replays the example to shrink it
            exc_type, exc, tb = CTX.hooked[0]
            CTX.hooked.clear()
            raise AssertionError(f"an exception reached the excepthook: {exc_type.__name__}: {exc}").with_traceback(tb)
        assert self.d.error_box() is None, f"an error dialog is open: {self.d.error_box().text()}"
        box = self.d.modal_box()
        assert box is None, f"a modal {type(box).__name__} blocks the window: {box.windowTitle()!r}"

    @invariant()
    def areas_panel_shows_the_engines_numbers(self) -> None:
        state = self.d.state
        if state.model is None:
            return
        section = state.engine.section(state.level)
        assert section.level == pytest.approx(state.section.level)
        for key in self.d.area_rows():
            area = (section.compartment_areas_cm2 if isinstance(key, Compartment) else section.areas_cm2).get(key)
            if not area:
                continue  # no area or not at this level: a dash (see test_area_absent_gui)
            share = section.percent_of_muscle(key)
            assert self.d.areas_text(key) == (f"{area:.1f}", "" if share is None else f"{share:.1f}"), key

    @invariant()
    def both_views_show_the_states_level(self) -> None:
        d = self.d
        if d.state.model is None:
            return
        d.settle()
        section = d.state.section
        control = d.win.level_control
        if not d.state.single_section:
            assert shows_level(control.percent.value(), section.level), (control.percent.value(), section.level)
        shown = d.level_3d()
        if shown is not None:
            assert shown is section, "the 3-D view cuts at another level than the state's"
        for name, patch in d.patches_2d().items():
            if name not in section.polygons:
                continue
            xmin, ymin, xmax, ymax = section.polygons[name].bounds
            extents = patch.get_path().get_extents()
            assert np.allclose([extents.x0, extents.y0, extents.x1, extents.y1], [xmin, ymin, xmax, ymax],
                               atol=1e-6), f"the 2-D view shows {name} at another level"

    @invariant()
    def animation_timer_runs_only_while_playing(self) -> None:
        panel = self.d.win.pressure
        if panel is not None:
            assert panel.timer.isActive() == self.d.state.pressure.playback.playing


def assert_complete(path: Path) -> None:
    """A written export reads back whole (PNG decodes, PDF ends with %%EOF, CSV ends its last row)."""
    data = path.read_bytes()
    assert data, f"{path.name} is empty"
    if path.suffix == ".png":
        import imageio.v3 as iio

        assert iio.imread(path).size > 0
    elif path.suffix == ".pdf":
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), path.name
    elif path.suffix == ".csv":
        assert data.endswith(b"\n") and len(data.splitlines()) > 1, path.name


# --- running it ------------------------------------------------------------------------------
@pytest.fixture
def monkey_window(qtbot, tmp_path, monkeypatch):
    """The main window with throw-away settings and the crash handler recording what reaches it;
    closed at the end, when nothing it made may be left running."""
    from PySide6 import QtCore, QtWidgets

    from thighview.gui.crash import install_crash_handler
    from thighview.gui.main_window import MainWindow
    from thighview.io.writers import write_glb

    monkeypatch.setenv("THIGHVIEW_STATE_DIR", str(tmp_path / "state"))
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    win = MainWindow(settings)
    hooked: list = []
    previous = install_crash_handler(win.show_error)
    crash_hook = sys.excepthook
    sys.excepthook = lambda *info: (hooked.append(info), crash_hook(*info))
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    CTX.driver, CTX.tmp, CTX.hooked, CTX.rss_mb = Driver(win, qtbot), tmp_path, hooked, []
    CTX.steps = CTX.examples = 0
    CTX.last = ("", 0.0)
    CTX.rules, CTX.types_at_warm = {}, Counter()
    CTX.files = {"mystery": write_glb(mystery_model(), tmp_path / "mystery.glb"),
                 "synthetic": write_glb(synthetic_model(), tmp_path / "synthetic.glb"),
                 "planar": write_planar_section(tmp_path / "section.obj")}
    try:
        yield win
    finally:
        sys.excepthook = previous
        for box in win.findChildren(QtWidgets.QMessageBox):
            box.close()
        win.close()
        QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        QtWidgets.QApplication.processEvents()
    assert win.view3d.plotter is None or win.view3d.plotter._closed, "the VTK window leaked"
    assert QtCore.QThreadPool.globalInstance().activeThreadCount() == 0, "a worker outlived the window"
    running = [f"{t.objectName() or 'a timer'} of {type(t.parent()).__name__}" for t in win.findChildren(QtCore.QTimer)
               if t.isActive()]
    assert not running, f"timers still running after the window closed: {running}"


def run_monkey(machine=Monkey, examples: int = PROFILE[0], steps: int = PROFILE[1]) -> None:
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=not LONG,
        database=None, suppress_health_check=list(HealthCheck), print_blob=True))


@pytest.mark.qt_no_exception_capture
@pytest.mark.timeout(0 if LONG else 1800)  # the whole run is one test; a busy CI machine is slow
def test_monkey(monkey_window):
    """SHORT (default): a fixed-seed few hundred steps. LONG (THIGHVIEW_MONKEY=long): ≥ 10 000
    random steps, then the resident-memory budget between visits of the start state."""
    log_path = os.environ.get("THIGHVIEW_MONKEY_LOG")
    CTX.log = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115 (closed below)
    try:
        for _ in range(PROFILE[0] // BATCH):
            run_monkey(examples=BATCH)
    finally:
        if CTX.log is not None:
            CTX.log.write(f"done: {CTX.steps} steps, {CTX.examples} examples, rss at start states "
                          f"{[round(r) for r in CTX.rss_mb]}, steps per rule {CTX.rules}\n")
            CTX.log.close()
            CTX.log = None
    assert CTX.steps >= (10_000 if LONG else 150)
    if LONG:
        warm = CTX.rss_mb[len(CTX.rss_mb) // 10:]  # after the caches have filled
        tenth = max(len(warm) // 10, 3)
        growth = float(np.median(warm[-tenth:]) - np.median(warm[:tenth]))
        assert growth < RSS_BUDGET_MB, f"resident memory grew {growth:.1f} MB between visits of the start state"


# --- regressions the monkey found ------------------------------------------------------------
def test_a_replaced_model_is_freed(monkey_window, qtbot):
    """Found by the long profile (RSS +80-100 MB per opening of the built-in thigh): every worker
    task stayed alive with its closures, so the area profile's task kept each old model and its
    engine; and each quick load's never-shown progress dialog stayed a child of the window.
    Shrunk: open a model, open another; the first is garbage once replaced."""
    import gc
    import weakref

    from PySide6 import QtCore, QtWidgets

    driver = CTX.driver
    driver.open_file(CTX.files["mystery"])
    first = weakref.ref(driver.state.model), weakref.ref(driver.state.engine)
    driver.open_file(CTX.files["synthetic"])
    driver.settle(workers=True)
    QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    gc.collect()
    assert first[0]() is None and first[1]() is None, "the replaced model is still held"
    assert not monkey_window.findChildren(QtWidgets.QProgressDialog), "a load's progress dialog stayed"


def test_closing_while_a_pressure_build_waits_leaves_no_worker(monkey_window, qtbot):
    """Found by the short profile: closing the window delivered the running pressure build, whose
    end started the waiting one after the window had waited for its workers. Shrunk: open the
    pressure demo, move the level while its model builds, close (the fixture checks no worker runs)."""
    driver = CTX.driver
    driver.open_file(CTX.files["mystery"])
    panel = driver.pressure_panel()
    driver.wait(lambda: panel._building)
    driver.percent(30.0)
    driver.wait(lambda: panel._pending or not panel._building)


def test_a_finished_export_dialog_is_deleted(monkey_window, qtbot):
    """Found by the long profile's memory growth: every File › Export left its (hidden) dialog a
    child of the window for good. Shrunk: one export; afterwards no export dialog remains."""
    driver = CTX.driver
    driver.open_file(CTX.files["mystery"])
    written = driver.export(0, CTX.tmp)
    assert [Path(p).suffix for p in written] == [".png"]
    assert not driver.export_dialogs()


def test_a_closed_export_dialog_is_freed_on_pythons_side_too(monkey_window, qtbot):
    """Found by per-action memory probes behind the long profile's growth (~100 kB resident per
    figure export, linear): PySide keeps every started worker task's wrapper, and a delivered task
    still held the dialog's progress callback, so every closed Export dialog's Python object (its
    widgets' wrappers, its jobs and written list) lived on; so did every task (one per load, level
    build, checksum, export). Shrunk: three exports; afterwards no ExportDialog object is left
    (before the fix: three) and no worker task (before: one per task ever run, eight here)."""
    import gc

    from PySide6 import QtCore, QtWidgets

    from thighview.gui import workers
    from thighview.gui.export_dialog import ExportDialog

    def alive(kind) -> int:  # counted against what earlier tests in this process left
        QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        gc.collect()
        return sum(isinstance(o, kind) for o in gc.get_objects())

    driver = CTX.driver
    driver.open_file(CTX.files["mystery"])
    before = alive(ExportDialog), alive(workers._Task)
    for i in range(3):
        folder = CTX.tmp / f"export{i}"
        folder.mkdir()
        driver.export(0, folder)
    assert not driver.export_dialogs()
    assert alive(ExportDialog) == before[0]
    assert alive(workers._Task) <= before[1]


def test_keys_reach_the_window_after_an_export(monkey_window, qtbot):
    """Found by the short profile after the export dialog gained its "Export finished" note: the
    note is window-modal and stays open, so the monkey's next Ctrl+Up waited for a window that
    could not become active. A user closes the note first; the monkey now does too, and fails at
    once (not on a focus timeout) if a modal box is ever left over a step. Shrunk: start, export
    the areas CSV, Ctrl+Up."""
    machine = Monkey()
    machine.start_state()
    machine.export(7)
    machine.no_exception_reached_the_hook()
    machine.set_level("key", 0.0, 1)
    assert CTX.driver.state.level == pytest.approx(0.51)



def test_the_slab_moves_after_another_mesh_was_added(monkey_window, qtbot):
    """Found by the short profile (ValueError: could not broadcast (n, 3) into (0, 3), from the
    pressure demo's animation timer): the 3-D slab found its mesh through pyvista's mapper, which
    holds its dataset only weakly; once the plotter's last-mesh reference moved to another mesh and
    the wrapper was collected, the slab wrote into the (not yet rendered, empty) output of the
    mapper's scalars filter. Shrunk: the demo's slab shows a frame, another mesh is added (as a
    new level's section fill is), a collection runs, the next frame comes before any render."""
    import gc

    import pyvista as pv

    from thighview.render.pressure_slab import shown_deformation

    driver = CTX.driver
    driver.open_file(CTX.files["mystery"])
    driver.pressure_panel()
    driver.wait(driver.pressure_ready)
    scene, slab = driver.state.pressure.scene, driver.win.view3d.slab
    slab.show_scene(scene, 0.25)
    slab.plotter.add_mesh(pv.Sphere(), name="another", render=False)
    slab.plotter.remove_actor("another", render=False)
    gc.collect()
    slab.show_scene(scene, 1.0)
    expected, _faces = shown_deformation(scene).scaled(1.0).slab(8.0, scene.exaggeration)
    assert np.allclose(slab.mesh.points, expected)
    assert slab.actor.mapper.GetInputConnection(0, 0).GetProducer().GetInputDataObject(0, 0) is slab.mesh, \
        "the actor does not draw the mesh the slab moves"


def test_the_pressure_demo_at_the_femurs_end_says_why(monkey_window, qtbot):
    """Found by the long profile (a 600 s wait in open_pressure): at 100 % the section has no femur,
    the build fails with a typed error and the status says so; the monkey waited for a status
    starting "The pressure", which that message does not. It now waits for the build to end.
    Shrunk: start, level 100 % by the percent box, open the pressure demo."""
    machine = Monkey()
    machine.start_state()
    machine.set_level("percent", 1.0, 0)
    machine.open_pressure()  # before the fix: a timeout (60 s here, 600 s in the long profile)
    assert not CTX.driver.pressure_ready()
    assert "no femur" in CTX.driver.win.pressure.status.text()


def test_level_changes_keep_nones_references(monkey_window, qtbot):
    """Found by the long profile ("Fatal Python error: none_dealloc" after 1 600-2 400 steps): under
    PySide6 6.12.0 a queued signal with object arguments drops one reference to None per emit, and
    each level change with the Pressure panel open lost 120, so None was freed after a few hundred
    (Python 3.11's None is not immortal). PySide6 is pinned below 6.12. Shrunk: open the demo,
    change the level four times; None's reference count does not fall."""
    import gc

    driver = CTX.driver
    driver.open_file(CTX.files["mystery"])
    driver.pressure_built()
    gc.collect()
    start = sys.getrefcount(None)
    for percent in (30.0, 40.0, 50.0, 60.0):
        driver.percent(percent)
        driver.pressure_built()
        driver.settle(workers=True)
    gc.collect()
    assert sys.getrefcount(None) >= start, f"None lost {start - sys.getrefcount(None)} references"


def test_a_level_at_a_rounding_tie_is_shown_to_the_boxs_precision(monkey_window, qtbot):
    """Found by the long profile at step 4 519 (assert 17.3 == 17.2: the invariant compared the % box
    with numpy's rounding, which differs from Qt's at a tie; the window was right). Shrunk: a level
    whose percentage is a tie in one decimal; the box shows a neighbour within its precision."""
    driver = CTX.driver
    driver.open_file(CTX.files["mystery"])
    driver.state.set_level(0.0165)
    driver.settle()
    shown = driver.win.level_control.percent.value()
    old_check = round(np.float64(driver.state.section.level) * 100.0, 1)  # numpy's rounding, as the engine's levels are
    assert shown == pytest.approx(1.7) and old_check == pytest.approx(1.6)
    assert shows_level(shown, driver.state.section.level)
    machine = Monkey()
    machine.both_views_show_the_states_level()


def test_a_failed_export_fails_the_step_with_its_message(monkey_window, qtbot, monkeypatch):
    """Found by the long profile (second run, step ~490): a section-figure PNG export failed in its
    worker with matplotlib's ``RuntimeError: FT_Render_Glyph ... raster overflow``; the window showed
    "Export failed" in a modal box, opened from inside the job's delivery, and the monkey waited in
    it for good instead of failing. Shrunk: an export whose drawing raises; the step fails at once
    with the box's text, and the window keeps working."""
    from matplotlib.figure import Figure

    driver = CTX.driver
    driver.open_file(CTX.files["mystery"])

    def broken(self, *args, **kwargs):
        raise RuntimeError("FT_Render_Glyph (ft2font_wrapper.cpp line 1947) failed with error 0x62: raster overflow")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(AssertionError, match="raster overflow"):
        driver.export(0, CTX.tmp)
    monkeypatch.undo()
    for dialog in driver.export_dialogs():
        dialog.reject()   # the user closes the dialog that failed
    again = CTX.tmp / "again"
    again.mkdir()
    assert [Path(p).suffix for p in driver.export(0, again)] == [".png"]


def test_each_example_starts_without_the_dialogs_a_failed_step_left(monkey_window, qtbot):
    """Found by long run 9: an export step failed with its dialog open (as the app leaves it, for the
    user to change and retry); Hypothesis's replay of that example then failed at its first check on
    the open dialog and gave up with FlakyStrategyDefinition, losing the export's error. The start
    state closes what a failed step left, so each example starts from the same state."""
    from PySide6 import QtWidgets

    from thighview.gui.export_dialog import ExportDialog

    CTX.driver.open_file(CTX.files["synthetic"])
    monkey_window.export_action.trigger()
    qtbot.waitUntil(lambda: isinstance(CTX.driver.modal_box(), ExportDialog))
    machine = Monkey()
    machine.start_state()
    assert not [d for d in monkey_window.findChildren(QtWidgets.QDialog) if d.isVisible()]
    machine.no_exception_reached_the_hook()
    assert CTX.driver.state.model.source == CTX.files["mystery"]


def test_a_level_key_leaves_no_modifier_held(monkey_window):
    """Found when test_gui's opacity test failed after the monkey in one process: Qt takes the held
    modifiers from the last key event, and a Ctrl+key click ends with a release that still carries
    Ctrl, so the next selection in a list acted as a Ctrl+click (it added a row instead of replacing
    the selection). The driver releases Ctrl, as a user does."""
    CTX.driver.open_file(CTX.files["synthetic"])
    CTX.driver.level_key(0)
    tree = monkey_window.structures.tree   # extended selection: Ctrl+click adds a row
    first, second = (tree.topLevelItem(i) for i in range(2))
    tree.setCurrentItem(first)
    tree.setCurrentItem(second)
    assert tree.selectedItems() == [second]
