using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CultureProbe.Llama;

/// <summary>Log-softmax over a full row of logits, accumulated in double precision.</summary>
internal static class LogSoftmax
{
    /// <summary>
    /// Returns log Σ exp(logits) (the log partition function) and the largest logit. log P(t) = logits[t] - LogZ.
    /// The maximum is subtracted before exponentiating so that nothing overflows; the sum runs in double,
    /// four lanes at a time.
    /// </summary>
    public static (double LogZ, float Max) Normalizer(ReadOnlySpan<float> logits)
    {
        var max = TensorPrimitives.Max(logits);
        double m = max;
        var sum = 0.0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && logits.Length >= 8)
        {
            var mv = Vector256.Create(m);
            var acc = Vector256<double>.Zero;
            ref var start = ref MemoryMarshal.GetReference(logits);
            for (; i <= logits.Length - 8; i += 8)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                acc += Vector256.Exp(lower - mv) + Vector256.Exp(upper - mv);
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < logits.Length; i++)
        {
            sum += Math.Exp(logits[i] - m);
        }
        return (m + Math.Log(sum), max);
    }
}
