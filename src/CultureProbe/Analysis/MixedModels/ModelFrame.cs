namespace CultureProbe.Analysis.MixedModels;

/// <summary>
/// The numbers a fit needs, built from a <see cref="DataFrame"/> and a <see cref="ModelFormula"/>
/// as R's <c>model.frame</c> and <c>model.matrix</c> build them: rows with a missing value in
/// any variable of the formula are dropped, unused factor levels are dropped, factors are
/// coded by treatment contrasts (first level the reference) or by indicators where R would.
/// </summary>
internal sealed class ModelFrame
{
    private ModelFrame(double[] y, double[,] x, IReadOnlyList<string> fixedNames, IReadOnlyList<string> droppedNames, IReadOnlyList<RandomBlock> blocks)
    {
        Y = y;
        X = x;
        FixedNames = fixedNames;
        DroppedFixedNames = droppedNames;
        Blocks = blocks;
    }

    /// <summary>The response.</summary>
    public double[] Y { get; }

    /// <summary>The fixed-effects model matrix, n × p, after dropping linearly dependent columns.</summary>
    public double[,] X { get; }

    /// <summary>Names of the columns of <see cref="X"/>.</summary>
    public IReadOnlyList<string> FixedNames { get; }

    /// <summary>Columns dropped because they were linear combinations of earlier ones (lme4 drops them too).</summary>
    public IReadOnlyList<string> DroppedFixedNames { get; }

    /// <summary>
    /// lme4's warning when columns were dropped, naming each and the kept columns it is a combination of; null
    /// when the fixed-effects matrix has full rank.
    /// </summary>
    public string? RankWarning { get; private init; }

    /// <summary>Random-effects blocks in the formula's order (not yet sorted by number of levels).</summary>
    public IReadOnlyList<RandomBlock> Blocks { get; }

    /// <summary>Number of observations used.</summary>
    public int N => Y.Length;

