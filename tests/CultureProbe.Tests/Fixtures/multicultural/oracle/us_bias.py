"""US-centric bias regression (RQ2), re-derived and compared with the released table.

Data: country-level bootstrap rounds (bootstrap.py, kind=country).  Keep rows whose population is
either a "native" country of the response language (country's interview language == response
language) or the US; drop Baseline_fifty_percent; keep Baseline_uniform_random as the reference
model.  Fit OLS  metric_value ~ us * model_name:language  (patsy/statsmodels formula).

Also fits the same formula to the point alignment (one row per model x country x language), whose
coefficients are deterministic (the design is saturated in model x language x us cells).

usage: us_bias.py [--seeds 1 2 3 4 5] [--rounds 100] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from bootstrap import bootstrap_rounds
from common import HERE, OUT_DIR, SRC, country_language, grouped_spearman, join_with_population, load_population_shares, load_responses

FORMULA = "metric_value ~ us*model_name:language"
RELEASED = SRC / "supplementary" / "regressions" / "us_centric_bias_regression_results_normal.txt"


def parse_statsmodels_table(path: Path) -> pd.DataFrame:
    """Coefficient rows of a statsmodels text summary -> DataFrame(term, coef, se, ...)."""
    rows = []
    pat = re.compile(r"^(\S+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*$")
    for line in path.read_text().splitlines():
        m = pat.match(line)
        if m and m.group(1) not in ("Dep.",):
            rows.append([m.group(1)] + [float(m.group(i)) for i in range(2, 8)])
    return pd.DataFrame(rows, columns=["term", "coef", "se", "stat", "p", "lo", "hi"])


def us_frame(alignment: pd.DataFrame, gt_dir: Path | None = None) -> pd.DataFrame:
    """alignment: rows with model_name, gt_group (country), response_language, metric_value."""
    lang_of = country_language(gt_dir)
    d = alignment.rename(columns={"response_language": "language"}).copy()
    d["lnge_iso"] = d["gt_group"].map(lang_of)
    d = d[d["lnge_iso"].notna()]
    d["native"] = d["language"] == d["lnge_iso"]
    d["us"] = d["gt_group"] == "US"
    d = d[(d["native"] | d["us"]) & (d["model_name"] != "Baseline_fifty_percent")]
    return d.reset_index(drop=True)


def fit(d: pd.DataFrame):
    return smf.ols(FORMULA, data=d).fit()


def point_frame(responses: pd.DataFrame, gt_dir: Path | None = None) -> pd.DataFrame:
    joined = join_with_population(responses, load_population_shares("country", gt_dir))
    a = grouped_spearman(joined, ["model_name", "population", "response_language"], "response_pro_score", "pro_score")
    a = a.rename(columns={"population": "gt_group", "spearman": "metric_value"})
    return us_frame(a, gt_dir)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--out-dir", type=Path, default=HERE)
    args = ap.parse_args()

    responses = load_responses()
    released = parse_statsmodels_table(RELEASED).set_index("term")

    table = released[["coef", "se"]].rename(columns={"coef": "released_coef", "se": "released_se"})
    # deterministic version on point alignment
    pf = point_frame(responses)
    pres = fit(pf)
    table["point_coef"] = pres.params
    fits = {}
    for seed in args.seeds:
        boot = bootstrap_rounds(responses, "country", args.rounds, seed, with_consistency=False)
        d = us_frame(boot)
        res = fit(d)
        fits[seed] = res
        table[f"seed{seed}_coef"] = res.params
        print(f"seed {seed}: nobs={int(res.nobs)} R2={res.rsquared:.3f} adjR2={res.rsquared_adj:.3f} F={res.fvalue:.1f}")
    seed_cols = [f"seed{s}_coef" for s in args.seeds]
    table["seed_mean"] = table[seed_cols].mean(axis=1)
    table["seed_sd"] = table[seed_cols].std(axis=1, ddof=1)
    table["diff_seedmean_minus_released"] = table["seed_mean"] - table["released_coef"]
    table["diff_point_minus_released"] = table["point_coef"] - table["released_coef"]
    table["z_vs_released_se"] = table["diff_seedmean_minus_released"] / table["released_se"]
    table.to_csv(args.out_dir / "us_bias_comparison.csv", float_format="%.6f")
    first = fits[args.seeds[0]]
    (args.out_dir / f"us_bias_seed{args.seeds[0]}_summary.txt").write_text(first.summary().as_text())

    missing = set(released.index) - set(first.params.index)
    extra = set(first.params.index) - set(released.index)
    print("terms missing vs released:", missing, "extra:", extra)
    bias = table[table.index.str.startswith("us[T.True]:model_name")]
    for name, sub in [("all 80 terms", table), ("36 beta_BiasUS terms", bias)]:
        dd = sub["diff_seedmean_minus_released"].abs()
        print(
            f"{name}: |seed-mean - released| max={dd.max():.4f} mean={dd.mean():.4f}; "
            f"|point - released| max={sub['diff_point_minus_released'].abs().max():.4f}; "
            f"seed sd median={sub['seed_sd'].median():.4f}; |z| max={sub['z_vs_released_se'].abs().max():.2f}"
        )
    # sign agreement for the bias terms
    agree = (np.sign(bias["seed_mean"]) == np.sign(bias["released_coef"])).mean()
    sig_rel = bias["released_coef"].abs() / bias["released_se"] > 1.96
    print(f"sign agreement of beta_BiasUS: {agree:.2%}; among released-significant: "
          f"{(np.sign(bias['seed_mean'][sig_rel]) == np.sign(bias['released_coef'][sig_rel])).mean():.2%}")


if __name__ == "__main__":
    main()
