#!/usr/bin/env python3
"""The README's PLA figures table from stored `physec reproduce` runs (rows.csv of each run folder).

Per figure point and protocol: the TDGCN's test accuracy (mean ± sd over its seeds) and the baseline picked on
validation accuracy (mean over seeds; the test split is not looked at to pick it), with its test accuracy.
    python3 docs/results/reproduce/table.py docs/results [RUN,RUN,...]
RUN,RUN,...: only those run folders (e.g. honest-tdgcn-3-seeds,honest-tdgcn-3-seeds-position: the TDGCN and the
baselines on the same seeds and datasets); default: every run folder.
"""
import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def load(root, runs=None):
    rows = []
    for f in sorted(Path(root).glob("pla-fig*/*/rows.csv")):  # <root>/<id>/<run>/rows.csv
        if runs and f.parent.name not in runs:
            continue
        fig = f.parent.parent.name
        for r in csv.DictReader(open(f)):
            r["figure"] = fig
            rows.append(r)
    return rows


def fmt(v):
    return f"{statistics.mean(v):.3f}" + (f" ± {statistics.stdev(v):.3f}" if len(v) > 1 else "")


def main(root, runs=None):
    rows = load(root, runs)
    # (figure, value, protocol, model) -> seed -> (validation, test); later run folders do not duplicate seeds.
    acc = defaultdict(dict)
    for r in rows:
        if r["figure"] == "pla-fig5":
            continue  # Fig. 5 is the same sweep as Fig. 6 (training accuracy)
        key = (r["figure"], float(r["value"]), r["protocol"], r["model"])
        acc[key][r["seed"]] = (float(r["validation_accuracy"]), float(r["accuracy"]))
    points = sorted({(k[0], k[1]) for k in acc})
    protocols = ["random", "time", "position"]
    print("| figure | value | " + " | ".join(f"{p}: TDGCN | {p}: baseline (picked on validation)" for p in protocols) + " |")
    print("|---|---|" + "---|---|" * len(protocols))
    for fig, value in points:
        cells = []
        for p in protocols:
            t = acc.get((fig, value, p, "tdgcn"))
            cells.append(fmt([a for _, a in t.values()]) if t else "–")
            best = None
            for (f2, v2, p2, m), seeds in acc.items():
                if (f2, v2, p2) != (fig, value, p) or m == "tdgcn":
                    continue
                val = statistics.mean(v for v, _ in seeds.values())
                if best is None or val > best[0]:
                    best = (val, m, [a for _, a in seeds.values()])
            cells.append(f"{fmt(best[2])} ({best[1]})" if best else "–")
        print(f"| {fig} | {value:g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/results",
         set(sys.argv[2].split(",")) if len(sys.argv) > 2 else None)
