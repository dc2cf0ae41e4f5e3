namespace CultureProbe.Llama.Tests;

public sealed class LogSoftmaxTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(49152)]
    [InlineData(151_937)]
    public void The_log_partition_function_matches_a_plain_double_loop(int size)
    {
        var random = new Random(size);
        var logits = new float[size];
        for (var i = 0; i < size; i++)
        {
            logits[i] = (float)((random.NextDouble() * 60) - 30);
        }
        double max = logits.Max();
        var expected = max + Math.Log(logits.Sum(x => Math.Exp(x - max)));

        var (logZ, m) = LogSoftmax.Normalizer(logits);

        m.ShouldBe(logits.Max());
        // Both sum the same terms in double; only the order and a vectorised exp (about 1 ulp) differ.
        logZ.ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void Huge_logits_do_not_overflow()
    {
        float[] logits = [5e4f, 5e4f, -5e4f];
        var (logZ, _) = LogSoftmax.Normalizer(logits);
        // logZ is about 5e4, whose double ulp is 7e-12: allow a few ulps.
        (logits[0] - logZ).ShouldBe(-Math.Log(2), 1e-10);
    }
}
