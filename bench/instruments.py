"""Every figure the README states about the classifier and the judges, in one run.

Run: python bench/instruments.py [--shared-data ../shared/data] [--artifact DIR]

In order: in-distribution test split and the `core` suite beside baselines, with speed
(bench/classifier.py); the shortcut audit and leave-one-source-out figures
(bench/generalisation.py); judges on real human-labelled replies, external sets first
(bench/judges.py). Each part can also be run on its own.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

PARTS = ("classifier.py", "generalisation.py", "judges.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--artifact", type=Path, default=None)
    args = parser.parse_args()
    common = ["--shared-data", str(args.shared_data)]
    if args.artifact is not None:
        common += ["--artifact", str(args.artifact)]
    for part in PARTS:
        print(f"\n===== bench/{part} =====", flush=True)
        script = Path(__file__).with_name(part)
        subprocess.run([sys.executable, str(script), *common], check=True)


if __name__ == "__main__":
    main()
