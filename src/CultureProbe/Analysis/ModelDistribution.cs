using System.Text;
using System.Text.Json.Serialization;

namespace CultureProbe.Analysis;

/// <summary>How answer log-likelihoods are scaled before they become a distribution.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LikelihoodNormalization>))]
public enum LikelihoodNormalization
{
    /// <summary>Raw sum of token log-probabilities (Kim &amp; Baek's default): longer answers are penalised.</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>Log-likelihood divided by the answer's token count: the mean log-probability per token.</summary>
    [JsonStringEnumMemberName("per-token")]
    PerToken,

    /// <summary>Log-likelihood divided by the answer's UTF-8 byte count: independent of the tokenizer.</summary>
    [JsonStringEnumMemberName("per-byte")]
    PerByte,
}

/// <summary>What a scorer measured for one answer option.</summary>
/// <param name="LogLikelihood">Sum of the answer tokens' natural-log probabilities given the prompt; ≤ 0 in practice, −∞ allowed.</param>
/// <param name="TokenCount">Number of answer tokens scored.</param>
/// <param name="ByteCount">UTF-8 length of the answer text (see <see cref="ModelDistribution.Utf8ByteCount"/>).</param>
public readonly record struct OptionLikelihood(double LogLikelihood, int TokenCount, int ByteCount);

/// <summary>Turns per-option log-likelihoods into the model's answer distribution p.</summary>
public static class ModelDistribution
{
    /// <summary>
    /// p_k = exp(ℓ_k) / Σ_j exp(ℓ_j), where ℓ_k is the log-likelihood of option k scaled by
    /// <paramref name="normalization"/>; computed with log-sum-exp so no term overflows or
    /// underflows to an all-zero distribution.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// No options; a log-likelihood is NaN or +∞; every one is −∞; or a count used by the
    /// normalisation is not positive.
    /// </exception>
    public static double[] FromLogLikelihoods(IReadOnlyList<OptionLikelihood> options, LikelihoodNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scaled = new double[options.Count];
        for (var k = 0; k < options.Count; k++)
        {
            var option = options[k];
            scaled[k] = normalization switch
            {
                LikelihoodNormalization.None => option.LogLikelihood,
                LikelihoodNormalization.PerToken => option.LogLikelihood / PositiveCount(option.TokenCount, k, "token"),
                LikelihoodNormalization.PerByte => option.LogLikelihood / PositiveCount(option.ByteCount, k, "byte"),
                _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown normalisation"),
            };
        }
        return Softmax(scaled);
    }

    /// <summary>p_k = s_k / Σ s_j: measured shares (chat top-logprobs, sampled replies) as a distribution.</summary>
    /// <exception cref="ArgumentException">No options, a share that is negative or not finite, or all shares 0.</exception>
    public static double[] FromShares(IReadOnlyList<double> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        DistributionMetrics.ValidateDistribution(shares, nameof(shares));
        var total = shares.Sum();
        return shares.Select(s => s / total).ToArray();
    }

    /// <summary>Softmax exp(x_k − logΣexp(x)); −∞ entries get probability 0.</summary>
    /// <exception cref="ArgumentException">Empty input, a NaN or +∞ entry, or every entry −∞.</exception>
    public static double[] Softmax(IReadOnlyList<double> logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Count == 0)
        {
            throw new ArgumentException("a distribution needs at least one option", nameof(logits));
        }
        var max = double.NegativeInfinity;
        for (var k = 0; k < logits.Count; k++)
        {
            if (double.IsNaN(logits[k]) || double.IsPositiveInfinity(logits[k]))
            {
                throw new ArgumentException($"log-likelihood {k} is {logits[k]}: expected a finite number or −∞", nameof(logits));
            }
            max = Math.Max(max, logits[k]);
        }
        if (double.IsNegativeInfinity(max))
        {
            throw new ArgumentException("every option has log-likelihood −∞: no distribution can be formed", nameof(logits));
        }
        // Shifting by the maximum makes the largest term exp(0) = 1, so the sum lies in [1, K].
        var result = new double[logits.Count];
        var sum = 0.0;
        for (var k = 0; k < logits.Count; k++)
        {
            result[k] = Math.Exp(logits[k] - max);
            sum += result[k];
        }
        for (var k = 0; k < result.Length; k++)
        {
            result[k] /= sum;
        }
        return result;
    }

    /// <summary>UTF-8 byte count of an answer continuation, as used by <see cref="LikelihoodNormalization.PerByte"/>.</summary>
    public static int Utf8ByteCount(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encoding.UTF8.GetByteCount(text);
    }

    private static int PositiveCount(int count, int option, string unit) =>
        count > 0 ? count : throw new ArgumentException($"option {option} has {count} {unit}s: {unit}-normalised likelihoods need a positive count", nameof(count));
}
