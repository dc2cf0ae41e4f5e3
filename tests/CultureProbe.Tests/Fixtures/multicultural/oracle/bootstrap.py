"""Bootstrap rounds of alignment (and self-consistency) in the layout the authors' regressions read.

One round, for one population kind (global / language / country):
  1. pair every response with every population of that kind that has a share for its topic;
  2. draw as many rows as that paired table has, uniformly with replacement, from the WHOLE
     paired table (not within groups);
  3. alignment = Spearman(response_pro_score, population pro_score) per
     (model_name, population, response_language) over the drawn rows;
  4. consistency = Spearman over all ordered pairs of drawn rows (different draw positions) that
     share (model_name, prompt language, topic), divided by (1 - 0.045), per (model_name, language);
  5. each alignment row gets the consistency of its (model_name, response_language).

Output columns: model_name, gt_group, response_language, metric_value, consistency, round, gt_type.

usage: bootstrap.py --kind language --rounds 100 --seed 1 --out boot_language_seed1.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from common import JUDGE_ERROR, OUT_DIR, grouped_spearman, join_with_population, load_population_shares, load_responses, pair_consistency


def consistency_of(sample: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (model, lang), grp in sample.groupby(["model_name", "language"], sort=True):
        rho = pair_consistency(grp["response_pro_score"].to_numpy(), grp["question_key"].to_numpy())
        rows.append((model, lang, rho / (1.0 - JUDGE_ERROR)))
    return pd.DataFrame(rows, columns=["model_name", "language", "consistency"])


def bootstrap_rounds(
    responses: pd.DataFrame,
    kind: str,
    n_rounds: int,
    seed: int,
    gt_dir: Path | None = None,
    with_consistency: bool = True,
) -> pd.DataFrame:
    joined = join_with_population(responses, load_population_shares(kind, gt_dir)).reset_index(drop=True)
    rng = np.random.default_rng(seed)
    m = len(joined)
    out = []
    for r in range(n_rounds):
        sample = joined.iloc[rng.integers(0, m, size=m)].reset_index(drop=True)
        align = grouped_spearman(sample, ["model_name", "population", "response_language"], "response_pro_score", "pro_score")
        align = align.rename(columns={"population": "gt_group", "spearman": "metric_value"}).drop(columns="n")
        if with_consistency:
            cons = consistency_of(sample).rename(columns={"language": "response_language"})
            align = align.merge(cons, on=["model_name", "response_language"], how="inner")
        else:
            align["consistency"] = np.nan
        align["round"] = r
        align["gt_type"] = kind
        out.append(align)
    return pd.concat(out, ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["global", "language", "country"], required=True)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--responses", type=Path, default=OUT_DIR / "latest_results_with_baseline.csv")
    ap.add_argument("--gt-dir", type=Path, default=OUT_DIR)
    ap.add_argument("--no-consistency", action="store_true")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    res = bootstrap_rounds(
        load_responses(args.responses), args.kind, args.rounds, args.seed, args.gt_dir, not args.no_consistency
    )
    res.to_csv(args.out, index=False, float_format="%.17g")
    print(f"wrote {len(res)} rows to {args.out}")


if __name__ == "__main__":
    main()
