#!/usr/bin/env python3
"""Oracle values for the significance statistics of CultureProbe.Analysis (issue 11).

Computed once with Debian's scipy / statsmodels / numpy and checked in:

    apt-get install -y python3-scipy python3-numpy python3-statsmodels
    /usr/bin/python3 make_fixtures.py

Every input is drawn from one seeded numpy generator, so the files come out byte for byte the
same with the library versions recorded in each file's "meta". Doubles are written with
Python's shortest round-trip repr, so the C# tests read exactly the doubles scipy saw.

What comes from where:
- permutation p-values (scipy needs two or more observations per sample): scipy.stats.permutation_test, permutation_type='samples' (paired; the
  statistic mean(x - y), so a swap within a pair flips the sign of that pair's difference) and
  'independent' (the statistic mean(x) - mean(y)), alternative='two-sided'. "exact" cases have a
  budget at least the number of distinct arrangements, so scipy enumerates them. "randomised"
  cases have more arrangements than the budget: their reference is scipy's exact p (budget
  np.inf), and scipy's own randomised p with the budget is stored beside it.
- Holm: statsmodels.stats.multitest.multipletests(method='holm', alpha=0.05).
- Hedges' g: statsmodels.stats.meta_analysis.effectsize_smd (J = 1 - 3 / (4 (n1 + n2) - 9));
  Cohen's d and d_z: numpy, with ddof=1 standard deviations.
- percentile bootstrap intervals: scipy.stats.bootstrap(method='percentile'), paired=True for
  the paired mean difference, paired=False for the difference of two group means.
"""
import json
from math import comb

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.meta_analysis import effectsize_smd
from statsmodels.stats.multitest import multipletests

SEED = 20261124
rng = np.random.default_rng(SEED)
meta = {"generator": "make_fixtures.py", "scipy": scipy.__version__, "numpy": np.__version__,
        "statsmodels": statsmodels.__version__, "seed": SEED}


def dump(name, cases):
    # One case per line keeps diffs readable.
    with open(name, "w") as f:
        f.write('{"meta": ' + json.dumps(meta) + ',\n "cases": [\n')
        f.write(",\n".join("  " + json.dumps(c) for c in cases))
        f.write("\n]}\n")


def paired_stat(x, y, axis):
    return np.mean(x - y, axis=axis)


def independent_stat(x, y, axis):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def permutation(data, kind, budget, seed=None):
    statistic = paired_stat if kind == "samples" else independent_stat
    res = stats.permutation_test(data, statistic, permutation_type=kind, vectorized=True,
                                 n_resamples=budget, alternative="two-sided",
                                 random_state=None if seed is None else np.random.default_rng(seed))
    return float(res.statistic), float(res.pvalue)


def r_like(n, shift=0.0, noise=0.05):
    """Per-country correlations of two models: a shared country effect plus model noise."""
    base = rng.uniform(0.1, 0.8, size=n)
    return base + rng.normal(scale=noise, size=n), base + shift + rng.normal(scale=noise, size=n)


# --- paired (sign-flip) permutation test ---
paired = []
for n in list(range(2, 14)) + [6, 9, 12, 13]:
    a, b = r_like(n, shift=rng.choice([0.0, 0.02, 0.05]))
    paired.append({"regime": "exact", "a": a.tolist(), "b": b.tolist(), "resamples": 9999})
# differences on a grid of eighths (exact in binary): many arrangements tie the observed value
for n in [4, 7, 10, 12]:
    b = rng.uniform(0, 1, size=n)
    a = b + rng.integers(-2, 4, size=n) / 8.0
    paired.append({"regime": "exact", "a": a.tolist(), "b": b.tolist(), "resamples": 9999})
# every difference zero: every arrangement equals the observed value
z = rng.uniform(0, 1, size=6)
paired.append({"regime": "exact", "a": z.tolist(), "b": z.tolist(), "resamples": 9999})
# the budget boundary: 2^10 = 1024 resamples are enough to enumerate
a, b = r_like(10, shift=0.03)
paired.append({"regime": "exact", "a": a.tolist(), "b": b.tolist(), "resamples": 1024})
for case in paired:
    case["statistic"], case["p"] = permutation((np.array(case["a"]), np.array(case["b"])), "samples", case["resamples"])
for n, shift in [(14, 0.0), (15, 0.02), (16, 0.03), (16, 0.06), (17, 0.01), (18, 0.04), (18, 0.1)]:
    a, b = r_like(n, shift=-shift)
    data = (a, b)
    statistic, p_exact = permutation(data, "samples", np.inf)
    _, p_scipy = permutation(data, "samples", 9999, seed=int(rng.integers(1 << 31)))
    paired.append({"regime": "randomised", "a": a.tolist(), "b": b.tolist(), "resamples": 9999,
                   "statistic": statistic, "p": p_exact, "p_scipy_randomised": p_scipy})
dump("permutation_paired.json", paired)

# --- independent-groups permutation test ---
independent = []
for na, nb in [(2, 2), (2, 5), (3, 3), (3, 4), (4, 6), (5, 9), (6, 8), (7, 8), (2, 11)]:
    x = rng.uniform(0.1, 0.8, size=na) + rng.choice([0.0, 0.1])
    y = rng.uniform(0.1, 0.8, size=nb)
    independent.append({"regime": "exact", "a": x.tolist(), "b": y.tolist(), "resamples": 9999})
