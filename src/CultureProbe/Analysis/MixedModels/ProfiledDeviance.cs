namespace CultureProbe.Analysis.MixedModels;

/// <summary>
/// The profiled deviance and REML criterion of a linear mixed model as functions of the
/// relative covariance parameters θ (Bates, Mächler, Bolker and Walker 2015, "Fitting linear
/// mixed-effects models using lme4", section 3). For each θ it factors
/// Λθ'Z'ZΛθ + I = L L', solves the penalised least-squares problem for β and the spherical
/// random effects u, and returns
/// <list type="bullet">
/// <item>ML: log|L|² + n (1 + log(2π r²/n)),</item>
/// <item>REML: log|L|² + log|R_X|² + (n−p)(1 + log(2π r²/(n−p))),</item>
/// </list>
/// where r² is the penalised residual sum of squares. The random effects are ordered as lme4
/// orders them (terms by decreasing number of levels), so the first term's block of L is
/// block diagonal and is factored level by level; only the other terms' part is dense.
/// </summary>
internal sealed class ProfiledDeviance
{
    private readonly int _n;
    private readonly int _p;
    private readonly double[] _y;
    private readonly double[] _x; // n × p, row-major
    private readonly RandomBlock[] _blocks;
    private readonly int[] _offset; // start of each block in u
    private readonly int _k0;
    private readonly int _m0;
    private readonly int _q1;
    private readonly int _q2;
    private readonly int _q;

    private readonly double[] _d1; // per level of block 0: Z0'Z0 (k0 × k0)
    private readonly double[] _a21; // Z2'Z1, q2 × q1
    private readonly double[] _a22; // Z2'Z2, q2 × q2
    private readonly double[] _ztx; // q × p
    private readonly double[] _zty; // q
    private readonly double[] _xtx; // p × p
    private readonly double[] _xty; // p

    private readonly int[][] _rowsOfLevel; // per level of block 0: rows of the other terms' part (ascending) whose Z2'Z1 block with it is non-zero
    private readonly double[] _s22;
    private readonly double[][] _t; // lower-triangular T per block, k × k row-major
    private readonly double[] _l11;
    private readonly double[] _w21;
    private readonly double[] _l21;
    private readonly double[] _w22;
    private readonly double[] _l22;
    private readonly double[] _lx;
    private readonly double[] _cu;
    private readonly double[] _rzx;
    private readonly double[] _beta;
    private readonly double[] _u;
    private readonly double[] _b;

    public ProfiledDeviance(double[] y, double[,] x, IReadOnlyList<RandomBlock> blocks, bool reml)
    {
        Reml = reml;
        _n = y.Length;
        _p = x.GetLength(1);
        _y = y;
        _x = new double[_n * _p];
        for (var i = 0; i < _n; i++)
        {
            for (var j = 0; j < _p; j++)
            {
                _x[i * _p + j] = x[i, j];
            }
        }
        _blocks = [.. blocks];
        _offset = new int[_blocks.Length];
        var q = 0;
        for (var b = 0; b < _blocks.Length; b++)
        {
            _offset[b] = q;
            q += _blocks[b].Levels * _blocks[b].K;
        }
        _q = q;
        _k0 = _blocks[0].K;
        _m0 = _blocks[0].Levels;
        _q1 = _k0 * _m0;
        _q2 = _q - _q1;
        ThetaCount = _blocks.Sum(b => b.K * (b.K + 1) / 2);

        _d1 = new double[_m0 * _k0 * _k0];
        _a21 = new double[_q2 * _q1];
        _a22 = new double[_q2 * _q2];
        _ztx = new double[_q * _p];
        _zty = new double[_q];
        _xtx = new double[_p * _p];
        _xty = new double[_p];
        Precompute();

        _rowsOfLevel = RowsOfLevel();
        _s22 = new double[_q2 * _q2];
        _t = _blocks.Select(b => new double[b.K * b.K]).ToArray();
        _l11 = new double[_d1.Length];
        _w21 = new double[_a21.Length];
        _l21 = new double[_a21.Length];
        _w22 = new double[_a22.Length];
        _l22 = new double[_a22.Length];
        _lx = new double[_p * _p];
        _cu = new double[_q];
        _rzx = new double[_q * _p];
        _beta = new double[_p];
        _u = new double[_q];
        _b = new double[_q];
    }

    /// <summary>Whether this is the REML criterion (otherwise the ML deviance).</summary>
    public bool Reml { get; }

    /// <summary>Number of θ parameters: the lower triangles of each term's relative covariance factor.</summary>
    public int ThetaCount { get; }

