"""Shared helpers for the CultureProbe oracle of the "Multilingual != Multicultural" analysis.

Written from the definitions in ../SPEC.md (not copied from the authors' code).
Only numpy, pandas, scipy and statsmodels are used.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
# Released data of the authors' repository (commit f550348), cloned read-only; set MM_SRC to the clone.
SRC = Path(os.environ.get("MM_SRC", HERE.parent / "src-copy"))
OUT_DIR = SRC / "output"

LANGUAGES = ["da", "en", "nl", "pt"]
LANGUAGE_NAMES = {"da": "Danish", "en": "English", "nl": "Dutch", "pt": "Portuguese"}
JUDGE_ERROR = 0.045  # share of judge labels that disagree with humans; consistency is divided by 1 - this

FAMILY_OF = {
    "Baseline_uniform_random": "Baseline",
    "Baseline_fifty_percent": "Baseline",
    "gpt-3.5-turbo-0125": "openai",
    "gpt-4-turbo-2024-04-09": "openai",
    "gpt-4o": "openai",
    "gemma-2-2b-it": "gemma",
    "gemma-2-9b-it": "gemma",
    "gemma-2-27b-it": "gemma",
    "OLMo-2-1124-7B-Instruct": "olmo",
    "OLMo-2-1124-13B-Instruct": "olmo",
    "OLMo-2-0325-32B-Instruct": "olmo",
}

# Display names used in output/multilingual_benchmarks.csv -> model ids of the response files.
BENCH_NAME_TO_MODEL = {
    "GPT-3.5 Turbo": "gpt-3.5-turbo-0125",
    "GPT-4 Turbo": "gpt-4-turbo-2024-04-09",
    "gpt-4-turbo": "gpt-4-turbo-2024-04-09",
    "GPT-4o": "gpt-4o",
    "gpt-4o": "gpt-4o",
    "Gemma-2 2B": "gemma-2-2b-it",
    "Gemma-2 9B": "gemma-2-9b-it",
    "Gemma-2 27B": "gemma-2-27b-it",
    "OLMo-2 7B": "OLMo-2-1124-7B-Instruct",
    "OLMo-2 13B": "OLMo-2-1124-13B-Instruct",
    "OLMo-2 32B": "OLMo-2-0325-32B-Instruct",
}


# --------------------------------------------------------------------------- loading

def load_responses(path: Path | None = None) -> pd.DataFrame:
    """One row per judged model response (already filtered by the authors)."""
    path = path or OUT_DIR / "latest_results_with_baseline.csv"
    df = pd.read_csv(path)
    df["question_key"] = df["question_key"].str.lower()
    return df


def load_population_shares(kind: str, directory: Path | None = None) -> pd.DataFrame:
    """Population pro-shares as (population, question_key, pro_score).

    kind: "language" (ground_truth_per_language.csv, population = lnge_iso),
          "country"  (ground_truth_every_country.csv, population = cntry_an),
          "global"   (ground_truth_global.csv, population = "global").
    Question keys are lower-cased so that they match the response files.
    """
    directory = directory or OUT_DIR
    if kind == "language":
        gt = pd.read_csv(directory / "ground_truth_per_language.csv").rename(columns={"lnge_iso": "population"})
    elif kind == "country":
        gt = pd.read_csv(directory / "ground_truth_every_country.csv").rename(columns={"cntry_an": "population"})
    elif kind == "global":
        gt = pd.read_csv(directory / "ground_truth_global.csv").assign(population="global")
    else:
        raise ValueError(kind)
    gt["question_key"] = gt["question_key"].str.lower()
    return gt


def country_language(directory: Path | None = None) -> dict[str, str]:
    """Country code -> the interview language assigned to it (lnge_iso column)."""
    gt = pd.read_csv((directory or OUT_DIR) / "ground_truth_every_country.csv")
    pairs = gt[["cntry_an", "lnge_iso"]].drop_duplicates()
    assert pairs["cntry_an"].is_unique
    return dict(zip(pairs["cntry_an"], pairs["lnge_iso"]))


def join_with_population(responses: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Every response paired with every population that has a share for its topic (inner join on topic)."""
    merged = responses.merge(
        shares[["population", "question_key", "pro_score"]], on="question_key", how="inner"
    )
    return merged


def capability_table(directory: Path | None = None) -> pd.DataFrame:
    """Mean benchmark score per (model_name, language-name) divided by 100."""
    bench = pd.read_csv((directory or OUT_DIR) / "multilingual_benchmarks.csv")
    bench = bench[~bench["benchmark"].str.contains("ENEM")].dropna()
    bench["model_name"] = bench["model"].map(lambda m: BENCH_NAME_TO_MODEL.get(m, m))
    cap = bench.groupby(["model_name", "language"], as_index=False)["score"].mean()
    cap["multilingual"] = cap["score"] / 100.0
    return cap[["model_name", "language", "multilingual"]]