    /// <summary>Builds the frame of <paramref name="formula"/> from <paramref name="data"/>.</summary>
    /// <exception cref="InputException">
    /// A column is missing, holds a value that is not a finite number where numbers are expected (naming the cell), the
    /// response is text or constant, no row is complete, every fixed-effect column is zero, or the fixed effects (with the
    /// groups of a random intercept) reproduce the response exactly.
    /// </exception>
    public static ModelFrame Build(DataFrame data, ModelFormula formula)
    {
        var columns = new Dictionary<string, DataColumn>(StringComparer.Ordinal);
        foreach (var name in formula.Variables)
        {
            columns[name] = data.Find(name) ?? throw new InputException(
                $"formula '{formula.Text}': no column named '{name}' in the data (columns: {string.Join(", ", data.Columns.Select(c => c.Name))})");
        }
        foreach (var column in columns.Values)
        {
            if (column.Problem is { } problem)
            {
                throw data.CellError(column, column.ProblemRow, problem);
            }
            // A frame built in code may hold infinities (NaN there means missing); a fit cannot use them.
            for (var row = 0; column.NumericValues is { } values && row < values.Count; row++)
            {
                if (double.IsInfinity(values[row]))
                {
                    throw data.CellError(column, row, $"expected a finite number, found {values[row].ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                }
            }
        }
        var response = columns[formula.Response];
        if (!response.IsNumeric)
        {
            var first = Enumerable.Range(0, response.Count).FirstOrDefault(r => !response.IsMissing(r));
            throw data.CellError(response, first, $"formula '{formula.Text}': the response '{formula.Response}' must be numeric, but the column holds text such as '{response.TextAt(first)}'");
        }
        var rows = Enumerable.Range(0, data.RowCount).Where(r => columns.Values.All(c => !c.IsMissing(r))).ToArray();
        if (rows.Length == 0)
        {
            throw new InputException($"formula '{formula.Text}': no row has values for every variable ({string.Join(", ", formula.Variables)})");
        }
        var frame = columns.ToDictionary(kv => kv.Key, kv => Subset(kv.Value, rows), StringComparer.Ordinal);

        var y = frame[formula.Response].NumericValues!.ToArray();
        if (rows.Length > 1 && y.All(v => v == y[0]))
        {
            throw new InputException($"formula '{formula.Text}': the response '{formula.Response}' is {y[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)} in all {rows.Length} rows used "
                + $"({data.RowLocation(rows[0])} to {data.RowLocation(rows[^1])}), so there is nothing to model (expected a response that varies)");
        }
        var (fullX, fullNames) = BuildMatrix(formula.FixedTerms, formula.HasIntercept, frame, rows.Length);
        var (x, names, dropped, warning, residual) = DropDependentColumns(fullX, fullNames, y, formula);
        // An exact fit leaves a residual at rounding level; compare with the response's spread (not its size, which a
        // large mean would inflate) so that a fit to within 1e-10 of the spread counts as exact.
        var mean = y.Average();
        var spread = y.Sum(v => (v - mean) * (v - mean));
        if (names.Length > 0 && rows.Length > names.Length && residual <= 1e-20 * spread)
        {
            throw new InputException($"formula '{formula.Text}': the fixed effects ({string.Join(", ", names)}) reproduce the response '{formula.Response}' exactly in the {rows.Length} rows used "
                + "(residual sum of squares 0), so there is no residual variance to estimate and every standard error would be 0 (expected a response with noise around the fixed effects)");
        }

        var blocks = new List<RandomBlock>();
        foreach (var term in formula.RandomTerms)
        {
            var (z, zNames) = BuildMatrix(term.Terms, term.HasIntercept, frame, rows.Length);
            var keys = new string[rows.Length];
            for (var i = 0; i < rows.Length; i++)
            {
                keys[i] = string.Join('\u001f', term.GroupingVariables.Select(v => frame[v].TextAt(i)));
            }
            var levels = keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var l = 0; l < levels.Length; l++)
            {
                index[levels[l]] = l;
            }
            var levelOf = keys.Select(k => index[k]).ToArray();
            blocks.Add(new RandomBlock(term.GroupName, zNames, levels.Length, levelOf, z) { FirstLevel = levels[0].Replace('\u001f', ':') });
            if (term.HasIntercept && levels.Length > 1 && levels.Length < rows.Length && WithinGroupResidual(y, x, levelOf, levels.Length) <= 1e-20 * spread)
            {
                throw new InputException($"formula '{formula.Text}': the fixed effects and the groups of {term.GroupName} reproduce the response '{formula.Response}' exactly "
                    + "(e.g. it is constant within each group), so no residual variance is left and the likelihood has no maximum (expected a response that varies within groups)");
            }
        }
        return new ModelFrame(y, x, names, dropped, blocks) { RankWarning = warning };
    }

    /// <summary>Whether an error about a frame read from a file lacks the file's name (errors about one cell already start with it).</summary>
    internal static bool NeedsFileName(DataFrame data, InputException e) =>
        data.FileName is { } file && !e.Message.StartsWith(file + ":", StringComparison.Ordinal);

    /// <summary>The error with the data file's name in front, so that every message about the data names the file.</summary>
    internal static InputException InFile(DataFrame data, InputException e) => new($"{data.FileName}: {e.Message}", e);

    private static DataColumn Subset(DataColumn column, int[] rows)
    {
        if (column.IsNumeric)
        {
            return DataColumn.Numeric(column.Name, rows.Select(r => column.NumericValues![r]).ToArray());
        }
        // Keeping only the levels of the kept rows, in their order, drops unused levels as model.frame(drop.unused.levels = TRUE) does.
        var used = new bool[column.Levels.Count];
        foreach (var r in rows)
        {
            used[column.FactorCodes![r]] = true;
        }
        return DataColumn.Factor(column.Name, rows.Select(r => (string?)column.Levels[column.FactorCodes![r]]).ToArray(), column.Levels.Where((_, l) => used[l]).ToArray());
    }

    /// <summary>
    /// R's model.matrix: a factor in a term is coded by contrasts when the term without it is
    /// empty or contained in an earlier term, otherwise by indicators of all levels; without an
    /// intercept the first factor of the first term holding one gets indicators. Within a term
    /// the first variable's columns vary fastest.
    /// </summary>
    public static (double[,] Matrix, string[] Names) BuildMatrix(IReadOnlyList<FormulaTerm> terms, bool intercept, IReadOnlyDictionary<string, DataColumn> frame, int n)
    {
        var codings = new List<bool[]>(); // per term, per variable: true = indicators of all levels
        var firstFactorDone = intercept;
        for (var t = 0; t < terms.Count; t++)
        {
            var vars = terms[t].Variables;
            var full = new bool[vars.Count];
            for (var v = 0; v < vars.Count; v++)
            {
                if (frame[vars[v]].IsNumeric)
                {
                    continue;
                }
                if (!firstFactorDone)
                {
                    full[v] = true;
                    firstFactorDone = true;
                    continue;
                }
                var reduced = vars.Where((_, i) => i != v).ToArray();
                var contained = reduced.Length == 0 || terms.Take(t).Any(earlier => reduced.All(r => earlier.Variables.Contains(r, StringComparer.Ordinal)));
                full[v] = !contained;
            }
            if (!firstFactorDone && vars.Any(v => !frame[v].IsNumeric))
            {
                firstFactorDone = true;
            }
            codings.Add(full);
        }

        var columns = new List<double[]>();
        var names = new List<string>();
        if (intercept)
        {
            columns.Add(Enumerable.Repeat(1.0, n).ToArray());
            names.Add("(Intercept)");
        }
        for (var t = 0; t < terms.Count; t++)
        {
            var termColumns = new List<(double[] Values, string Name)> { (Enumerable.Repeat(1.0, n).ToArray(), "") };
            var vars = terms[t].Variables;
            for (var v = 0; v < vars.Count; v++)
            {
                var parts = VariableColumns(frame[vars[v]], codings[t][v], n);
                var next = new List<(double[] Values, string Name)>();
                // Earlier variables vary fastest: iterate this variable's columns in the outer loop.
                foreach (var part in parts)
                {
                    foreach (var existing in termColumns)
                    {
                        var values = new double[n];
                        for (var i = 0; i < n; i++)
                        {
                            values[i] = existing.Values[i] * part.Values[i];
                        }
                        next.Add((values, existing.Name.Length == 0 ? part.Name : $"{existing.Name}:{part.Name}"));
                    }
                }
                termColumns = next;
            }
            foreach (var (values, name) in termColumns)
            {
                columns.Add(values);
                names.Add(name);
            }
        }
        var matrix = new double[n, columns.Count];
        for (var j = 0; j < columns.Count; j++)
        {
            for (var i = 0; i < n; i++)
            {
                matrix[i, j] = columns[j][i];
            }
        }
        return (matrix, names.ToArray());
    }

    private static List<(double[] Values, string Name)> VariableColumns(DataColumn column, bool indicators, int n)
    {
        if (column.IsNumeric)
        {
            return [(column.NumericValues!.ToArray(), column.Name)];
        }
        var result = new List<(double[], string)>();
        for (var level = indicators ? 0 : 1; level < column.Levels.Count; level++)
        {
            var values = new double[n];
            for (var i = 0; i < n; i++)
            {
                values[i] = column.FactorCodes![i] == level ? 1 : 0;
            }
            result.Add((values, column.Name + column.Levels[level]));
        }
        return result;
    }

    /// <summary>
    /// Drops columns that are linear combinations of earlier ones, by Gram–Schmidt in column
    /// order with the relative tolerance 1e-7 that R's pivoting QR uses, so the same columns
    /// as lme4's are kept. Like lme4 it drops with a warning rather than refusing, since factor
    /// crossings with empty cells (as in the study's regressions) are rank deficient by design; the
    /// warning names the kept columns each dropped one is a combination of. Also returns the residual
    /// sum of squares of <paramref name="y"/> on the kept columns.
    /// </summary>
    /// <exception cref="InputException">Every column is zero in the rows used.</exception>
    private static (double[,] X, string[] Names, string[] Dropped, string? Warning, double Residual) DropDependentColumns(double[,] x, string[] names, double[] y, ModelFormula formula)
    {
        var n = x.GetLength(0);
        var p = x.GetLength(1);
        var basis = new List<double[]>();
        var keep = new List<int>();
        var dropped = new List<string>();
        var explanations = new List<string>();
        for (var j = 0; j < p; j++)
        {
            var v = new double[n];
            for (var i = 0; i < n; i++)
            {
                v[i] = x[i, j];
            }
            var norm0 = Math.Sqrt(v.Sum(e => e * e));
            Orthogonalise(v, basis);
            var norm = Math.Sqrt(v.Sum(e => e * e));
            if (norm0 == 0 || norm <= 1e-7 * norm0)
            {
                dropped.Add(names[j]);
                explanations.Add(norm0 == 0 ? $"{names[j]} (zero in every row used)" : $"{names[j]} (= a combination of {string.Join(", ", CombinationOf(x, j, keep).Select(k => names[k]))})");
                continue;
            }
            for (var i = 0; i < n; i++)
            {
                v[i] /= norm;
            }
            basis.Add(v);
            keep.Add(j);
        }
        if (p > 0 && keep.Count == 0)
        {
            throw new InputException($"formula '{formula.Text}': every fixed-effect column ({string.Join(", ", names)}) is zero in the rows used (expected at least one column that varies)");
        }
        var residual = y.ToArray();
        Orthogonalise(residual, basis);
        var rss = residual.Sum(e => e * e);
        if (dropped.Count == 0)
        {
            return (x, names, [], null, rss);
        }
        var kept = new double[n, keep.Count];
        for (var k = 0; k < keep.Count; k++)
        {
            for (var i = 0; i < n; i++)
            {
                kept[i, k] = x[i, keep[k]];
            }
        }
        var warning = $"fixed-effect model matrix is rank deficient, so {dropped.Count} column{(dropped.Count == 1 ? " is" : "s are")} dropped, as lme4 and R's lm drop them: {string.Join("; ", explanations)}";
        return (kept, keep.Select(k => names[k]).ToArray(), dropped.ToArray(), warning, rss);
    }

    /// <summary>
    /// The residual sum of squares of <paramref name="y"/> on the columns of <paramref name="x"/> and one indicator per
    /// group, by Frisch–Waugh: subtract group means from y and from each column, then project on what is left.
    /// </summary>
    private static double WithinGroupResidual(double[] y, double[,] x, int[] levelOf, int levels)
    {
        var n = y.Length;
        double[] Demean(Func<int, double> value)
        {
            var sum = new double[levels];
            var count = new int[levels];
            for (var i = 0; i < n; i++)
            {
                sum[levelOf[i]] += value(i);
                count[levelOf[i]]++;
            }
            return Enumerable.Range(0, n).Select(i => value(i) - (sum[levelOf[i]] / count[levelOf[i]])).ToArray();
        }
        var basis = new List<double[]>();
        for (var j = 0; j < x.GetLength(1); j++)
        {
            var column = j;
            var v = Demean(i => x[i, column]);
            var norm0 = Math.Sqrt(Enumerable.Range(0, n).Sum(i => x[i, column] * x[i, column]));
            Orthogonalise(v, basis);
            var norm = Math.Sqrt(v.Sum(e => e * e));
            if (norm > 1e-7 * norm0)
            {
                basis.Add(v.Select(e => e / norm).ToArray());
            }
        }
        var residual = Demean(i => y[i]);
        Orthogonalise(residual, basis);
        return residual.Sum(e => e * e);
    }

    /// <summary>Subtracts from <paramref name="v"/> its projection on the orthonormal <paramref name="basis"/>; two passes of modified Gram–Schmidt keep the residual accurate.</summary>
    private static void Orthogonalise(double[] v, List<double[]> basis)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var b in basis)
            {
                double dot = 0;
                for (var i = 0; i < v.Length; i++)
                {
                    dot += b[i] * v[i];
                }
                for (var i = 0; i < v.Length; i++)
                {
                    v[i] -= dot * b[i];
                }
            }
        }
    }

    /// <summary>The kept columns with a non-negligible coefficient when column <paramref name="j"/> is regressed on them.</summary>
    private static IEnumerable<int> CombinationOf(double[,] x, int j, List<int> keep)
    {
        var n = x.GetLength(0);
        var a = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, keep.Count, (i, k) => x[i, keep[k]]);
        var b = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(n, i => x[i, j]);
        var coefficients = a.QR().Solve(b);
        var scale = b.L2Norm();
        return keep.Where((_, k) => Math.Abs(coefficients[k]) * a.Column(k).L2Norm() > 1e-7 * scale);
    }
}

/// <summary>
/// One random-effects term after expansion: for each observation, <see cref="K"/> values of
/// the term's model matrix and the level of its grouping factor.
/// </summary>
/// <param name="Group">The grouping factor's name as lme4 prints it.</param>
/// <param name="TermNames">Names of the <see cref="K"/> effects, e.g. (Intercept) and x.</param>
/// <param name="Levels">Number of levels of the grouping factor.</param>
/// <param name="LevelOf">Level index of each observation.</param>
/// <param name="Values">The term's model matrix, n × K.</param>
internal sealed record RandomBlock(string Group, IReadOnlyList<string> TermNames, int Levels, int[] LevelOf, double[,] Values)
{
    /// <summary>Number of effects per level.</summary>
    public int K => TermNames.Count;

    /// <summary>The first level (in level order), for messages.</summary>
    public string FirstLevel { get; init; } = "";
}
