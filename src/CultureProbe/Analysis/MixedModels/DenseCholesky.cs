using System.Numerics;
using System.Runtime.InteropServices;

namespace CultureProbe.Analysis.MixedModels;

/// <summary>
/// In-place dense Cholesky factorisation and triangular solves on row-major arrays. The
/// profiled deviance calls these hundreds of times per fit, so they avoid allocations.
/// </summary>
internal static class DenseCholesky
{
    /// <summary>
    /// Overwrites the lower triangle of the n × n matrix <paramref name="a"/> (row-major, stride
    /// n) with L where A = L L'. Returns false if A is not positive definite.
    /// </summary>
    public static bool Factor(double[] a, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var rowJ = j * n;
            var lj = a.AsSpan(rowJ, j);
            var d = a[rowJ + j] - Dot(lj, lj);
            if (!(d > 0))
            {
                return false;
            }
            d = Math.Sqrt(d);
            a[rowJ + j] = d;
            for (var i = j + 1; i < n; i++)
            {
                var rowI = i * n;
                a[rowI + j] = (a[rowI + j] - Dot(a.AsSpan(rowI, j), lj)) / d;
            }
        }
        return true;
    }

    /// <summary>Solves L x = b in place (b of length n) with the lower factor from <see cref="Factor"/>.</summary>
    public static void SolveLower(double[] l, int n, Span<double> b)
    {
        for (var i = 0; i < n; i++)
        {
            var row = i * n;
            b[i] = (b[i] - Dot(l.AsSpan(row, i), b[..i])) / l[row + i];
        }
    }

    /// <summary>Solves L' x = b in place.</summary>
    public static void SolveUpper(double[] l, int n, Span<double> b)
    {
        for (var i = n - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var k = i + 1; k < n; k++)
            {
                s -= l[k * n + i] * b[k];
            }
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>The dot product of two spans of equal length, with SIMD where the hardware has it.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..x.Length]);
            var acc = Vector<double>.Zero;
            for (var v = 0; v < vx.Length; v++)
            {
                acc += vx[v] * vy[v];
            }
            sum = Vector.Sum(acc);
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }
        return sum;
    }

    /// <summary>Sum of the logs of the squared diagonal: log det(L L').</summary>
    public static double LogDeterminant(double[] l, int n)
    {
        double s = 0;
        for (var i = 0; i < n; i++)
        {
            s += Math.Log(l[i * n + i]);
        }
        return 2 * s;
    }
}