    /// <summary>Number of observations.</summary>
    public int N => _n;

    /// <summary>Number of fixed effects.</summary>
    public int P => _p;

    /// <summary>Fixed effects at the last evaluated θ.</summary>
    public double[] Beta => [.. _beta];

    /// <summary>Penalised residual sum of squares at the last evaluated θ.</summary>
    public double Pwrss { get; private set; }

    /// <summary>Whether each θ is on the diagonal of its term's factor (bounded below by 0).</summary>
    public bool[] ThetaIsDiagonal()
    {
        var result = new List<bool>();
        foreach (var block in _blocks)
        {
            for (var j = 0; j < block.K; j++)
            {
                for (var i = j; i < block.K; i++)
                {
                    result.Add(i == j);
                }
            }
        }
        return [.. result];
    }

    /// <summary>The starting θ lme4 uses: identity factors.</summary>
    public double[] InitialTheta() => ThetaIsDiagonal().Select(d => d ? 1.0 : 0.0).ToArray();

    /// <summary>
    /// (R_X' R_X)⁻¹ at the last evaluated θ: the unscaled covariance of the fixed effects,
    /// which times σ² is lme4's <c>vcov</c>.
    /// </summary>
    public double[,] UnscaledFixedCovariance()
    {
        var inverse = new double[_p, _p];
        var column = new double[_p];
        for (var j = 0; j < _p; j++)
        {
            Array.Clear(column);
            column[j] = 1;
            DenseCholesky.SolveLower(_lx, _p, column);
            DenseCholesky.SolveUpper(_lx, _p, column);
            for (var i = 0; i < _p; i++)
            {
                inverse[i, j] = column[i];
            }
        }
        return inverse;
    }

    /// <summary>The criterion at <paramref name="theta"/>; the diagonal entries may be negative (the criterion is symmetric in the sign of a column of T).</summary>
    public double Evaluate(ReadOnlySpan<double> theta)
    {
        SetT(theta);
        FactorL();
        double logDetL = 0;
        for (var l = 0; l < _m0; l++)
        {
            var start = l * _k0 * _k0;
            for (var j = 0; j < _k0; j++)
            {
                logDetL += 2 * Math.Log(_l11[start + j * _k0 + j]);
            }
        }
        logDetL += DenseCholesky.LogDeterminant(_l22, _q2);

        // cu = L⁻¹ Λ'Z'y and RZX = L⁻¹ Λ'Z'X
        LambdaTransposeTimes(_zty, 1, _cu);
        SolveL(_cu, 1);
        LambdaTransposeTimes(_ztx, _p, _rzx);
        SolveL(_rzx, _p);

        // R_X'R_X = X'X − RZX'RZX; β from R_X'R_X β = X'y − RZX' cu
        for (var i = 0; i < _p; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var s = _xtx[i * _p + j];
                for (var r = 0; r < _q; r++)
                {
                    s -= _rzx[r * _p + i] * _rzx[r * _p + j];
                }
                _lx[i * _p + j] = s;
                _lx[j * _p + i] = s;
            }
            var c = _xty[i];
            for (var r = 0; r < _q; r++)
            {
                c -= _rzx[r * _p + i] * _cu[r];
            }
            _beta[i] = c;
        }
        if (!DenseCholesky.Factor(_lx, _p))
        {
            return double.PositiveInfinity;
        }
        DenseCholesky.SolveLower(_lx, _p, _beta);
        DenseCholesky.SolveUpper(_lx, _p, _beta);