# --------------------------------------------------------------------------- statistics

def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties get the mean of the ranks they span."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="mergesort")
    sorted_vals = values[order]
    n = len(values)
    ranks_sorted = np.empty(n, dtype=float)
    start = 0
    while start < n:
        stop = start + 1
        while stop < n and sorted_vals[stop] == sorted_vals[start]:
            stop += 1
        ranks_sorted[start:stop] = (start + 1 + stop) / 2.0
        start = stop
    ranks = np.empty(n, dtype=float)
    ranks[order] = ranks_sorted
    return ranks


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 2:
        return float("nan")
    dx = x - x.mean()
    dy = y - y.mean()
    den = np.sqrt((dx * dx).sum() * (dy * dy).sum())
    if den == 0:
        return float("nan")
    return float((dx * dy).sum() / den)


def spearman(x, y) -> float:
    """Spearman's rho = Pearson correlation of average ranks; NaN when either side is constant."""
    return pearson(average_ranks(x), average_ranks(y))


def grouped_spearman(df: pd.DataFrame, keys: list[str], x: str, y: str) -> pd.DataFrame:
    """Spearman per group, vectorised (ranks within group, then Pearson from sums)."""
    g = df.groupby(keys, sort=True)
    rx = g[x].rank(method="average")
    ry = g[y].rank(method="average")
    tmp = df[keys].copy()
    tmp["rx"] = rx.to_numpy()
    tmp["ry"] = ry.to_numpy()
    tmp["rxx"] = tmp["rx"] ** 2
    tmp["ryy"] = tmp["ry"] ** 2
    tmp["rxy"] = tmp["rx"] * tmp["ry"]
    s = tmp.groupby(keys, sort=True).agg(
        n=("rx", "size"), sx=("rx", "sum"), sy=("ry", "sum"), sxx=("rxx", "sum"), syy=("ryy", "sum"), sxy=("rxy", "sum")
    )
    n = s["n"].astype(float)
    cov = s["sxy"] - s["sx"] * s["sy"] / n
    vx = s["sxx"] - s["sx"] ** 2 / n
    vy = s["syy"] - s["sy"] ** 2 / n
    den = np.sqrt((vx * vy).clip(lower=0)).to_numpy()
    rho = np.full(len(s), np.nan)
    ok = den > 1e-9 * n.to_numpy() ** 3  # a constant side (all ranks equal) gives NaN, like scipy / polars
    rho[ok] = cov.to_numpy()[ok] / den[ok]
    out = s[["n"]].copy()
    out["spearman"] = rho
    return out.reset_index()


def pair_consistency_bruteforce(values: np.ndarray, topics: np.ndarray) -> float:
    """Spearman over all ordered pairs (i, j), i != j, of rows with the same topic (explicit pair list)."""
    xs, ys = [], []
    for t in np.unique(topics):
        idx = np.flatnonzero(topics == t)
        for i in idx:
            for j in idx:
                if i != j:
                    xs.append(values[i])
                    ys.append(values[j])
    if not xs:
        return float("nan")
    return spearman(np.array(xs), np.array(ys))


def pair_consistency(values: np.ndarray, topics: np.ndarray) -> float:
    """Same number as pair_consistency_bruteforce, in O(n log n).

    Row i occurs (n_t - 1) times on each side of the pair list (n_t = rows of its topic).
    Its average rank in that weighted multiset is the same on both sides, so
    rho = [sum_pairs R_i R_j / N - m^2] / [sum_i w_i R_i^2 / N - m^2], m = (N + 1) / 2.
    """
    values = np.asarray(values, dtype=float)
    topics = np.asarray(topics)
    _, t_idx, t_count = np.unique(topics, return_inverse=True, return_counts=True)
    w = (t_count[t_idx] - 1).astype(float)  # appearances of each row on one side
    N = w.sum()
    if N < 2:
        return float("nan")
    uniq, v_idx = np.unique(values, return_inverse=True)
    w_per_value = np.bincount(v_idx, weights=w, minlength=len(uniq))
    before = np.concatenate([[0.0], np.cumsum(w_per_value)[:-1]])
    rank_of_value = before + (w_per_value + 1.0) / 2.0
    R = rank_of_value[v_idx]
    m = (N + 1.0) / 2.0
    sum_R_topic = np.bincount(t_idx, weights=R)
    sum_R2_topic = np.bincount(t_idx, weights=R * R)
    cross = (sum_R_topic**2 - sum_R2_topic).sum()
    second = (w * R * R).sum()
    var = second / N - m * m
    if var <= 0:
        return float("nan")
    return float((cross / N - m * m) / var)
