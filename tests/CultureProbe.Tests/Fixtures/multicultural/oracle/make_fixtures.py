"""Build the fixtures (the folder above this one): small extracts of the released data + expected
outputs computed by this oracle.

usage: MM_SRC=/path/to/multicultural-alignment make_fixtures.py [--out DIR]
Deterministic: every random draw uses numpy.random.default_rng with the seeds named below.
"""

from __future__ import annotations

import argparse
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from bootstrap import bootstrap_rounds, consistency_of
from common import (
    HERE,
    JUDGE_ERROR,
    OUT_DIR,
    capability_table,
    grouped_spearman,
    join_with_population,
    load_population_shares,
    load_responses,
    pair_consistency,
    pair_consistency_bruteforce,
)
from consistency import consistency_table
from rq1 import FORMULAS, fit_mixed, r_squared, rq1_frame
from us_bias import FORMULA as US_FORMULA
from us_bias import us_frame
from reml import fit_formula

MODELS = ["gpt-4o", "gemma-2-2b-it", "Baseline_uniform_random"]
LANGS = ["da", "en"]
BENCH_MODELS = ["GPT-4o", "gpt-4o", "Gemma-2 2B"]
SEED_US = 20250825  # country-level bootstrap rounds on the extract
SEED_SAMPLE = 7  # the single drawn sample example
SEED_RQ1 = 2025  # language-level bootstrap rounds on the full data for the RQ1 frame
US_ROUNDS = 5
RQ1_ROUNDS = 20
SIG = 10  # significant digits kept in the written bootstrap inputs (the expected fits use exactly what is written)


def write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)  # pandas writes float64 with a round-trip repr


