"""Self-consistency per (model, language), corrected for judge error.

Definition (the one behind the paper's self-consistency figure): within one model and one prompt
language, list every ordered pair (i, j), i != j, of responses to the same topic; Spearman's rho
between the first and second member's pro_score over that pooled pair list (all topics together);
divide by (1 - 0.045).

Writes consistency_point.csv (no resampling, all topics of the response file, i.e. also the five
topics without survey data) and, with --rounds N, consistency_bootstrap.csv: N rounds in which the
whole response table (all models) is redrawn with replacement first, so a drawn duplicate pairs with
itself, as in the authors' figure; summary = mean and 2.5/97.5 percentiles.

Also writes consistency_point_gt_topics.csv: the same point value restricted to the topics that have
a language-level population share (the rows that enter the alignment).

usage: consistency.py [--rounds 100] [--seed 1]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from common import HERE, JUDGE_ERROR, OUT_DIR, load_population_shares, load_responses, pair_consistency


def consistency_table(df: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (model, lang), g in df.groupby(["model_name", "language"], sort=True):
        raw = pair_consistency(g["response_pro_score"].to_numpy(), g["question_key"].to_numpy())
        pairs = int((g.groupby("question_key").size().map(lambda n: n * (n - 1))).sum())
        rows.append((model, lang, raw, raw / (1.0 - JUDGE_ERROR), len(g), g["question_key"].nunique(), pairs))
    return pd.DataFrame(rows, columns=["model", "language", "observed", "self_consistency", "n_responses", "n_topics", "n_pairs"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--responses", type=Path, default=OUT_DIR / "latest_results_with_baseline.csv")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", type=Path, default=HERE)
    args = ap.parse_args()

    resp = load_responses(args.responses)
    point = consistency_table(resp)
    point.to_csv(args.out_dir / "consistency_point.csv", index=False, float_format="%.17g")

    gt_topics = set(load_population_shares("language")["question_key"])
    point_gt = consistency_table(resp[resp["question_key"].isin(gt_topics)])
    point_gt.to_csv(args.out_dir / "consistency_point_gt_topics.csv", index=False, float_format="%.17g")

    if args.rounds > 0:
        models = resp[~resp["model_name"].str.startswith("Baseline")].reset_index(drop=True)
        rng = np.random.default_rng(args.seed)
        out = []
        for r in range(args.rounds):
            s = models.iloc[rng.integers(0, len(models), size=len(models))]
            t = consistency_table(s)[["model", "language", "self_consistency"]]
            t["round"] = r
            out.append(t)
        boot = pd.concat(out, ignore_index=True)
        summ = boot.groupby(["model", "language"])["self_consistency"].agg(
            mean="mean", lo=lambda v: np.percentile(v, 2.5), hi=lambda v: np.percentile(v, 97.5)
        ).reset_index()
        summ = summ.merge(point[["model", "language", "self_consistency"]].rename(columns={"self_consistency": "point"}))
        summ.to_csv(args.out_dir / "consistency_bootstrap.csv", index=False, float_format="%.6f")
        pd.set_option("display.width", 200)
        print(summ.pivot(index="model", columns="language", values="mean").round(3))
        print(summ.pivot(index="model", columns="language", values="point").round(3))


if __name__ == "__main__":
    main()
