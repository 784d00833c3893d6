"""The polar outlines around the femur axis: bone, skin, fat pattern and fascia thickness.

All functions take the angle ``phi`` (radians; 0 = lateral (+x), pi/2 = anterior (+y), pi =
medial, -pi/2 = posterior) and the level ``t`` (fraction of femur length from proximal) and
return radii or thicknesses in millimetres. Every outline is a radius per angle, so every
region built from them is star-shaped about the axis and closes without gaps.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.interpolate import PchipInterpolator

from thighview.procedural.plan import targets


def _smooth_step(t: float, a: float, b: float) -> float:
    """0 before ``a``, 1 after ``b``, smooth (C1) in between."""
    u = min(max((t - a) / (b - a), 0.0), 1.0)
    return u * u * (3.0 - 2.0 * u)


def _lobe(phi: np.ndarray, centre_deg: float, width_deg: float) -> np.ndarray:
    """A smooth angular bump of height 1 centred on ``centre_deg``."""
    d = np.angle(np.exp(1j * (phi - np.radians(centre_deg))))
    return np.exp(-0.5 * (d / np.radians(width_deg)) ** 2)


def femur_radius(phi: np.ndarray, t: float, scale: float = 1.0) -> np.ndarray:
    """The femur's outer surface: an oval shaft with the linea aspera, widening at both ends.

    Shaft: transverse diameter from ``targets.json`` at mid-shaft, slightly narrower in the
    middle; the linea aspera is a posterior ridge on the middle third whose lateral and
    medial lips diverge above and below. Proximally the trochanteric region widens (greater
    trochanter laterally, neck and head medially, lesser trochanter posteromedially);
    distally the metaphysis flares into the condyles with a posterior intercondylar notch.
    Both ends are rounded off (dome) so the bone is closed. ``scale`` scales the whole
    cross-section (a smaller or larger person's femur).
    """
    phi = np.asarray(phi, dtype=float)
    half = targets()["femur"]["midshaft_diameter_mm"]["value"] / 2.0
    # mediolateral / anteroposterior half-widths of the oval part
    prox = 1.0 - _smooth_step(t, 0.04, 0.24)
    dist = _smooth_step(t, 0.66, 0.96)
    a = half * (1.0 + 0.55 * prox + 1.9 * dist**1.6)
    b = half * (0.97 + 0.35 * prox + 1.05 * dist**1.6)
    r = a * b / np.sqrt((b * np.cos(phi)) ** 2 + (a * np.sin(phi)) ** 2)
    # linea aspera: one ridge mid-shaft, two lips diverging towards both ends
    spread = 4.0 + 40.0 * max(abs(t - 0.5) - 0.12, 0.0) / 0.38
    ridge = 4.2 * (1.0 - _smooth_step(abs(t - 0.5), 0.25, 0.45))
    if ridge * 0.5 >= _NEGLIGIBLE:
        r = r + ridge * 0.5 * (_lobe(phi, -90 + spread, 9) + _lobe(phi, -90 - spread, 9))
    # trochanters, neck and head (proximal), condyles and notch (distal)
    r = _plus_lobe(r, 16.0 * prox**1.5, phi, 5, 38)  # greater trochanter
    r = _plus_lobe(r, 30.0 * (1.0 - _smooth_step(t, 0.02, 0.12)), phi, 170, 28)  # neck towards the head
    r = _plus_lobe(r, 9.0 * np.exp(-(((t - 0.13) / 0.035) ** 2)), phi, -140, 16)  # lesser trochanter
    r = _plus_lobe(r, -9.0 * _smooth_step(t, 0.88, 0.98), phi, -90, 14)  # intercondylar notch
    return r * _dome(t) * scale


#: A bump this small cannot change a radius of millimetres (far below half its last bit), so
#: it is not computed: the generator asks for the femur at thousands of angles per level.
_NEGLIGIBLE = 1e-20


def _plus_lobe(r: np.ndarray, height: float, phi: np.ndarray, centre_deg: float, width_deg: float) -> np.ndarray:
    """``r`` plus a lobe of ``height`` mm (skipped where negligible: the result is the same to the bit)."""
    if abs(height) < _NEGLIGIBLE:
        return r
    return r + height * _lobe(phi, centre_deg, width_deg)


def _dome(t: float) -> float:
    """Rounds the bone off over its last 2.5 % at either end."""
    edge = 0.025
    u = min(t, 1.0 - t) / edge
    if u >= 1.0:
        return 1.0
    return float(np.sqrt(max(1.0 - (1.0 - u) ** 2, 0.0)) * 0.85 + 0.15)


# Thigh circumference (cm) along the femur: ANSUR II at the gluteal fold and above the knee;
# the rest is a smooth, plausible course between and beyond them.
GLUTEAL_FOLD_LEVEL = 0.25
ABOVE_KNEE_LEVEL = 0.87


def circumference_cm(t: float) -> float:
    """Skin circumference at level ``t`` (cm)."""
    return float(_circumference_spline()(t))


@lru_cache(maxsize=1)
def _circumference_spline() -> PchipInterpolator:
    """The circumference along the femur (built once: the generator asks for it thousands of times)."""
    outline = targets()["thigh_outline"]
    upper = outline["circumference_upper_cm"]["value"]
    lower = outline["circumference_lower_cm"]["value"]
    # below the gluteal fold the thigh narrows quickly (the fold's fat pad ends)
    knots_t = [0.0, 0.1, GLUTEAL_FOLD_LEVEL, 0.33, 0.5, 0.7, ABOVE_KNEE_LEVEL, 1.0]
    knots_c = [upper - 4.5, upper - 2.0, upper, upper - 3.8, upper - 8.8, upper - 14.0, lower, lower - 1.5]
    return PchipInterpolator(knots_t, knots_c)


def skin_shape(t: float) -> tuple[float, float, float]:
    """Ellipse aspect (width/depth) and the ellipse centre relative to the femur (x, y as fractions).

    The femur sits lateral and anterior of the thigh's centre: the adductors and hamstrings
    make the medial and posterior bulk.
    """
    aspect = float(np.interp(t, [0.0, 0.25, 0.5, 0.8, 1.0], [1.18, 1.08, 1.03, 1.05, 1.12]))
    cx = float(np.interp(t, [0.0, 0.25, 0.5, 0.8, 1.0], [-0.30, -0.20, -0.13, -0.08, -0.04]))
    cy = float(np.interp(t, [0.0, 0.25, 0.5, 0.8, 1.0], [-0.18, -0.14, -0.12, -0.12, -0.10]))
    return aspect, cx, cy


def ellipse_radius(phi: np.ndarray, a: float, b: float, cx: float, cy: float) -> np.ndarray:
    """Distance from the origin to an axis-aligned ellipse (centre (cx, cy)) along each ray."""
    d = np.stack([np.cos(phi), np.sin(phi)])
    # solve |((o + r d) - c) / (a, b)| = 1 for r > 0, with o = 0
    px, py = -cx / a, -cy / b
    dx, dy = d[0] / a, d[1] / b
    qa = dx * dx + dy * dy
    qb = 2.0 * (px * dx + py * dy)
    qc = px * px + py * py - 1.0
    return (-qb + np.sqrt(qb * qb - 4.0 * qa * qc)) / (2.0 * qa)


def ellipse_perimeter(a: float, b: float) -> float:
    """Ramanujan's second approximation."""
    h = ((a - b) / (a + b)) ** 2
    return float(np.pi * (a + b) * (1.0 + 3.0 * h / (10.0 + np.sqrt(4.0 - 3.0 * h))))


def skin_radius(phi: np.ndarray, t: float, scale: float = 1.0, aspect_factor: float = 1.0) -> np.ndarray:
    """The skin outline: an ellipse of the target circumference (x ``scale``), off-centre from the femur."""
    aspect, fx, fy = skin_shape(t)
    aspect *= aspect_factor
    c = circumference_cm(t) * 10.0 * scale
    # perimeter of an ellipse with semi-axes (aspect*d, d) is linear in d
    d = c / ellipse_perimeter(aspect, 1.0)
    a, b = aspect * d, d
    return ellipse_radius(np.asarray(phi, dtype=float), a, b, fx * a, fy * b)


#: Skin thickness (epidermis + dermis of the thigh), mm.
SKIN_MM = 1.8
#: Anterior subcutaneous fat at mid-thigh (ultrasound, ``targets.json``), mm.
FAT_ANTERIOR_MM = float(targets()["thigh_outline"]["subcutaneous_fat_anterior_mm"]["value"])


def fat_pattern(phi: np.ndarray, t: float) -> np.ndarray:
    """Relative subcutaneous fat thickness by direction (anterior = 1).

    Thickest medially, thinnest laterally, medial more than twice lateral in men (CT study in
    ``targets.json``); proximally thicker on the inner thigh and under the buttock.
    """
    phi = np.asarray(phi, dtype=float)
    upper = 1.0 - _smooth_step(t, 0.1, 0.38)  # inner thigh and buttock crease proximally
    deg = np.degrees(np.mod(phi, 2 * np.pi))
    return _fat_spline(upper)(deg)


@lru_cache(maxsize=512)
def _fat_spline(upper: float) -> PchipInterpolator:
    """The pattern round the thigh (periodic, smooth) for the proximal weight ``upper``."""
    anchors_deg = np.array([0.0, 90.0, 180.0, 270.0, 360.0])
    values = np.array([0.55, 1.0, 1.35 + 0.45 * upper, 1.0 + 1.1 * upper, 0.55])
    return PchipInterpolator(anchors_deg, values)


def fascia_thickness(phi: np.ndarray, t: float) -> np.ndarray:
    """Fascia lata thickness: thin all round, thickened laterally as the iliotibial band."""
    phi = np.asarray(phi, dtype=float)
    return 0.8 + 2.4 * _lobe(phi, 0, 22) * (0.6 + 0.4 * _smooth_step(t, 0.2, 0.6))
