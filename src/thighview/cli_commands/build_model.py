"""``thighview build-model --out DIR [measurements]``: the default thigh, or a client's own from measurements."""

from __future__ import annotations

import argparse
import sys
import time

HELP = ("generate the built-in anatomical thigh model (thigh_default.glb + .json), or a client's thigh from "
        "measurements (thigh.glb + .json), into a folder")

#: Levels through the soft tissue: 8 is a coarse sketch; 400 is about 9 M triangles.
MIN_RESOLUTION, MAX_RESOLUTION = 8, 400

#: option -> Measurements field (all optional; left out = the reference man's, or derived)
_MEASUREMENTS = {"sex": "sex", "height": "height_m", "mass": "mass_kg", "thigh_circumference": "thigh_circumference_cm",
                 "skinfold": "skinfold_mm", "fat_ultrasound": "fat_ultrasound_mm", "training": "training",
                 "side": "side"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the model into")
    parser.add_argument("--resolution", type=int, default=None, metavar="N",
                        help="levels through the soft tissue, 8-400 (default 96: about 0.5 M triangles; "
                             "128: about 1 M)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="0 = the reference thigh; another seed = a slightly different individual")
    client = parser.add_argument_group("a client's thigh (all optional; default: a 1.75 m, 75 kg man, right)")
    client.add_argument("--sex", choices=("male", "female"))
    client.add_argument("--height", type=float, metavar="M", help="height in metres, e.g. 1.62")
    client.add_argument("--mass", type=float, metavar="KG", help="body mass in kg")
    client.add_argument("--thigh-circumference", type=float, metavar="CM", help="mid-thigh circumference in cm")
    client.add_argument("--skinfold", type=float, metavar="MM", help="front-thigh skinfold in mm (caliper)")
    client.add_argument("--fat-ultrasound", type=float, metavar="MM",
                        help="front-thigh subcutaneous fat in mm measured by ultrasound (instead of a skinfold)")
    client.add_argument("--training", choices=("untrained", "trained", "athlete"))
    client.add_argument("--side", choices=("right", "left"))


def measurements_from(args: argparse.Namespace):
    """The :class:`~thighview.procedural.measurements.Measurements` the options name."""
    from thighview.procedural.measurements import Measurements

    given = {field: getattr(args, option) for option, field in _MEASUREMENTS.items()
             if getattr(args, option, None) is not None}
    return Measurements(**given)


def run(args: argparse.Namespace) -> int:
    from thighview.errors import ThighViewError
    from thighview.procedural import DEFAULT_RESOLUTION
    from thighview.procedural.client import build_client
    from thighview.progress import TerminalProgress

    resolution = DEFAULT_RESOLUTION if args.resolution is None else args.resolution
    if not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise ThighViewError(f"--resolution must be between {MIN_RESOLUTION} and {MAX_RESOLUTION}, not {resolution}")
    measurements = measurements_from(args)
    start = time.perf_counter()

    model, derivation, glb_path, json_path = build_client(measurements, args.out, resolution=resolution,
                                                          seed=args.seed, progress=TerminalProgress(sys.stderr))
    triangles = sum(len(faces) for _, faces in model.surfaces.values())
    print(f"wrote {glb_path} ({glb_path.stat().st_size / 1e6:.1f} MB, {len(model.surfaces)} structures, "
          f"{triangles} triangles) and {json_path.name} in {time.perf_counter() - start:.1f} s")
    if model.client is not None:
        for line in aims_lines(derivation.aims):
            print(line)
        for warning in derivation.warnings:
            print(f"warning: {warning}")
    return 0


def aims_lines(aims: dict) -> list[str]:
    """The numbers a client's model aims for, one line each (also shown in the GUI's form)."""
    muscle, fat, ring = aims["thigh_muscle_volume_cm3"], aims["anterior_fat_mid_thigh_mm"], aims["mid_thigh_circumference_cm"]
    lo, hi = muscle["interval"]
    lines = [f"femur {aims['femur_length_mm']['value']:.0f} mm long, {aims['femur_diameter_mm']['value']:.1f} mm across",
             f"thigh muscles {muscle['value']:.0f} cm³ (regression {muscle['regression']:.0f}, interval {lo:.0f}-{hi:.0f})",
             f"mid-thigh circumference {ring['value']:.1f} cm ({ring['from']})",
             f"front-thigh fat at mid-thigh {fat['value']:.1f} mm"
             + (f" (from the measurement: {fat['from_measurement']:.1f} mm)" if fat["from_measurement"] is not None else "")]
    return lines
