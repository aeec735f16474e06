"""What an analyst does without servqual: one wave's Gap 5 analysis with pandas and scipy.

Reads a CSV export of one wave (one row per respondent: touchpoint, site, ``<CODE>_E``
and ``<CODE>_P`` per item, empty for N/A) and a codebook (item → dimension, pillars),
then computes, over the whole wave and per group of each grouping (``--by``):

- per item: n, Gap 5 mean, SD, 95% t interval, ``ttest_1samp(G, 0)`` (= ``ttest_rel``),
  Wilcoxon signed-rank with ``zero_method="pratt"``, d_z; Holm within each family;
- per dimension and pillar: respondents' scores (mean of the answered items, at least
  half answered), their Gap 5 mean, interval and t test (E and P levels over the wave);
- Cronbach's α per dimension for E, P and G (listwise) with Feldt's interval.

Prints one JSON line ``{"seconds": …, "cpu_seconds": …}``: wall and CPU time of reading
and computing (imports excluded).
``--out`` writes the cells as JSON for bench/gaps.py to compare. Usage::

    python bench/gaps_baseline.py wave.csv codebook.json --by touchpoint,site --out cells.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats


def item_cell(g: np.ndarray) -> dict:
    """Return the Gap 5 statistics of one item's gaps (NaN already dropped)."""
    n = g.size
    cell = {"n": int(n), "mean": float(g.mean()) if n else None}
    if n < 2 or g.std(ddof=1) == 0:
        return cell | {"sd": None, "ci_low": None, "ci_high": None, "p": None, "wilcoxon_p": None}
    test = stats.ttest_1samp(g, 0.0)
    ci = test.confidence_interval(0.95)
    sd = float(g.std(ddof=1))
    wilcoxon = stats.wilcoxon(g, zero_method="pratt", method="approx")
    return cell | {
        "sd": sd,
        "ci_low": float(ci.low),
        "ci_high": float(ci.high),
        "p": float(test.pvalue),
        "wilcoxon_p": float(wilcoxon.pvalue),
        "d_z": float(g.mean() / sd),
    }


def score_cell(x: np.ndarray) -> dict:
    """Return mean, SD, interval and t test of respondents' scores (no Wilcoxon)."""
    cell = item_cell(x)
    cell["wilcoxon_p"] = None
    return cell


def scores(values: pd.DataFrame, groups: dict[str, list[str]]) -> pd.DataFrame:
    """Respondent scores per group of items: mean of answered items, ≥ half answered."""
    out = {}
    for name, columns in groups.items():
        sub = values[columns]
        answered = sub.notna().sum(axis=1)
        out[name] = sub.mean(axis=1).where(answered >= len(columns) / 2)
    return pd.DataFrame(out)


def cronbach(data: pd.DataFrame) -> dict:
    """Cronbach's α (listwise) with Feldt's 95% interval."""
    x = data.dropna()
    n, k = x.shape
    cov = x.cov().to_numpy()
    alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return {
        "n": int(n),
        "alpha": float(alpha),
        "ci_low": float(1 - (1 - alpha) * stats.f.isf(0.025, df1, df2)),
        "ci_high": float(1 - (1 - alpha) * stats.f.ppf(0.025, df1, df2)),
    }


def holm_adjust(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment: max over j ≤ i of (m − j + 1)·p_(j), capped at 1."""
    order = np.argsort(p)
    stepped = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def holm(cells: list[dict]) -> None:
    """Adjust the cells' t and Wilcoxon p-values with Holm, within this family."""
    for key in ("p", "wilcoxon_p"):
        tested = [c for c in cells if c.get(key) is not None]
        if tested:
            adjusted = holm_adjust(np.array([c[key] for c in tested]))
            for cell, value in zip(tested, adjusted, strict=True):
                cell[f"adjusted_{key}"] = float(value)


def analyse(csv_path: Path, codebook: dict, by: list[str]) -> dict:
    """Read the export and compute every cell; return cells and α."""
    df = pd.read_csv(csv_path)
    items = [i["code"] for i in codebook["items"]]
    e = df[[f"{c}_E" for c in items]].set_axis(items, axis=1)
    p = df[[f"{c}_P" for c in items]].set_axis(items, axis=1)
    g = p - e
    dimensions: dict[str, list[str]] = {}
    pillars: dict[str, list[str]] = {}
    for item in codebook["items"]:
        dimensions.setdefault(item["dimension"], []).append(item["code"])
        for pillar in item["pillars"]:
            pillars.setdefault(pillar, []).append(item["code"])
    levels = {
        "dimension": scores(g, dimensions),
        "pillar": scores(g, pillars),
    }
    cells: list[dict] = []
    for grouping in ["all", *by]:
        if grouping == "all":
            groups = [("", np.arange(len(df)))]
        else:
            indices = df.groupby(grouping, dropna=False).indices
            groups = [("" if pd.isna(k) else str(k), v) for k, v in indices.items()]
        family = []
        for group, rows in groups:
            for item in items:
                x = g[item].to_numpy()[rows]
                cell = item_cell(x[~np.isnan(x)])
                family.append(cell | {"key": f"{grouping}|{group}|item|{item}"})
        holm(family)
        cells.extend(family)
        family = []
        for group, rows in groups:
            for level, table in levels.items():
                for subject in table.columns:
                    x = table[subject].to_numpy()[rows]
                    cell = score_cell(x[~np.isnan(x)])
                    family.append(cell | {"key": f"{grouping}|{group}|{level}|{subject}"})
        holm(family)
        cells.extend(family)
    for name, table in (("E", e), ("P", p)):
        for level, groups_of in (("dimension", dimensions), ("pillar", pillars)):
            for subject, column in scores(table, groups_of).items():
                x = column.to_numpy()
                cells.append(
                    score_cell(x[~np.isnan(x)]) | {"key": f"all||{level}-{name}|{subject}"}
                )
    alphas = [
        cronbach(table[columns]) | {"key": f"{measure}|{dimension}"}
        for measure, table in (("E", e), ("P", p), ("G", g))
        for dimension, columns in dimensions.items()
    ]
    servqual = float(np.mean([levels["dimension"][d].mean() for d in dimensions]))
    return {"n_responses": len(df), "cells": cells, "alpha": alphas, "servqual": servqual}


def rss_mb(field: str = "VmRSS") -> float:
    """Return this process's resident set size now (``VmHWM``: its peak), in MB (Linux /proc).

    The peak is this program's own: ``VmHWM`` starts afresh at ``exec``, whereas
    ``wait4``'s ``ru_maxrss`` also counts the memory of the parent it was forked from.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    """Time reading and computing; print the seconds; write the cells with ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("codebook", type=Path)
    parser.add_argument("--by", default="touchpoint,site")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    codebook = json.loads(args.codebook.read_text())
    before = rss_mb()
    cpu_started = time.process_time()
    started = time.perf_counter()
    result = analyse(args.csv, codebook, [b for b in args.by.split(",") if b])
    timing = {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "rss_before_mb": before,
        "peak_mb": rss_mb("VmHWM"),
    }
    if args.out:
        args.out.write_text(json.dumps(result | timing))
    print(json.dumps(timing | {"n_responses": result["n_responses"]}))


if __name__ == "__main__":
    main()
