using CultureProbe.Reports.Svg;

namespace CultureProbe.Reports.Tests.Svg;

public sealed class PaletteTests
{
    [Theory]
    [InlineData(-1.0, "#b2182b")]
    [InlineData(-2.0, "#b2182b")]
    [InlineData(0.0, "#f7f7f7")]
    [InlineData(1.0, "#2166ac")]
    [InlineData(1 / 3.0, "#d1e5f0")]
    [InlineData(double.NaN, Palette.NoData)]
    [InlineData(double.PositiveInfinity, Palette.NoData)]
    public void Correlation_colours_follow_the_RdBu_stops(double r, string colour)
    {
        Palette.Correlation(r).ShouldBe(colour);
    }

    [Fact]
    public void Negative_correlations_are_red_and_positive_ones_blue()
    {
        foreach (var r in Enumerable.Range(-10, 21).Where(i => i != 0).Select(i => i / 10.0))
        {
            var colour = Palette.Correlation(r);
            var (red, blue) = (Convert.ToInt32(colour[1..3], 16), Convert.ToInt32(colour[5..7], 16));
            (r < 0 ? red > blue : blue > red).ShouldBeTrue($"r = {r}: {colour}");
        }
    }

    [Fact]
    public void Markup_escapes_text_and_refuses_non_finite_coordinates()
    {
        Markup.Escape("a<b & \"c\" 'd'>").ShouldBe("a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
        Markup.Num(-0.0001).ShouldBe("0");
        Markup.Num(12.345678).ShouldBe("12.35");
        Should.Throw<InvalidOperationException>(() => Markup.Num(double.NaN));
        Markup.Stat(double.NaN).ShouldBe("—");
        Markup.DisplaySource("https://api.example.org/v1 gpt").ShouldBe("api.example.org/v1 gpt (over HTTPS)");
    }
}

public sealed class LinearScaleTests
{
    [Theory]
    [InlineData(0.02, 0.93, 0.0, 1.0)]
    [InlineData(-0.13, 0.6, -0.2, 0.6)]
    [InlineData(0.6000000000001, 0.6000000000001, 0.0, 0.6)]
    [InlineData(-3.0, 3.0, -1.0, 1.0)]
    public void Nice_domain_covers_the_values_without_an_empty_step(double a, double b, double low, double high)
    {
        var domain = LinearScale.NiceDomain([a, b, double.NaN], 0.2, -1, 1, 0, 0);

        domain.Low.ShouldBe(low, 1e-12);
        domain.High.ShouldBe(high, 1e-12);
    }
}

public sealed class TickTests
{
    [Fact]
    public void Ticks_never_include_negative_zero()
    {
        // A domain starting at 0 computes its first tick as Ceiling(-1e-9) * 0.2, which is -0.
        var ticks = new LinearScale(0, 1, 0, 100).Ticks(0.2).Concat(new LinearScale(-0.6, 1, 0, 100).Ticks(0.2)).ToList();

        ticks.ShouldContain(0);
        ticks.Select(t => t.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)).ShouldNotContain("-0.0");
    }
}
