"""RQ1: does multilingual capability predict cultural alignment?  Linear mixed model, REML.

Data: language-level bootstrap rounds (bootstrap.py, kind=language) with the per-round
consistency.  Keep rows where the population's language == response language ("native"), drop
Baseline_fifty_percent, rename languages to names, inner-join the capability table
(mean benchmark score / 100 per model x language; the uniform baseline has none and drops out).
-> rounds x 9 models x 4 languages rows.

Formulas (random intercept per model_name, statsmodels MixedLM, REML):
  interaction   : alignment ~ 0 + consistency:language + multilingual:family:language   (released table)
  normal        : alignment ~ 0 + consistency + multilingual:family:language
  no_consistency: alignment ~ 0 + multilingual:family:language

usage: rq1.py [--seeds 1 2 3 4 5] [--rounds 100] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from bootstrap import bootstrap_rounds
from common import FAMILY_OF, HERE, LANGUAGE_NAMES, SRC, capability_table, load_responses

FORMULAS = {
    "interaction": "alignment ~ 0 + consistency:language + multilingual:family:language",
    "normal": "alignment ~ 0 + consistency + multilingual:family:language",
    "no_consistency": "alignment ~ 0 + multilingual:family:language",
}
RELEASED = SRC / "supplementary" / "regressions" / "multilingual_regression_results_interaction.txt"


def parse_mixedlm_table(path: Path) -> pd.DataFrame:
    rows = []
    pat = re.compile(r"^(\S+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*$")
    for line in path.read_text().splitlines():
        m = pat.match(line)
        if m:
            rows.append([m.group(1)] + [float(m.group(i)) for i in range(2, 8)])
    return pd.DataFrame(rows, columns=["term", "coef", "se", "z", "p", "lo", "hi"])


def rq1_frame(boot: pd.DataFrame, cap: pd.DataFrame | None = None) -> pd.DataFrame:
    cap = capability_table() if cap is None else cap
    d = boot.rename(columns={"response_language": "language", "metric_value": "alignment"}).copy()
    d = d[(d["gt_group"] == d["language"]) & (d["model_name"] != "Baseline_fifty_percent")]
    d["language"] = d["language"].map(LANGUAGE_NAMES)
    d["family"] = d["model_name"].map(FAMILY_OF)
    d = d.merge(cap, on=["model_name", "language"], how="inner")
    return d.sort_values(["model_name", "language", "round"]).reset_index(drop=True)


def fit_mixed(d: pd.DataFrame, formula: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return smf.mixedlm(formula, data=d, groups="model_name").fit(reml=True)


def r_squared(res) -> dict:
    """Authors' version (variance of fitted values, which include the predicted random intercepts)
    and the Nakagawa-Schielzeth marginal/conditional R^2 (variance of X beta only)."""
    var_re = float(res.cov_re.iloc[0, 0])
    var_e = float(res.scale)
    var_fit = float(np.var(res.fittedvalues))
    xb = res.model.exog @ res.fe_params.to_numpy()
    var_xb = float(np.var(xb))
    tot_a = var_fit + var_re + var_e
    tot_n = var_xb + var_re + var_e
    return {
        "authors_marginal": var_fit / tot_a,
        "authors_conditional": (var_fit + var_re) / tot_a,
        "nakagawa_marginal": var_xb / tot_n,
        "nakagawa_conditional": (var_xb + var_re) / tot_n,
        "group_var": var_re,
        "scale": var_e,
        "llf": float(res.llf),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--out-dir", type=Path, default=HERE)
    args = ap.parse_args()

    responses = load_responses()
    cap = capability_table()
    released = parse_mixedlm_table(RELEASED).set_index("term")
    coef_rows, fit_rows = [], []
    for seed in args.seeds:
        boot = bootstrap_rounds(responses, "language", args.rounds, seed)
        d = rq1_frame(boot, cap)
        assert len(d) == args.rounds * 36, len(d)
        for name, formula in FORMULAS.items():
            res = fit_mixed(d, formula)
            for term in res.params.index:
                coef_rows.append((seed, name, term, res.params[term], res.bse[term], res.pvalues[term]))
            fit_rows.append({"seed": seed, "formula": name, "nobs": int(res.nobs), "converged": bool(res.converged), **r_squared(res)})
    coefs = pd.DataFrame(coef_rows, columns=["seed", "formula", "term", "coef", "se", "p"])
    fits = pd.DataFrame(fit_rows)
    coefs.to_csv(args.out_dir / "rq1_coefficients_by_seed.csv", index=False, float_format="%.6f")
    fits.to_csv(args.out_dir / "rq1_fit_by_seed.csv", index=False, float_format="%.6f")

    summ = coefs.groupby(["formula", "term"]).agg(
        mean=("coef", "mean"), sd=("coef", "std"), min=("coef", "min"), max=("coef", "max"), se_mean=("se", "mean"), p_max=("p", "max")
    )
    inter = summ.loc["interaction"].copy()
    inter["released"] = released["coef"]
    inter["released_se"] = released["se"]
    inter["diff"] = inter["mean"] - inter["released"]
    summ.to_csv(args.out_dir / "rq1_coefficients_summary.csv", float_format="%.4f")
    inter.to_csv(args.out_dir / "rq1_interaction_vs_released.csv", float_format="%.4f")
    pd.set_option("display.width", 250)
    print(inter.round(3).to_string())
    print(fits.groupby("formula").agg(["mean", "std"]).round(4).T.to_string())


if __name__ == "__main__":
    main()
