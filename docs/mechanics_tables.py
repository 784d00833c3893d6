"""Write the tables of ``docs/mechanics.md`` from the shipped data (between ``<!-- table:NAME -->`` markers).

    python docs/mechanics_tables.py          # rewrite the tables in place
    python docs/mechanics_tables.py --check  # exit 1 if the document differs from a regeneration

``tests/test_mechanics_docs.py`` runs the check, so the document cannot drift from the data.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOC = Path(__file__).with_name("mechanics.md")


def attachment_table() -> str:
    from thighview.attachments import attachments, septum_origins, sources

    rows = ["| muscle | levels (fraction of femur length) | arc round the femur (deg, 0 anterior, + lateral) "
            "| textbook description | sources |", "|---|---|---|---|---|"]
    for a in attachments():
        rows.append(f"| {a.muscle.replace('_', ' ')} | {a.levels[0]:g}-{a.levels[1]:g} | {a.degrees[0]:g} to "
                    f"{a.degrees[1]:g} | {a.description} | {', '.join(a.sources)} |")
    rows += ["", "Muscles that arise from a septum (their face of it is bonded):", "",
             "| muscle | septum | levels (fraction of femur length) | textbook description | sources |",
             "|---|---|---|---|---|"]
    for o in septum_origins():
        rows.append(f"| {o.muscle.replace('_', ' ')} | {o.septum.replace('_', ' ')} | {o.levels[0]:g}-{o.levels[1]:g} "
                    f"| {o.description} | {', '.join(o.sources)} |")
    rows.append("")
    rows += [f"- **{key}**: {text}" for key, text in sources().items()]
    return "\n".join(rows)


def friction_table() -> str:
    from thighview.mechanics.loads import SIDEWAYS_LEAN_DEG, SIDEWAYS_LEAN_RANGE_DEG, friction_data

    f = friction_data()
    t, h = f["tissue_interfaces"], f["hand_on_skin"]
    return "\n".join([
        "| quantity | value | range | source |", "|---|---|---|---|",
        f"| friction, tissue on bone and along the septa | {t['nominal']['value']:g} ({t['nominal']['rule']}) | "
        f"{t['range'][0]:g}-{t['range'][1]:g} | low: {t['low']['source']}; high: {t['high']['source']} |",
        f"| friction, hand on skin | {h['typical']:g} | {h['range'][0]:g}-{h['range'][1]:g} | {h['source']} |",
        f"| sideways lean = atan(hand-on-skin friction) | {SIDEWAYS_LEAN_DEG:.1f} deg | "
        f"{SIDEWAYS_LEAN_RANGE_DEG[0]:.1f}-{SIDEWAYS_LEAN_RANGE_DEG[1]:.1f} deg | derived |",
    ])


_FIGURES = {"indentation_mm": ("indentation under the tool", "mm"), "drag_mm": ("drag under the tool", "mm"),
            "femur_slip_max_mm": ("slip at the femur (max)", "mm"),
            "septal_slip_max_mm": ("slip at a septum (max)", "mm"),
            "compression_at_bone_facing_contact_pct": ("compression at the bone facing the contact", "%"),
            "bone_normal_stress_kpa": ("normal stress on the bone facing the contact (mean)", "kPa")}


#: The figures the issue asks the 2-D slice to match the 3-D solve on (slip at the femur and septa, indentation,
#: bone stress).
_AGREEMENT = ("indentation_mm", "femur_slip_max_mm", "septal_slip_max_mm", "bone_normal_stress_kpa")


def _agreement(levels: list[dict], two_d, keys) -> tuple[int, int, float]:
    gaps = [abs(two_d(r)[load][key] / r["three_d"][load][key] - 1) for r in levels
            for load in ("into-bone", "sideways") for key in keys]
    return sum(g <= 0.2 for g in gaps), len(gaps), 100 * max(gaps)


def closure_table() -> str:
    from thighview.mechanics.closure import MATCHED, closure_data

    data = closure_data()
    rows = [f"3-D: {data['method']['three_d']}; prism half-length {data['method']['slab']['half_length_mm']:g} mm, "
            f"{data['method']['slab']['modes']} modes along the thigh. Loads: {data['method']['loads']}. "
            f"Matched: {', '.join(MATCHED)}.", "",
            "| level | fitted ℓ radial / circumferential (one ℓ) | fit error (one ℓ) | figure "
            "| into the bone: 2-D / 3-D (one ℓ) | sideways: 2-D / 3-D (one ℓ) |",
            "|---|---|---|---|---|---|"]
    for r in data["levels"]:
        one = r["one_length"]
        for i, (key, (label, unit)) in enumerate(_FIGURES.items()):
            head = (f"{r['level']:g} | {r['holding_length_mm']['radial']:g} / "
                    f"{r['holding_length_mm']['circumferential']:g} mm ({one['holding_length_mm']:g} mm) | "
                    f"{100 * r['fit_error']:.0f} % ({100 * one['fit_error']:.0f} %)" if i == 0 else " | | ")
            cells = [f"{r['two_d'][load][key]:.2f} / {r['three_d'][load][key]:.2f} {unit} "
                     f"({100 * (r['two_d'][load][key] / r['three_d'][load][key] - 1):+.0f} %; "
                     f"{100 * (one['two_d'][load][key] / r['three_d'][load][key] - 1):+.0f} %)"
                     for load in ("into-bone", "sideways")]
            rows.append(f"| {head} | {label}{' (matched)' if key in MATCHED else ''} | {cells[0]} | {cells[1]} |")
    rows.append("")
    for name, keys in (("all", tuple(_FIGURES)), ("the issue's", _AGREEMENT)):
        two = _agreement(data["levels"], lambda r: r["two_d"], keys)
        one = _agreement(data["levels"], lambda r: r["one_length"]["two_d"], keys)
        rows.append(f"- Of {name} {two[1]} figures ({', '.join(keys)}), two lengths bring {two[0]} within 20 % of "
                    f"the 3-D solve, largest difference {two[2]:.0f} %; one length {one[0]}, largest {one[2]:.0f} %.")
    return "\n".join(rows)


def ranges_table() -> str:
    from thighview.mechanics.ranges import COMPARE_FIGURES, ranges_data

    data = ranges_data()
    rows = [f"- **{name}**: {', '.join(f'{v:g}' for v in p['values'])}"
            + (" kPa (low, nominal, high; elastography, used x the working stiffening)" if name.endswith("_kpa")
               else " (low, nominal, high)") + f": {p['source']}" for name, p in data["parameters"].items()]
    rows += ["", "| level | figure | model | into the bone | sideways |", "|---|---|---|---|---|"]
    for r in data["levels"]:
        for model, f in (("linear", r["figures"]), ("large deformation", r["large_deformation"]["figures"])):
            for key, (label, unit) in _FIGURES.items():
                cells = [f"{f[f'{load}.{key}']['nominal']:.2f} ({f[f'{load}.{key}']['range'][0]:.2f}-"
                         f"{f[f'{load}.{key}']['range'][1]:.2f}) {unit}" for load in ("into-bone", "sideways")]
                rows.append(f"| {r['level']:g} | {label} | {model} | {cells[0]} | {cells[1]} |")
            for key in COMPARE_FIGURES:
                c = f[f"compare.{key}"]
                rows.append(f"| {r['level']:g} | sideways / into the bone, {key.replace('_', ' ')} | {model} | "
                            f"{c['nominal']:.2f}x ({c['range'][0]:.2f}-{c['range'][1]:.2f}x) | |")
    missed = [(r["level"], m) for r in data["levels"] for m in r["large_deformation"]["not_reached"]]
    if missed:
        rows += ["", "Parameter sets for which the large-deformation solve does not reach 40 N (left out of its "
                     "ranges above):", "",
                 "| level | muscle kPa | fat kPa | friction | load | force reached | why |", "|---|---|---|---|---|---|---|"]
        rows += [f"| {level:g} | {m['muscle_kpa']:g} | {m['fat_kpa']:g} | {m['friction']:g} | {m['load']} | "
                 f"{m['force_reached_n']:g} N | {m['reason']} |" for level, m in missed]
    return "\n".join(rows)


TABLES = {"attachments": attachment_table, "friction": friction_table, "closure": closure_table,
          "ranges": ranges_table}


def regenerate(text: str) -> str:
    for name, make in TABLES.items():
        pattern = re.compile(rf"(<!-- table:{name} -->\n).*?(<!-- /table:{name} -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"{DOC}: no <!-- table:{name} --> markers")
        text = pattern.sub(lambda m: m.group(1) + make() + "\n" + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    text = DOC.read_text()
    new = regenerate(text)
    if "--check" in argv:
        return 0 if new == text else 1
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
