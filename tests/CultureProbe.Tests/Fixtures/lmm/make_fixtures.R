# Oracle fixtures for CultureProbe's linear mixed models (src/CultureProbe/Analysis/MixedModels).
# Run from this folder:  LC_ALL=C Rscript make_fixtures.R
# Needs lme4 and jsonlite (Debian: apt-get install r-cran-lme4). LC_ALL=C makes factor levels
# sort in C-locale (byte) order, which is the order CultureProbe uses.
# Each data set is simulated with a fixed seed, written to CSV, read back with read.csv (so R
# fits exactly the numbers the tests read), fitted with lme4's defaults by REML and by ML,
# and the results written to <name>.json beside the CSV.
suppressMessages(library(lme4))
library(jsonlite)

write_data <- function(d, name) {
  write.csv(d, paste0(name, ".csv"), row.names = FALSE)
  read.csv(paste0(name, ".csv"), stringsAsFactors = TRUE)
}

# lme4's default optimiser (nloptwrap BOBYQA) sometimes stops short on boundary fits, by up to a
# few 1e-2 in the criterion (it can stick to a diagonal bound of theta); the oracle is the best
# of the default fit, two tightly converged optimisers, and the tight BOBYQA restarted from 8
# seeded random starting points. The JSON records which one won and the default's criterion.
tight <- list(
  bobyqa = lmerControl(optimizer = "nloptwrap", optCtrl = list(algorithm = "NLOPT_LN_BOBYQA", xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 0, ftol_rel = 0, maxeval = 1e5)),
  nelder_mead = lmerControl(optimizer = "Nelder_Mead", optCtrl = list(FtolAbs = 1e-14, FtolRel = 1e-15, XtolRel = 1e-12, maxfun = 1e5)))

crit <- function(m) if (isREML(m)) unname(getME(m, "devcomp")$cmp["REML"]) else unname(deviance(m))

fit_json <- function(formula, data, reml) {
  m <- lmer(as.formula(formula), data = data, REML = reml)
  default_criterion <- crit(m)
  optimizer <- "default"
  for (name in names(tight)) {
    other <- suppressMessages(suppressWarnings(lmer(as.formula(formula), data = data, REML = reml, control = tight[[name]])))
    if (crit(other) < crit(m) - 1e-9) {
      m <- other
      optimizer <- name
    }
  }
  lower <- getME(m, "lower")
  rng <- .Random.seed
  set.seed(1)
  for (r in 1:8) {
    start <- ifelse(lower == 0, runif(length(lower), 0.1, 2), runif(length(lower), -0.5, 0.5))
    other <- suppressMessages(suppressWarnings(lmer(as.formula(formula), data = data, REML = reml, control = tight$bobyqa, start = list(theta = start))))
    if (crit(other) < crit(m) - 1e-9) {
      m <- other
      optimizer <- paste0("bobyqa_restart_", r)
    }
  }
  .Random.seed <<- rng
  cf <- summary(m)$coefficients
  vc <- as.data.frame(VarCorr(m))
  re <- vc[vc$grp != "Residual", ]
  list(
    method = if (reml) "REML" else "ML",
    fixed = lapply(seq_len(nrow(cf)), function(i) list(term = rownames(cf)[i], estimate = cf[i, 1], se = cf[i, 2])),
    random = lapply(seq_len(nrow(re)), function(i) list(
      group = re$grp[i], term = re$var1[i],
      term2 = if (is.na(re$var2[i])) NULL else re$var2[i],
      vcov = re$vcov[i], sdcor = re$sdcor[i])),
    residual_variance = sigma(m)^2,
    loglik = as.numeric(logLik(m)),
    criterion = crit(m),
    optimizer = optimizer,
    default_criterion = default_criterion,
    theta = I(unname(getME(m, "theta"))),
    singular = isSingular(m),
    nobs = nobs(m),
    ngroups = as.list(getME(m, "l_i"))
  )
}