        // u from L' u = cu − RZX β, then b = Λ u, and the residuals computed directly
        for (var r = 0; r < _q; r++)
        {
            var s = _cu[r];
            for (var j = 0; j < _p; j++)
            {
                s -= _rzx[r * _p + j] * _beta[j];
            }
            _u[r] = s;
        }
        SolveLTranspose(_u);
        double pwrss = 0;
        for (var r = 0; r < _q; r++)
        {
            pwrss += _u[r] * _u[r];
        }
        LambdaTimes(_u, _b);
        for (var i = 0; i < _n; i++)
        {
            var fitted = 0.0;
            for (var j = 0; j < _p; j++)
            {
                fitted += _x[i * _p + j] * _beta[j];
            }
            for (var bi = 0; bi < _blocks.Length; bi++)
            {
                var block = _blocks[bi];
                var start = _offset[bi] + block.LevelOf[i] * block.K;
                for (var j = 0; j < block.K; j++)
                {
                    fitted += block.Values[i, j] * _b[start + j];
                }
            }
            var e = _y[i] - fitted;
            pwrss += e * e;
        }
        Pwrss = pwrss;
        if (!Reml)
        {
            return logDetL + _n * (1 + Math.Log(2 * Math.PI * pwrss / _n));
        }
        var logDetRx = DenseCholesky.LogDeterminant(_lx, _p);
        var dof = _n - _p;
        return logDetL + logDetRx + dof * (1 + Math.Log(2 * Math.PI * pwrss / dof));
    }

    private void Precompute()
    {
        for (var i = 0; i < _n; i++)
        {
            for (var a = 0; a < _p; a++)
            {
                var xa = _x[i * _p + a];
                _xty[a] += xa * _y[i];
                for (var c = 0; c <= a; c++)
                {
                    _xtx[a * _p + c] += xa * _x[i * _p + c];
                }
            }
            var b0 = _blocks[0];
            var dStart = b0.LevelOf[i] * _k0 * _k0;
            for (var a = 0; a < _k0; a++)
            {
                for (var c = 0; c < _k0; c++)
                {
                    _d1[dStart + a * _k0 + c] += b0.Values[i, a] * b0.Values[i, c];
                }
            }
            for (var bi = 0; bi < _blocks.Length; bi++)
            {
                var block = _blocks[bi];
                var rowStart = _offset[bi] + block.LevelOf[i] * block.K;
                for (var a = 0; a < block.K; a++)
                {
                    var z = block.Values[i, a];
                    var row = rowStart + a;
                    _zty[row] += z * _y[i];
                    for (var c = 0; c < _p; c++)
                    {
                        _ztx[row * _p + c] += z * _x[i * _p + c];
                    }
                    if (bi == 0)
                    {
                        continue;
                    }
                    var r2 = row - _q1;
                    var col1 = b0.LevelOf[i] * _k0;
                    for (var c = 0; c < _k0; c++)
                    {
                        _a21[r2 * _q1 + col1 + c] += z * b0.Values[i, c];
                    }
                    for (var bj = 1; bj < _blocks.Length; bj++)
                    {
                        var other = _blocks[bj];
                        var colStart = _offset[bj] + other.LevelOf[i] * other.K - _q1;
                        for (var c = 0; c < other.K; c++)
                        {
                            _a22[r2 * _q2 + colStart + c] += z * other.Values[i, c];
                        }
                    }
                }
            }
        }
        for (var a = 0; a < _p; a++)
        {
            for (var c = 0; c < a; c++)
            {
                _xtx[c * _p + a] = _xtx[a * _p + c];
            }
        }
    }

    /// <summary>
    /// For each level of the first term, the rows of the other terms that share an observation
    /// with it, widened to whole level blocks (Λ2' mixes the rows within a level's block).
    /// </summary>
    private int[][] RowsOfLevel()
    {
        var sets = new SortedSet<int>[_m0];
        for (var l = 0; l < _m0; l++)
        {
            sets[l] = [];
        }
        var b0 = _blocks[0];
        for (var i = 0; i < _n; i++)
        {
            var l = b0.LevelOf[i];
            for (var bi = 1; bi < _blocks.Length; bi++)
            {
                var block = _blocks[bi];
                var start = _offset[bi] - _q1 + block.LevelOf[i] * block.K;
                for (var a = 0; a < block.K; a++)
                {
                    sets[l].Add(start + a);
                }
            }
        }
        return sets.Select(s => s.ToArray()).ToArray();
    }

    private void SetT(ReadOnlySpan<double> theta)
    {
        var t = 0;
        for (var bi = 0; bi < _blocks.Length; bi++)
        {
            var k = _blocks[bi].K;
            Array.Clear(_t[bi]);
            for (var j = 0; j < k; j++)
            {
                for (var i = j; i < k; i++)
                {
                    _t[bi][i * k + j] = theta[t++];
                }
            }
        }
    }

    private void FactorL()
    {
        var t0 = _t[0];
        var k0 = _k0;
        // L11: per level, T0' D T0 + I
        Span<double> tmp = stackalloc double[k0 * k0];
        for (var l = 0; l < _m0; l++)
        {
            var start = l * k0 * k0;
            for (var i = 0; i < k0; i++)
            {
                for (var j = 0; j < k0; j++)
                {
                    double s = 0;
                    for (var a = 0; a < k0; a++)
                    {
                        s += _d1[start + i * k0 + a] * t0[a * k0 + j];
                    }
                    tmp[i * k0 + j] = s;
                }
            }
            for (var i = 0; i < k0; i++)
            {
                for (var j = 0; j < k0; j++)
                {
                    double s = i == j ? 1 : 0;
                    for (var a = 0; a < k0; a++)
                    {
                        s += t0[a * k0 + i] * tmp[a * k0 + j];
                    }
                    _l11[start + i * k0 + j] = s;
                }
            }
            FactorSmall(_l11.AsSpan(start, k0 * k0), k0);
        }
        if (_q2 == 0)
        {
            return;
        }

        // W21 = A21 Λ1, then V21 = Λ2' W21, then L21 = V21 L11'⁻¹
        for (var r = 0; r < _q2; r++)
        {
            var row = r * _q1;
            for (var l = 0; l < _m0; l++)
            {
                var c0 = row + l * k0;
                for (var j = 0; j < k0; j++)
                {
                    double s = 0;
                    for (var a = j; a < k0; a++)
                    {
                        s += _a21[c0 + a] * t0[a * k0 + j];
                    }
                    _w21[c0 + j] = s;
                }
            }
        }
        LeftMultiplyLambda2Transpose(_w21, _q1, _l21);
        for (var r = 0; r < _q2; r++)
        {
            for (var l = 0; l < _m0; l++)
            {
                SolveSmallLower(_l11.AsSpan(l * k0 * k0, k0 * k0), k0, _l21.AsSpan(r * _q1 + l * k0, k0));
            }
        }

        // V22 = Λ2' A22 Λ2 + I − L21 L21'
        for (var r = 0; r < _q2; r++)
        {
            for (var bj = 1; bj < _blocks.Length; bj++)
            {
                var k = _blocks[bj].K;
                var tj = _t[bj];
                for (var l = 0; l < _blocks[bj].Levels; l++)
                {
                    var c0 = r * _q2 + _offset[bj] - _q1 + l * k;
                    for (var j = 0; j < k; j++)
                    {
                        double s = 0;
                        for (var a = j; a < k; a++)
                        {
                            s += _a22[c0 + a] * tj[a * k + j];
                        }
                        _w22[c0 + j] = s;
                    }
                }
            }
        }
        LeftMultiplyLambda2Transpose(_w22, _q2, _l22);
        // Subtract L21 L21' level by level of the first term: a level's columns of L21 are
        // non-zero only in the rows of levels that share observations with it, so this costs
        // the sum over levels of (rows touched)² rather than q2² q1.
        Array.Clear(_s22);
        for (var l = 0; l < _m0; l++)
        {
            var rows = _rowsOfLevel[l];
            var c0 = l * k0;
            for (var a = 0; a < rows.Length; a++)
            {
                var ri = rows[a] * _q1 + c0;
                var si = rows[a] * _q2;
                for (var b = 0; b <= a; b++)
                {
                    var rj = rows[b] * _q1 + c0;
                    double s = 0;
                    for (var c = 0; c < k0; c++)
                    {
                        s += _l21[ri + c] * _l21[rj + c];
                    }
                    _s22[si + rows[b]] += s;
                }
            }
        }
        for (var i = 0; i < _q2; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var v = _l22[i * _q2 + j] - _s22[i * _q2 + j] + (i == j ? 1 : 0);
                _l22[i * _q2 + j] = v;
                _l22[j * _q2 + i] = v;
            }
        }
        if (!DenseCholesky.Factor(_l22, _q2))
        {
            throw new InvalidOperationException("Λ'Z'ZΛ + I is not positive definite; this cannot happen in exact arithmetic");
        }
    }

    /// <summary>dest = Λ2' src for the rows of the non-leading terms; src and dest are q2 × cols.</summary>
    private void LeftMultiplyLambda2Transpose(double[] src, int cols, double[] dest)
    {
        for (var bj = 1; bj < _blocks.Length; bj++)
        {
            var k = _blocks[bj].K;
            var tj = _t[bj];
            for (var l = 0; l < _blocks[bj].Levels; l++)
            {
                var r0 = _offset[bj] - _q1 + l * k;
                for (var i = 0; i < k; i++)
                {
                    var destRow = (r0 + i) * cols;
                    for (var c = 0; c < cols; c++)
                    {
                        double s = 0;
                        for (var a = i; a < k; a++)
                        {
                            s += tj[a * k + i] * src[(r0 + a) * cols + c];
                        }
                        dest[destRow + c] = s;
                    }
                }
            }
        }
    }

    /// <summary>dest = Λ' src, src and dest q × cols.</summary>
    private void LambdaTransposeTimes(double[] src, int cols, double[] dest)
    {
        for (var bi = 0; bi < _blocks.Length; bi++)
        {
            var k = _blocks[bi].K;
            var t = _t[bi];
            for (var l = 0; l < _blocks[bi].Levels; l++)
            {
                var r0 = _offset[bi] + l * k;
                for (var i = 0; i < k; i++)
                {
                    for (var c = 0; c < cols; c++)
                    {
                        double s = 0;
                        for (var a = i; a < k; a++)
                        {
                            s += t[a * k + i] * src[(r0 + a) * cols + c];
                        }
                        dest[(r0 + i) * cols + c] = s;
                    }
                }
            }
        }
    }

    /// <summary>dest = Λ src for a vector.</summary>
    private void LambdaTimes(double[] src, double[] dest)
    {
        for (var bi = 0; bi < _blocks.Length; bi++)
        {
            var k = _blocks[bi].K;
            var t = _t[bi];
            for (var l = 0; l < _blocks[bi].Levels; l++)
            {
                var r0 = _offset[bi] + l * k;
                for (var i = 0; i < k; i++)
                {
                    double s = 0;
                    for (var a = 0; a <= i; a++)
                    {
                        s += t[i * k + a] * src[r0 + a];
                    }
                    dest[r0 + i] = s;
                }
            }
        }
    }

    /// <summary>Solves L M = B in place for B (q × cols), L = [L11 0; L21 L22].</summary>
    private void SolveL(double[] m, int cols)
    {
        var k0 = _k0;
        for (var l = 0; l < _m0; l++)
        {
            var lb = _l11.AsSpan(l * k0 * k0, k0 * k0);
            for (var c = 0; c < cols; c++)
            {
                for (var i = 0; i < k0; i++)
                {
                    var s = m[(l * k0 + i) * cols + c];
                    for (var a = 0; a < i; a++)
                    {
                        s -= lb[i * k0 + a] * m[(l * k0 + a) * cols + c];
                    }
                    m[(l * k0 + i) * cols + c] = s / lb[i * k0 + i];
                }
            }
        }
        if (_q2 == 0)
        {
            return;
        }
        var column = new double[_q2];
        var head = new double[_q1];
        for (var c = 0; c < cols; c++)
        {
            for (var a = 0; a < _q1; a++)
            {
                head[a] = m[a * cols + c];
            }
            for (var r = 0; r < _q2; r++)
            {
                column[r] = m[(_q1 + r) * cols + c] - DenseCholesky.Dot(_l21.AsSpan(r * _q1, _q1), head);
            }
            DenseCholesky.SolveLower(_l22, _q2, column);
            for (var r = 0; r < _q2; r++)
            {
                m[(_q1 + r) * cols + c] = column[r];
            }
        }
    }

    /// <summary>Solves L' u = v in place.</summary>
    private void SolveLTranspose(double[] v)
    {
        if (_q2 > 0)
        {
            var tail = v.AsSpan(_q1, _q2);
            DenseCholesky.SolveUpper(_l22, _q2, tail);
            for (var a = 0; a < _q1; a++)
            {
                double s = 0;
                for (var r = 0; r < _q2; r++)
                {
                    s += _l21[r * _q1 + a] * v[_q1 + r];
                }
                v[a] -= s;
            }
        }
        var k0 = _k0;
        for (var l = 0; l < _m0; l++)
        {
            var lb = _l11.AsSpan(l * k0 * k0, k0 * k0);
            for (var i = k0 - 1; i >= 0; i--)
            {
                var s = v[l * k0 + i];
                for (var a = i + 1; a < k0; a++)
                {
                    s -= lb[a * k0 + i] * v[l * k0 + a];
                }
                v[l * k0 + i] = s / lb[i * k0 + i];
            }
        }
    }

    private static void FactorSmall(Span<double> a, int k)
    {
        for (var j = 0; j < k; j++)
        {
            var d = a[j * k + j];
            for (var c = 0; c < j; c++)
            {
                d -= a[j * k + c] * a[j * k + c];
            }
            d = Math.Sqrt(d);
            a[j * k + j] = d;
            for (var i = j + 1; i < k; i++)
            {
                var s = a[i * k + j];
                for (var c = 0; c < j; c++)
                {
                    s -= a[i * k + c] * a[j * k + c];
                }
                a[i * k + j] = s / d;
            }
            for (var c = j + 1; c < k; c++)
            {
                a[j * k + c] = 0;
            }
        }
    }

    private static void SolveSmallLower(ReadOnlySpan<double> l, int k, Span<double> b)
    {
        for (var i = 0; i < k; i++)
        {
            var s = b[i];
            for (var a = 0; a < i; a++)
            {
                s -= l[i * k + a] * b[a];
            }
            b[i] = s / l[i * k + i];
        }
    }
}
