"""``thighview info FILE``: list the structures of a model file."""

from __future__ import annotations

import argparse

HELP = "list the structures in a model file (name, compartment, triangles, volume)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a model file (GLB/glTF...)")


def run(args: argparse.Namespace) -> int:
    from thighview.io import load_model

    model = load_model(args.file)
    rows = [(s.name, s.raw_name or "", s.compartment.value, f"{s.n_triangles}", f"{s.signed_volume_mm3() / 1000:.1f}")
            for s in model.structures.values()]
    header = ("structure", "name in file", "compartment", "triangles", "volume_cm3")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(f"{model.source}: {len(rows)} structures, units {model.units}, {model.side} thigh")
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    return 0
