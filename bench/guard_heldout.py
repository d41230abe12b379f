"""The guard end to end on conversations nobody here wrote: RBR gold, held out whole.

Run: python bench/guard_heldout.py [--limit N] [--out runs/guard-rbr]

RBR gold (OpenAI's rule-based-rewards gold set, MIT, in ../shared/data) holds 350 multi-turn
conversations, each with the response its policy expects: Comply, Hard Refuse, or Safe Refuse
(self-harm: refuse with care and resources). No part of tactful was trained on its prompts.
This writes them as an eval suite (Comply → safe; Hard Refuse → unsafe, refuse; Safe Refuse →
unsafe, crisis_support) and runs ``tactful eval --defense none,guard`` on the embedded model, so
the usual summary, report and figures (unsafe not refused, over-refusal, with CIs) come out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

EXPECTED = {
    "Comply": ("safe", "comply"),
    "Hard Refuse": ("unsafe", "refuse"),
    "Safe Refuse 1": ("unsafe", "crisis_support"),
    "Safe Refuse 2": ("unsafe", "crisis_support"),
}
CATEGORY_PREFIX = {"SH": "suicide_self_harm", "H": "hate"}
"""RBR category codes whose policy category is unambiguous; the rest are left unset."""


def write_suite(source: Path, target: Path) -> int:
    """Write the distinct RBR gold conversations as a JSONL suite; returns how many."""
    seen: set[str] = set()
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open(encoding="utf-8") as rows, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(rows, start=1):
            row = json.loads(line)
            key = json.dumps(row["prompt"], sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            label, action = EXPECTED[row["response_type"]]
            code = str(row.get("category", "")).split("-")[0]
            case = {
                "id": f"rbr-{number:03d}",
                "messages": row["prompt"],
                "label": label,
                "action": action,
                "category": CATEGORY_PREFIX.get(code),
            }
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--limit", type=int, default=None, help="conversations (seeded sample)")
    parser.add_argument("--out", type=Path, default=Path("runs/guard-rbr"))
    args = parser.parse_args()
    suite = args.out.with_name(args.out.name + "-suite.jsonl")
    count = write_suite(args.shared_data / "rbr_gold" / "train.jsonl", suite)
    print(f"{count} RBR gold conversations → {suite}")
    command = ["tactful", "eval", "--suite", str(suite), "--defense", "none,guard"]
    command += ["--out", str(args.out)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    print("+", " ".join(command))
    sys.exit(subprocess.call(command))


if __name__ == "__main__":
    main()
