using CsCheck;
using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class ModelDistributionTests
{
    // Both sides shift by the maximum and exponentiate in double; probabilities ≤ 1 agree to a few ulps.
    private const double OracleTolerance = 1e-12;

    [Theory]
    [InlineData(LikelihoodNormalization.None, "none")]
    [InlineData(LikelihoodNormalization.PerToken, "per_token")]
    [InlineData(LikelihoodNormalization.PerByte, "per_byte")]
    public void Matches_scipy_softmax_for_each_normalisation(LikelihoodNormalization normalization, string expectedKey)
    {
        var cases = OracleFixture.Cases("softmax.json");
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var ll = c.Doubles("ll");
            var tokens = c.Ints("tokens");
            var bytes = c.Ints("bytes");
            var options = ll.Select((l, k) => new OptionLikelihood(l, tokens[k], bytes[k])).ToArray();
            var p = ModelDistribution.FromLogLikelihoods(options, normalization);
            p.ShouldBe(c.Doubles(expectedKey), OracleTolerance, $"case {i}");
            p.Sum().ShouldBe(1.0, 1e-14);
        }
    }

    [Fact]
    public void Very_negative_log_likelihoods_do_not_underflow_to_nothing()
    {
        // exp(-2000) is 0 in double; the shift by the maximum keeps the ratio e^-1 : 1.
        var p = ModelDistribution.FromLogLikelihoods([new(-2001.0, 1, 1), new(-2000.0, 1, 1)], LikelihoodNormalization.None);
        p[0].ShouldBe(1.0 / (1.0 + Math.E), 1e-15);
        p[1].ShouldBe(Math.E / (1.0 + Math.E), 1e-15);
    }

    [Fact]
    public void Minus_infinity_gets_zero_probability_and_all_minus_infinity_is_rejected()
    {
        ModelDistribution.Softmax([double.NegativeInfinity, 0.0]).ShouldBe([0.0, 1.0]);
        Should.Throw<ArgumentException>(() => ModelDistribution.Softmax([double.NegativeInfinity, double.NegativeInfinity]));
        Should.Throw<ArgumentException>(() => ModelDistribution.Softmax([double.NaN, 0.0]));
        Should.Throw<ArgumentException>(() => ModelDistribution.Softmax([]));
    }

    [Fact]
    public void Per_token_and_per_byte_need_positive_counts()
    {
        OptionLikelihood[] options = [new(-1.0, 0, 0), new(-2.0, 1, 1)];
        Should.Throw<ArgumentException>(() => ModelDistribution.FromLogLikelihoods(options, LikelihoodNormalization.PerToken));
        Should.Throw<ArgumentException>(() => ModelDistribution.FromLogLikelihoods(options, LikelihoodNormalization.PerByte));
        // The raw normalisation ignores counts.
        ModelDistribution.FromLogLikelihoods(options, LikelihoodNormalization.None).Length.ShouldBe(2);
    }

    [Fact]
    public void Byte_count_is_utf8()
    {
        ModelDistribution.Utf8ByteCount(" A) Never").ShouldBe(9);
        ModelDistribution.Utf8ByteCount("ä").ShouldBe(2);
    }

    [Fact]
    public void Per_token_equals_none_scaled_so_equal_token_counts_give_the_same_order()
    {
        // With every option one token long, per-token and raw are the same numbers.
        Gen.Int[2, 11].SelectMany(k => Gen.Double[-50.0, 0.0].Array[k]).Sample(ll =>
        {
            var options = ll.Select(l => new OptionLikelihood(l, 1, 7)).ToArray();
            ModelDistribution.FromLogLikelihoods(options, LikelihoodNormalization.PerToken)
                .ShouldBe(ModelDistribution.FromLogLikelihoods(options, LikelihoodNormalization.None));
        }, iter: 300);
    }

    [Fact]
    public void Equal_token_counts_keep_the_order_of_the_raw_distribution()
    {
        // With every option c tokens long, per-token is softmax(ℓ / c): a temperature, so the
        // probabilities differ from the raw ones for c > 1 but their order (and the top answer) does not.
        Gen.Select(Gen.Int[2, 11].SelectMany(k => Gen.Int[-5000, 0].Array[k]), Gen.Int[1, 8]).Sample((ll, c) =>
        {
            var options = ll.Select(l => new OptionLikelihood(l / 100.0, c, 1)).ToArray();
            var raw = ModelDistribution.FromLogLikelihoods(options, LikelihoodNormalization.None);
            var perToken = ModelDistribution.FromLogLikelihoods(options, LikelihoodNormalization.PerToken);
            perToken.ShouldBe(ModelDistribution.Softmax(options.Select(o => o.LogLikelihood / c).ToArray()));
            for (var i = 0; i < ll.Length; i++)
            {
                for (var j = 0; j < ll.Length; j++)
                {
                    if (ll[i] < ll[j])
                    {
                        raw[i].ShouldBeLessThanOrEqualTo(raw[j]);
                        perToken[i].ShouldBeLessThanOrEqualTo(perToken[j]);
                    }
                }
            }
            DistributionMetrics.TopAnswer(perToken).ShouldBe(DistributionMetrics.TopAnswer(raw));
        }, iter: 300);
    }

    [Fact]
    public void Result_is_a_distribution_for_any_finite_input()
    {
        Gen.Select(Gen.Int[2, 11].SelectMany(k => Gen.Double[-5000.0, 0.0].Array[k]), Gen.OneOf(LikelihoodNormalization.None, LikelihoodNormalization.PerToken, LikelihoodNormalization.PerByte))
            .Sample((ll, normalization) =>
            {
                var options = ll.Select((l, k) => new OptionLikelihood(l, 1 + k, 3 + k)).ToArray();
                var p = ModelDistribution.FromLogLikelihoods(options, normalization);
                p.ShouldAllBe(v => v >= 0.0 && v <= 1.0);
                p.Sum().ShouldBe(1.0, 1e-14);
                p.Max().ShouldBeGreaterThan(0.0);
            }, iter: 300);
    }
}
