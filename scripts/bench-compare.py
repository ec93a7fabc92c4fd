#!/usr/bin/env python3
"""Compares two git-coord builds row by row on `make bench`'s rows.

    scripts/bench-compare.py OLD_BIN_DIR NEW_BIN_DIR [--rounds N] [AREA ...]

Each BIN_DIR holds a release `git-coord` (and `git-coord-mcp`). The bench program is the one built in
.build-release (the newer rows); each round runs it once per build, in alternating order (old, new, new, old,
...), so that a slow patch of a shared machine weighs on both. Every row's figure for a build is the median over
the rounds of its ratio to git's own command measured in the same run, which cancels most of the machine's load;
the last column is new/old of those ratios (1.05 = 5% slower). Rows one build cannot run (a command it lacks) are
left out for both.
"""
import os
import re
import statistics
import subprocess
import sys

ROW = re.compile(r"^(?P<label>.+?)\s+(?P<ours>[\d.]+) ms\s+(?P<base_label>.+?)\s+(?P<base>[\d.]+) ms\s+ratio")


def run(bench, bin_dir, areas):
    env = dict(os.environ, GIT_COORD_BIN=os.path.join(bin_dir, "git-coord"))
    done = subprocess.run([bench, *areas], env=env, capture_output=True, text=True)
    rows = {}
    for line in done.stdout.splitlines():
        match = ROW.match(line)
        if match:
            rows[match["label"].strip()] = float(match["ours"]) / float(match["base"])
    if done.returncode != 0:
        print(f"note: the bench stopped early with {os.path.basename(bin_dir)}: {done.stderr.strip().splitlines()[-1:]}",
              file=sys.stderr)
    return rows


def main():
    args = sys.argv[1:]
    rounds = 2
    if "--rounds" in args:
        at = args.index("--rounds")
        rounds = int(args[at + 1])
        del args[at:at + 2]
    if len(args) < 2:
        sys.exit(__doc__)
    old, new, areas = args[0], args[1], args[2:]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bench = subprocess.run(["swift", "build", "-c", "release", "--scratch-path", os.path.join(root, ".build-release"),
                            "--show-bin-path"], capture_output=True, text=True, cwd=root).stdout.strip() + "/coord-bench"
    results = {old: [], new: []}
    for index in range(rounds):
        order = (old, new) if index % 2 == 0 else (new, old)
        for bin_dir in order:
            results[bin_dir].append(run(bench, bin_dir, areas))
            print(f"round {index + 1}: {bin_dir} done", file=sys.stderr)
    labels = [label for label in results[new][0] if all(label in r for r in results[old] + results[new])]
    print(f"{'row':<58} {'old':>7} {'new':>7} {'new/old':>8}")
    for label in labels:
        a = statistics.median(r[label] for r in results[old])
        b = statistics.median(r[label] for r in results[new])
        flag = "  slower" if b / a > 1.05 else ""
        print(f"{label[:58]:<58} {a:7.3f} {b:7.3f} {b / a:8.3f}{flag}")


if __name__ == "__main__":
    main()
