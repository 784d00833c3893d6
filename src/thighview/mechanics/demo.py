"""The guided demo: the article's massage order, as data (the GUI steps through it, the CLI renders it).

Each step places the contact and says, in one short caption, what the client should watch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoStep:
    title: str
    at: str
    caption: str
    side: str | None = None   # which way a sideways push goes (None: the model's default)


GUIDED_DEMO: tuple[DemoStep, ...] = (
    DemoStep("Anterior-lateral thigh", "anterolateral",
             "Lateral quadriceps and IT band: pressing sideways lets the lateral quad slide over the femur "
             "instead of crushing it against the bone."),
    DemoStep("Medial thigh", "medial",
             "Push across the inner thigh, not into the bone, and the adductors glide at the medial septum."),
    DemoStep("Posterior-lateral thigh", "posterolateral",
             "The end of the vastus lateralis at the lateral septum: sideways pressure makes it play "
             "against the hamstrings.", side="anterior"),
    DemoStep("Hamstrings", "posterior",
             "A sideways push moves the whole group over the adductor magnus and the femur.",
             side="lateral"),
)
