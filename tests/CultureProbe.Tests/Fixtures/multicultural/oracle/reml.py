"""Independent REML fit of a linear model with one random intercept per group.

y = X beta + b_group + e,  b ~ N(0, s2 * gamma),  e ~ N(0, s2).
For a given gamma the GLS estimate and the profiled REML log-likelihood are closed-form, so the
fit is a 1-D search over log(gamma).  Used to pin the optimum precisely (statsmodels' optimiser
stops at ~1e-4 on these nearly flat likelihoods) and to cross-check statsmodels.

The optimum is the root of the analytic REML score d llf / d log(gamma), not the minimum of the
log-likelihood itself: near the optimum llf varies by less than its rounding noise (~1e-10 for
|llf| ~ 1e3) over a relative change of ~1e-5 in gamma, so a search on function values (our first
version: grid + bounded Brent) located gamma only to ~1e-5; the score is smooth and changes sign
cleanly, which pins gamma to ~1e-12.

The log-likelihood returned uses the same constant as statsmodels' MixedLM (REML):
  llf = -0.5 * [ (n-p) * log(2*pi*s2_hat) + (n-p) + sum_g log(1 + gamma*n_g) + log det(X' V0^-1 X) ]
where V0 = I + gamma * Z Z' and s2_hat = r' V0^-1 r / (n-p).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq, minimize_scalar


@dataclass
class RemlFit:
    beta: np.ndarray
    se: np.ndarray
    gamma: float
    scale: float
    group_var: float
    llf: float
    names: list[str]


def _pieces(X: np.ndarray, y: np.ndarray, groups: np.ndarray, gamma: float):
    labels, g_idx, n_g = np.unique(groups, return_inverse=True, return_counts=True)
    c = gamma / (1.0 + gamma * n_g)  # V0_g^-1 = I - c_g 1 1'
    Xs = np.zeros((len(labels), X.shape[1]))
    np.add.at(Xs, g_idx, X)
    ys = np.bincount(g_idx, weights=y)
    XtVX = X.T @ X - (Xs * c[:, None]).T @ Xs
    XtVy = X.T @ y - (Xs * c[:, None]).T @ ys
    beta = np.linalg.solve(XtVX, XtVy)
    r = y - X @ beta
    rs = np.bincount(g_idx, weights=r)
    rVr = r @ r - (c * rs * rs).sum()
    logdetV = np.log1p(gamma * n_g).sum()
    return beta, XtVX, rVr, logdetV


def reml_loglik(X, y, groups, gamma: float) -> float:
    n, p = X.shape
    _, XtVX, rVr, logdetV = _pieces(X, y, groups, gamma)
    s2 = rVr / (n - p)
    sign, logdetXVX = np.linalg.slogdet(XtVX)
    return -0.5 * ((n - p) * np.log(2 * np.pi * s2) + (n - p) + logdetV + logdetXVX)


def reml_score_log_gamma(X, y, groups, gamma: float) -> float:
    """d llf / d log(gamma).  With V0_g^-1 = I - c_g 1 1', c_g = gamma / (1 + gamma n_g):
    d(r' V0^-1 r)/d gamma = -sum_g (sum_g r / (1 + gamma n_g))^2 (beta at its GLS optimum),
    d(X' V0^-1 X)/d gamma = -sum_g s_g s_g' / (1 + gamma n_g)^2 (s_g = column sums of X_g),
    d sum_g log(1 + gamma n_g)/d gamma = sum_g n_g / (1 + gamma n_g)."""
    n, p = X.shape
    labels, g_idx, n_g = np.unique(groups, return_inverse=True, return_counts=True)
    beta, XtVX, rVr, _ = _pieces(X, y, groups, gamma)
    rs = np.bincount(g_idx, weights=y - X @ beta)
    d_rvr = -((rs / (1.0 + gamma * n_g)) ** 2).sum()
    S = _group_sums(X, g_idx, len(labels)) / (1.0 + gamma * n_g)[:, None]
    d_logdet = np.trace(np.linalg.solve(XtVX, -(S.T @ S)))
    d = (n - p) * d_rvr / rVr + (n_g / (1.0 + gamma * n_g)).sum() + d_logdet
    return -0.5 * d * gamma


def _group_sums(X, g_idx, m):
    Xs = np.zeros((m, X.shape[1]))
    np.add.at(Xs, g_idx, X)
    return Xs


def fit_random_intercept(X: np.ndarray, y: np.ndarray, groups: np.ndarray, names: list[str]) -> RemlFit:
    n, p = X.shape
    obj = lambda lg: -reml_loglik(X, y, groups, float(np.exp(lg)))  # noqa: E731
    # coarse grid, then a bounded Brent search around the best grid point, then the score's root
    grid = np.linspace(-20, 12, 161)
    vals = np.array([obj(g) for g in grid])
    k = int(np.argmin(vals))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    res = minimize_scalar(obj, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    gamma = float(np.exp(res.x))
    score = lambda lg: reml_score_log_gamma(X, y, groups, float(np.exp(lg)))  # noqa: E731
    if score(lo) > 0 > score(hi):  # an interior optimum: refine on the score's root
        gamma = float(np.exp(brentq(score, lo, hi, xtol=1e-14, rtol=1e-15)))
    beta, XtVX, rVr, _ = _pieces(X, y, groups, gamma)
    s2 = rVr / (n - p)
    cov = s2 * np.linalg.inv(XtVX)
    return RemlFit(beta, np.sqrt(np.diag(cov)), gamma, s2, gamma * s2, float(reml_loglik(X, y, groups, gamma)), names)


def fit_formula(formula: str, data: pd.DataFrame, group_col: str) -> RemlFit:
    from patsy import dmatrices

    y, X = dmatrices(formula, data, return_type="dataframe")
    return fit_random_intercept(X.to_numpy(), y.to_numpy().ravel(), data[group_col].to_numpy(), list(X.columns))