def ols_table(res) -> pd.DataFrame:
    ci = res.conf_int()
    return pd.DataFrame(
        {
            "term": res.params.index,
            "coef": res.params.values,
            "std_err": res.bse.values,
            "t": res.tvalues.values,
            "p": res.pvalues.values,
            "ci_low": ci[0].values,
            "ci_high": ci[1].values,
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=HERE.parent)
    args = ap.parse_args()
    out: Path = args.out
    if out.exists():
        for p in out.iterdir():
            if p.name not in ("README.md", "oracle"):  # keep this README and the oracle's own scripts
                shutil.rmtree(p) if p.is_dir() else p.unlink()
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OUT_DIR.parent / "LICENSE", out / "LICENSE-multicultural-alignment.txt")

    # ------------------------------------------------------------------ extracts (released column names)
    raw = pd.read_csv(OUT_DIR / "latest_results_with_baseline.csv")
    resp_x = raw[raw["model_name"].isin(MODELS) & raw["language"].isin(LANGS)].reset_index(drop=True)
    write(resp_x, out / "responses.csv")
    keys = set(resp_x["question_key"].str.lower())

    gl = pd.read_csv(OUT_DIR / "ground_truth_per_language.csv")
    gl_x = gl[gl["question_key"].str.lower().isin(keys)].reset_index(drop=True)
    write(gl_x, out / "ground_truth_per_language.csv")

    gc = pd.read_csv(OUT_DIR / "ground_truth_every_country.csv")
    gc_x = gc[gc["question_key"].str.lower().isin(keys) & gc["lnge_iso"].isin(LANGS)].reset_index(drop=True)
    write(gc_x, out / "ground_truth_every_country.csv")

    gg = pd.read_csv(OUT_DIR / "ground_truth_global.csv")
    gg_x = gg[gg["question_key"].str.lower().isin(keys)].reset_index(drop=True)
    write(gg_x, out / "ground_truth_global.csv")

    bench = pd.read_csv(OUT_DIR / "multilingual_benchmarks.csv")
    bench_x = bench[bench["model"].isin(BENCH_MODELS)].reset_index(drop=True)
    write(bench_x, out / "multilingual_benchmarks.csv")

    # ------------------------------------------------------------------ expected, bootstrap-independent
    exp = out / "expected"
    resp = load_responses(out / "responses.csv")
    rows = []
    for kind in ("language", "country", "global"):
        joined = join_with_population(resp, load_population_shares(kind, out))
        a = grouped_spearman(joined, ["model_name", "population", "response_language"], "response_pro_score", "pro_score")
        a = a.rename(columns={"model_name": "model"})
        a["population_kind"] = kind
        rows.append(a[["model", "population", "population_kind", "response_language", "spearman", "n"]])
    align = pd.concat(rows, ignore_index=True)
    write(align, exp / "alignment_point.csv")

    cons = consistency_table(resp)
    write(cons, exp / "consistency_point.csv")
    # cross-check the O(n) pair formula against the explicit pair list on every group
    for (m, lang), g in resp.groupby(["model_name", "language"]):
        v, t = g["response_pro_score"].to_numpy(), g["question_key"].to_numpy()
        assert abs(pair_consistency(v, t) - pair_consistency_bruteforce(v, t)) < 1e-12, (m, lang)

    cap = capability_table(out)
    write(cap, exp / "capability.csv")

    # US-bias OLS on point alignment of the extract (deterministic)
    country_point = align[align["population_kind"] == "country"].rename(
        columns={"model": "model_name", "population": "gt_group", "spearman": "metric_value"}
    )
    us_pt = us_frame(country_point, out)[["model_name", "gt_group", "language", "lnge_iso", "native", "us", "metric_value"]]
    us_pt = us_pt.sort_values(["model_name", "language", "gt_group"]).reset_index(drop=True)
    write(us_pt, exp / "us_bias_point_frame.csv")
    write(ols_table(smf.ols(US_FORMULA, data=us_pt).fit()), exp / "us_bias_point_ols.csv")

    # ------------------------------------------------------------------ fixed bootstrap rounds (inputs) + expected fits
    boot = bootstrap_rounds(resp, "country", US_ROUNDS, SEED_US, gt_dir=out, with_consistency=False)
    us_b = us_frame(boot, out)[["round", "model_name", "gt_group", "language", "lnge_iso", "native", "us", "metric_value"]]
    us_b = us_b.sort_values(["round", "model_name", "language", "gt_group"]).reset_index(drop=True)
    us_b["metric_value"] = us_b["metric_value"].map(lambda v: float(f"{v:.{SIG}g}"))
    write(us_b, out / "bootstrap" / "us_bias_rounds.csv")
    us_b = pd.read_csv(out / "bootstrap" / "us_bias_rounds.csv")
    us_res = smf.ols(US_FORMULA, data=us_b).fit()
    write(ols_table(us_res), exp / "us_bias_rounds_ols.csv")
    write(
        pd.DataFrame([{"nobs": int(us_res.nobs), "r2": us_res.rsquared, "r2_adj": us_res.rsquared_adj, "f": us_res.fvalue,
                       "llf": us_res.llf, "df_resid": us_res.df_resid}]),
        exp / "us_bias_rounds_fit.csv",
    )

    # one explicit drawn sample (language level, one model, one prompt language): shows the
    # population copies and draw duplicates that the released consistency pairs together
    small = resp[(resp["model_name"] == "gemma-2-2b-it") & (resp["language"] == "da")]
    shares = load_population_shares("language", out)
    joined = join_with_population(small, shares[shares["population"].isin(["da", "en"])])
    joined = joined.sort_values(["question_key", "population"], kind="mergesort").reset_index(drop=True)
    rng = np.random.default_rng(SEED_SAMPLE)
    draw = joined.iloc[rng.integers(0, len(joined), size=len(joined))].reset_index(drop=True)
    sample = draw[["model_name", "language", "response_language", "question_key", "response_pro_score", "population", "pro_score"]]
    sample = sample.rename(columns={"population": "gt_group"})
    write(sample, out / "bootstrap" / "sample_example.csv")
    s_align = grouped_spearman(
        draw, ["model_name", "population", "response_language"], "response_pro_score", "pro_score"
    ).rename(columns={"population": "gt_group", "spearman": "metric_value"})
    s_cons = consistency_of(draw)
    s_cons["observed"] = s_cons["consistency"] * (1 - JUDGE_ERROR)
    s_cons["n_pairs"] = int(draw.groupby("question_key").size().map(lambda n: n * (n - 1)).sum())
    write(s_align, exp / "sample_example_alignment.csv")
    write(s_cons, exp / "sample_example_consistency.csv")

    # RQ1 frame from the FULL released data (RQ1_ROUNDS rounds) + MixedLM fits
    full_resp = load_responses()
    b = bootstrap_rounds(full_resp, "language", RQ1_ROUNDS, SEED_RQ1)
    frame = rq1_frame(b, capability_table())
    cells = frame[["model_name", "family", "language", "multilingual"]].drop_duplicates().reset_index(drop=True)
    cells.insert(0, "cell", np.arange(len(cells)))
    rounds = frame.merge(cells[["cell", "model_name", "language"]], on=["model_name", "language"])
    rounds = rounds[["round", "cell", "alignment", "consistency"]].sort_values(["round", "cell"]).reset_index(drop=True)
    for col in ("alignment", "consistency"):
        rounds[col] = rounds[col].map(lambda v: float(f"{v:.{SIG}g}"))
    write(cells, out / "rq1" / "rq1_cells.csv")
    write(rounds, out / "rq1" / "rq1_rounds.csv")
    frame = pd.read_csv(out / "rq1" / "rq1_rounds.csv").merge(pd.read_csv(out / "rq1" / "rq1_cells.csv"), on="cell")
    coef_rows, fit_rows = [], []
    for name, formula in FORMULAS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sm = fit_mixed(frame, formula)
        mine = fit_formula(formula, frame, "model_name")
        assert list(sm.fe_params.index) == mine.names
        assert abs(sm.llf - mine.llf) < 1e-2 and np.abs(sm.fe_params.to_numpy() - mine.beta).max() < 5e-3, name
        for k, term in enumerate(mine.names):
            coef_rows.append({"formula": name, "term": term, "coef": mine.beta[k], "se_gls": mine.se[k],
                              "statsmodels_coef": sm.fe_params[term], "statsmodels_se": sm.bse[term], "statsmodels_p": sm.pvalues[term]})
        # R^2 at the precise optimum: fitted values with predicted random intercepts (authors) and X beta only
        from patsy import dmatrices
        y, X = dmatrices(formula, frame, return_type="dataframe")
        xb = X.to_numpy() @ mine.beta
        resid = y.to_numpy().ravel() - xb
        g = frame["model_name"].to_numpy()
        blup = pd.Series(resid).groupby(g).transform(lambda v: mine.gamma * len(v) / (1 + mine.gamma * len(v)) * v.mean()).to_numpy()
        var_fit, var_xb = float(np.var(xb + blup)), float(np.var(xb))
        tot_a, tot_n = var_fit + mine.group_var + mine.scale, var_xb + mine.group_var + mine.scale
        fit_rows.append({
            "formula": name, "formula_text": formula, "nobs": len(frame), "reml_llf": mine.llf, "group_var": mine.group_var,
            "scale": mine.scale, "gamma": mine.gamma,
            "r2_authors_marginal": var_fit / tot_a, "r2_authors_conditional": (var_fit + mine.group_var) / tot_a,
            "r2_nakagawa_marginal": var_xb / tot_n, "r2_nakagawa_conditional": (var_xb + mine.group_var) / tot_n,
            "statsmodels_llf": sm.llf, "statsmodels_group_var": float(sm.cov_re.iloc[0, 0]), "statsmodels_scale": sm.scale,
        })
    write(pd.DataFrame(coef_rows), exp / "rq1_mixedlm_coefficients.csv")
    write(pd.DataFrame(fit_rows), exp / "rq1_mixedlm_fit.csv")

    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"fixtures written to {out}: {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
