using System.CommandLine;
using System.Globalization;
using CultureProbe.Analysis.MixedModels;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe lmm</c>: fits a linear mixed-effects model (or OLS) to a CSV file.</summary>
internal static class LmmCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data") { Description = "CSV file (UTF-8) with a header row. A column is numeric if every value is a finite number, a factor if fewer than half its values are numbers (levels in C-locale order; the first is the reference); a column in between (mostly numbers, but some text, NaN or Inf) is refused when the formula uses it, naming the first such cell. Empty fields and NA are missing; rows missing a variable of the formula are dropped.", Required = true };
        var factors = new Option<string[]>("--factor") { Description = "Read this column as a factor whatever its values, as R's factor(x) (numbers become levels in numeric order). Repeat or separate with commas.", AllowMultipleArgumentsPerToken = false };
        var formula = new Option<string>("--formula") { Description = "Model formula in lme4 syntax, e.g. \"y ~ x * f + (x | g)\", \"y ~ x + (1 | a) + (1 | b)\", \"y ~ 0 + f + (1 | g1/g2)\".", Required = true };
        var ml = new Option<bool>("--ml") { Description = "Fit by maximum likelihood instead of REML (use ML to compare fixed effects by likelihood ratio)." };
        var ols = new Option<bool>("--ols") { Description = "Fit by ordinary least squares (the formula must have no random-effects terms)." };
        var format = CommonOptions.Format("table", "table", "json");
        var command = new Command("lmm", "Fit a Gaussian linear mixed-effects model by REML or ML, as lme4's lmer does, or an OLS regression with the same formula syntax.")
        {
            data, formula, ml, ols, factors, format,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(ols) && parse.GetValue(ml))
            {
                throw new InputException("--ml and --ols exclude each other: OLS has no REML/ML choice");
            }
            var factorNames = (parse.GetValue(factors) ?? []).SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var frame = DataFrame.ReadCsv(parse.GetValue(data)!.FullName, factorNames);
            var text = parse.GetValue(formula)!;
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var json = parse.GetValue(format) == "json";
            if (parse.GetValue(ols))
            {
                var fit = OrdinaryLeastSquares.Fit(frame, text);
                WriteWarning(error, fit.RankWarning);
                if (json)
                {
                    CommonOptions.WriteJson(output, MixedModelJson.Of(fit));
                }
                else
                {
                    WriteOlsTable(fit, output);
                }
                return Program.ExitOk;
            }
            var mixed = LinearMixedModel.Fit(frame, text, reml: !parse.GetValue(ml));
            WriteWarning(error, mixed.RankWarning);
            if (json)
            {
                CommonOptions.WriteJson(output, MixedModelJson.Of(mixed));
            }
            else
            {
                WriteMixedTable(mixed, output);
            }
            return Program.ExitOk;
        });
        return command;
    }

    private static string F(double value, string format = "G6") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string P(double p) => p < 1e-4 ? p.ToString("0.0e+0", CultureInfo.InvariantCulture) : p.ToString("0.0000", CultureInfo.InvariantCulture);

    private static void WriteMixedTable(MixedModelFit fit, TextWriter output)
    {
        var console = ConsoleFactory.Create(output);
        var groups = string.Join(", ", fit.GroupCounts.Select(g => $"{g.Key} {g.Value}"));
        console.WriteLine($"Linear mixed model fit by {(fit.Reml ? "REML" : "maximum likelihood")}: {fit.Formula.Text}");
        console.WriteLine($"{fit.Observations} observations; groups: {groups}");
        console.WriteLine($"{(fit.Reml ? "REML criterion" : "deviance")} {F(fit.Criterion, "F4")}, log-likelihood {F(fit.LogLikelihood, "F4")}, {(fit.Converged ? "converged" : "NOT converged")}");
        WriteDropped(console, fit.DroppedFixedEffects);

        var random = new Table().AddColumns("Group", "Effect", "Variance", "SD", "Corr");
        foreach (var r in fit.RandomEffects.Where(r => r.Term2 is null))
        {
            var correlations = fit.RandomEffects.Where(c => c.Group == r.Group && c.Term2 == r.Term).Select(c => F(c.Correlation ?? double.NaN, "F3"));
            random.AddRow(Markup.Escape(r.Group), Markup.Escape(r.Term), F(r.Variance!.Value), F(r.StandardDeviation!.Value), string.Join(" ", correlations));
        }
        random.AddRow("Residual", "", F(fit.ResidualVariance), F(Math.Sqrt(fit.ResidualVariance)), "");
        console.Write(random);

        var table = new Table().AddColumns("Term", "Estimate", "SE", "z", "p", "95% CI");
        foreach (var f in fit.FixedEffects)
        {
            table.AddRow(Markup.Escape(f.Term), F(f.Estimate), F(f.StandardError), F(f.Statistic, "F3"), P(f.PValue), Markup.Escape($"[{F(f.ConfidenceLow)}, {F(f.ConfidenceHigh)}]"));
        }
        console.Write(table);
    }

    private static void WriteOlsTable(OlsFit fit, TextWriter output)
    {
        var console = ConsoleFactory.Create(output);
        console.WriteLine($"Ordinary least squares: {fit.Formula.Text}");
        console.WriteLine($"{fit.Observations} observations, {fit.ResidualDegreesOfFreedom} residual df; residual variance {F(fit.ResidualVariance)}, R² {F(fit.RSquared, "F4")}, adjusted R² {F(fit.AdjustedRSquared, "F4")}");
        WriteDropped(console, fit.DroppedFixedEffects);
        var table = new Table().AddColumns("Term", "Estimate", "SE", "t", "p", "95% CI");
        foreach (var f in fit.FixedEffects)
        {
            table.AddRow(Markup.Escape(f.Term), F(f.Estimate), F(f.StandardError), F(f.Statistic, "F3"), P(f.PValue), Markup.Escape($"[{F(f.ConfidenceLow)}, {F(f.ConfidenceHigh)}]"));
        }
        console.Write(table);
    }

    /// <summary>Warnings go to standard error, so that --format json keeps standard output parseable.</summary>
    private static void WriteWarning(TextWriter error, string? warning)
    {
        if (warning is not null)
        {
            error.WriteLine($"warning: {warning}");
        }
    }

    private static void WriteDropped(IAnsiConsole console, IReadOnlyList<string> dropped)
    {
        if (dropped.Count > 0)
        {
            console.WriteLine($"Dropped as linear combinations of earlier columns: {string.Join(", ", dropped)}");
        }
    }
}