# values on a grid of quarters: many splits tie the observed value
for na, nb in [(4, 5), (6, 7)]:
    x = rng.integers(0, 5, size=na) / 4.0
    y = rng.integers(0, 4, size=nb) / 4.0
    independent.append({"regime": "exact", "a": x.tolist(), "b": y.tolist(), "resamples": 9999})
# the budget boundary: C(10, 4) = 210
x, y = rng.uniform(0.3, 0.8, size=4), rng.uniform(0.1, 0.6, size=6)
independent.append({"regime": "exact", "a": x.tolist(), "b": y.tolist(), "resamples": 210})
for case in independent:
    assert comb(len(case["a"]) + len(case["b"]), len(case["a"])) <= case["resamples"]
    case["statistic"], case["p"] = permutation((np.array(case["a"]), np.array(case["b"])), "independent", case["resamples"])
for na, nb, shift in [(8, 10, 0.0), (8, 10, 0.12), (9, 11, 0.06), (6, 14, 0.2), (7, 12, 0.1)]:
    x = rng.uniform(0.1, 0.7, size=na) + shift
    y = rng.uniform(0.1, 0.7, size=nb)
    statistic, p_exact = permutation((x, y), "independent", np.inf)
    _, p_scipy = permutation((x, y), "independent", 9999, seed=int(rng.integers(1 << 31)))
    independent.append({"regime": "randomised", "a": x.tolist(), "b": y.tolist(), "resamples": 9999,
                        "statistic": statistic, "p": p_exact, "p_scipy_randomised": p_scipy})
dump("permutation_independent.json", independent)

# --- Holm ---
holm = []
for m in [1, 2, 3, 5, 8, 13, 20, 40]:
    for variant in range(3):
        p = rng.uniform(0, 0.2, size=m) if variant == 0 else rng.beta(0.3, 1.0, size=m)
        if variant == 2:
            # ties, exact zeros and ones, and values that the factor pushes past 1
            p = np.round(p, 2)
            p[rng.random(m) < 0.2] = 0.0
            p[rng.random(m) < 0.1] = 1.0
        reject, adjusted, _, _ = multipletests(p, alpha=0.05, method="holm")
        holm.append({"p": p.tolist(), "adjusted": adjusted.tolist(), "reject": reject.tolist()})
p = np.array([0.01, 0.04, 0.03, 0.005])  # by hand: 0.03, 0.06, 0.06, 0.02 (see MultipleTestingTests)
reject, adjusted, _, _ = multipletests(p, alpha=0.05, method="holm")
holm.append({"p": p.tolist(), "adjusted": adjusted.tolist(), "reject": reject.tolist()})
dump("holm.json", holm)

# --- effect sizes ---
effects = []
for na, nb in [(2, 2), (3, 5), (5, 5), (10, 14), (20, 35), (40, 12)]:
    x = rng.normal(0.5, 0.15, size=na)
    y = rng.normal(0.4, 0.2, size=nb)
    g, _ = effectsize_smd(x.mean(), x.std(ddof=1), na, y.mean(), y.std(ddof=1), nb)
    pooled = np.sqrt(((na - 1) * x.var(ddof=1) + (nb - 1) * y.var(ddof=1)) / (na + nb - 2))
    effects.append({"a": x.tolist(), "b": y.tolist(), "cohen_d": float((x.mean() - y.mean()) / pooled),
                    "hedges_g": float(g)})
paired_effects = []
for n in [2, 3, 8, 25, 55]:
    a, b = r_like(n, shift=-0.03)
    d = a - b
    paired_effects.append({"a": a.tolist(), "b": b.tolist(), "dz": float(d.mean() / d.std(ddof=1))})
dump("effect_sizes.json", [{"independent": effects, "paired": paired_effects}])

# --- percentile bootstrap intervals ---
BOOT = 100_000
boot = []
for n, shift in [(12, 0.02), (30, 0.03), (55, 0.0)]:
    a, b = r_like(n, shift=-shift, noise=0.06)
    res = stats.bootstrap((a, b), paired_stat, paired=True, vectorized=True, method="percentile",
                          n_resamples=BOOT, confidence_level=0.95, random_state=np.random.default_rng(int(rng.integers(1 << 31))))
    boot.append({"kind": "paired", "a": a.tolist(), "b": b.tolist(), "resamples": BOOT,
                 "low": float(res.confidence_interval.low), "high": float(res.confidence_interval.high),
                 "standard_error": float(res.standard_error)})
for na, nb, shift in [(8, 12, 0.05), (20, 35, 0.08)]:
    x = rng.uniform(0.1, 0.7, size=na) + shift
    y = rng.uniform(0.1, 0.7, size=nb)
    res = stats.bootstrap((x, y), independent_stat, paired=False, vectorized=True, method="percentile",
                          n_resamples=BOOT, confidence_level=0.95, random_state=np.random.default_rng(int(rng.integers(1 << 31))))
    boot.append({"kind": "independent", "a": x.tolist(), "b": y.tolist(), "resamples": BOOT,
                 "low": float(res.confidence_interval.low), "high": float(res.confidence_interval.high),
                 "standard_error": float(res.standard_error)})
dump("bootstrap.json", boot)
