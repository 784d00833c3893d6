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
    from thighview.attachments import attachments, sources

    rows = ["| muscle | levels (fraction of femur length) | arc round the femur (deg, 0 anterior, + lateral) "
            "| textbook description | sources |", "|---|---|---|---|---|"]
    for a in attachments():
        rows.append(f"| {a.muscle.replace('_', ' ')} | {a.levels[0]:g}-{a.levels[1]:g} | {a.degrees[0]:g} to "
                    f"{a.degrees[1]:g} | {a.description} | {', '.join(a.sources)} |")
    rows.append("")
    rows += [f"- **{key}**: {text}" for key, text in sources().items()]
    return "\n".join(rows)


def friction_table() -> str:
    from thighview.mechanics.loads import SIDEWAYS_LEAN_DEG, SIDEWAYS_LEAN_RANGE_DEG, friction_data

    f = friction_data()
    t, h = f["tissue_interfaces"], f["hand_on_skin"]
    return "\n".join([
        "| quantity | value | range | source |", "|---|---|---|---|",
        f"| friction, tissue on bone | {t['nominal']['value']:g} ({t['nominal']['rule']}) | "
        f"{t['range'][0]:g}-{t['range'][1]:g} | low: {t['low']['source']}; high: {t['high']['source']} |",
        f"| friction, hand on skin | {h['typical']:g} | {h['range'][0]:g}-{h['range'][1]:g} | {h['source']} |",
        f"| sideways lean = atan(hand-on-skin friction) | {SIDEWAYS_LEAN_DEG:.1f} deg | "
        f"{SIDEWAYS_LEAN_RANGE_DEG[0]:.1f}-{SIDEWAYS_LEAN_RANGE_DEG[1]:.1f} deg | derived |",
    ])


TABLES = {"attachments": attachment_table, "friction": friction_table}


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