make <- function(name, data, formulas, ols = character()) {
  d <- write_data(data, name)
  cases <- list()
  for (f in formulas) {
    for (reml in c(TRUE, FALSE)) {
      cases[[length(cases) + 1]] <- c(list(formula = f), fit_json(f, d, reml))
    }
  }
  olsCases <- lapply(ols, function(f) {
    m <- lm(as.formula(f), data = d)
    s <- summary(m)
    cf <- s$coefficients
    list(formula = f,
         fixed = lapply(seq_len(nrow(cf)), function(i) list(term = rownames(cf)[i], estimate = cf[i, 1], se = cf[i, 2], t = cf[i, 3], p = cf[i, 4])),
         residual_variance = s$sigma^2, r_squared = s$r.squared, adj_r_squared = s$adj.r.squared,
         loglik = as.numeric(logLik(m)))
  })
  writeLines(toJSON(list(data = paste0(name, ".csv"), cases = cases, ols = olsCases), auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
             paste0(name, ".json"))
}

# 1. Random intercept: 12 groups of 8.
set.seed(101)
g <- rep(sprintf("g%02d", 1:12), each = 8)
x <- round(rnorm(96), 4)
y <- 2 + 0.5 * x + rep(rnorm(12, sd = 0.8), each = 8) + rnorm(96)
make("intercept", data.frame(y = round(y, 6), x, g), c("y ~ x + (1 | g)"), ols = c("y ~ x", "y ~ x + g"))

# 2. Correlated random slope, plus the same slope uncorrelated and with an explicit 1 +.
set.seed(202)
g <- rep(sprintf("s%02d", 1:15), each = 10)
x <- rep(0:9, 15) + round(runif(150, -0.3, 0.3), 3)
b0 <- rnorm(15, sd = 1.5); b1 <- 0.3 * b0 + rnorm(15, sd = 0.4)
y <- 10 + 1.2 * x + rep(b0, each = 10) + rep(b1, each = 10) * x + rnorm(150, sd = 1.3)
make("slope", data.frame(y = round(y, 6), x, g), c("y ~ x + (x | g)", "y ~ 1 + x + (1 + x | g)", "y ~ x + (x || g)", "y ~ x + (0 + x | g) + (1 | g)"))

# 3. Crossed: 10 subjects x 6 items, 2 replicates.
set.seed(303)
d <- expand.grid(rep = 1:2, item = sprintf("i%d", 1:6), subject = sprintf("p%02d", 1:10))
d$x <- round(rnorm(nrow(d)), 4)
d$y <- round(5 + 0.7 * d$x + rnorm(10, sd = 1)[as.integer(factor(d$subject))] + rnorm(6, sd = 0.7)[as.integer(factor(d$item))] + rnorm(nrow(d), sd = 0.9), 6)
make("crossed", d[, c("y", "x", "subject", "item")], c("y ~ x + (1 | subject) + (1 | item)", "y ~ x + (x | subject) + (1 | item)"))

# 4. Nested: 6 schools, 4 classes each, 5 pupils per class; class labels repeat across schools.
set.seed(404)
d <- expand.grid(pupil = 1:5, class = c("a", "b", "c", "d"), school = sprintf("sch%d", 1:6))
d$x <- round(rnorm(nrow(d)), 4)
sch <- rnorm(6, sd = 1.2)[as.integer(d$school)]
cls <- rnorm(24, sd = 0.6)[(as.integer(d$school) - 1) * 4 + as.integer(d$class)]
d$y <- round(20 + 0.4 * d$x + sch + cls + rnorm(nrow(d), sd = 0.8), 6)
make("nested", d[, c("y", "x", "school", "class")], c("y ~ x + (1 | school/class)", "y ~ x + (1 | school) + (1 | school:class)"))

# 5. A design like Rystrom, Kirk and Hale (2025): 12 models in 3 families, 4 languages, 3 templates.
set.seed(505)
d <- expand.grid(template = 1:3, language = c("da", "en", "nl", "pt"), model = sprintf("m%02d", 1:12))
d$family <- c("alpha", "beta", "gamma")[(as.integer(d$model) - 1) %% 3 + 1]
d$capability <- round(runif(nrow(d), 0.3, 0.95), 4)
d$consistency <- round(runif(nrow(d), 0.2, 0.9), 4)
lang <- c(da = -0.03, en = 0.05, nl = 0, pt = -0.02)[as.character(d$language)]
fam <- c(alpha = 0, beta = 0.04, gamma = -0.03)[d$family]
d$alignment <- round(0.5 + 0.2 * d$consistency + 0.1 * d$capability + lang + fam +
  rnorm(12, sd = 0.05)[as.integer(d$model)] + rnorm(nrow(d), sd = 0.04), 6)
make("paper", d[, c("alignment", "consistency", "capability", "language", "family", "model", "template")],
     c("alignment ~ consistency * language + (1 | model)", "alignment ~ capability * family + language + (1 | model)"),
     ols = c("alignment ~ consistency * language"))

# 6. Factor x numeric interaction and no intercept.
set.seed(606)
d <- data.frame(g = rep(sprintf("c%02d", 1:20), each = 6), f = rep(c("lo", "mid", "hi"), 40))
d$x <- round(rnorm(nrow(d)), 4)
slope <- c(hi = 1, lo = -0.5, mid = 0.2)[d$f]
d$y <- round(3 + c(hi = 1, lo = 0, mid = 0.5)[d$f] + slope * d$x + rnorm(20, sd = 0.7)[as.integer(factor(d$g))] + rnorm(nrow(d), sd = 0.6), 6)
make("factors", d[, c("y", "x", "f", "g")],
     c("y ~ x * f + (1 | g)", "y ~ 0 + f + x + (1 | g)", "y ~ f + x - 1 + (0 + x | g)", "y ~ x:f + (1 | g)"),
     ols = c("y ~ x * f", "y ~ 0 + f + x"))

# 7. lme4's sleepstudy.
make("sleepstudy", lme4::sleepstudy, c("Reaction ~ Days + (Days | Subject)"))

# 8. Three correlated random effects, and a factor on the left of the bar.
set.seed(808)
d <- data.frame(g = rep(sprintf("u%02d", 1:20), each = 12), f = rep(c("A", "B", "C"), 80))
d$x <- round(rnorm(nrow(d)), 4)
d$w <- round(runif(nrow(d), -1, 1), 4)
gi <- as.integer(factor(d$g))
b <- cbind(rnorm(20, sd = 1), rnorm(20, sd = 0.5), rnorm(20, sd = 0.3))
b[, 2] <- b[, 2] + 0.4 * b[, 1]
d$y <- round(1 + 0.5 * d$x - 0.3 * d$w + c(A = 0, B = 0.6, C = -0.4)[d$f] + b[gi, 1] + b[gi, 2] * d$x + b[gi, 3] * d$w + rnorm(nrow(d), sd = 0.5), 6)
make("slopes3", d[, c("y", "x", "w", "f", "g")], c("y ~ x + w + (x + w | g)", "y ~ x + f + (f | g)"))

# 9. Boundary fits: no group variance at all (integer group ids, read as numbers), and missing values.
set.seed(909)
d <- data.frame(g = rep(1:10, each = 6), x = round(rnorm(60), 4))
d$y <- round(1 + 0.3 * d$x + rnorm(60), 6)
d$h <- rep(c("p", "q", "r"), 20)
d$x[c(5, 17)] <- NA
d$h[c(30)] <- NA
make("boundary", d, c("y ~ x + (1 | g)", "y ~ x + (x | g)", "y ~ x + (1 | g) + (1 | h)"))

# 10. A larger crossed design (subjects x items), for speed and the dense part of L.
set.seed(1010)
d <- expand.grid(item = sprintf("it%02d", 1:40), subject = sprintf("sub%02d", 1:50))
d$cond <- ifelse((as.integer(d$item) + as.integer(d$subject)) %% 2 == 0, "ctl", "trt")
d$x <- round(rnorm(nrow(d)), 4)
si <- as.integer(d$subject); ii <- as.integer(d$item)
d$y <- round(300 + 20 * (d$cond == "trt") + 5 * d$x + rnorm(50, sd = 30)[si] + rnorm(50, sd = 8)[si] * (d$cond == "trt") + rnorm(40, sd = 20)[ii] + rnorm(nrow(d), sd = 40), 4)
make("crossed_large", d[, c("y", "x", "cond", "subject", "item")], c("y ~ cond + x + (cond | subject) + (1 | item)"))
