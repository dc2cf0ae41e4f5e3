namespace CultureProbe.Reports.Svg;

/// <summary>Colour-blind-safe colours: Okabe–Ito for series, Paul Tol's muted set for categories, RdBu for correlations.</summary>
internal static class Palette
{
    /// <summary>The human population's colour in every chart.</summary>
    public const string Human = "#555555";

    /// <summary>Countries without data on the map.</summary>
    public const string NoData = "#d9d9d9";

    // Okabe & Ito (2008), without black and yellow (too close to the human grey and too light on white).
    private static readonly string[] SeriesColours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];

    // Paul Tol's "muted" scheme; categories beyond nine repeat colours with another marker shape.
    private static readonly string[] CategoryColours = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499"];

    // ColorBrewer RdBu, 7 classes, from r = -1 (red) through 0 (near white) to r = +1 (blue).
    private static readonly (byte R, byte G, byte B)[] Diverging =
    [
        (0xb2, 0x18, 0x2b), (0xef, 0x8a, 0x62), (0xfd, 0xdb, 0xc7), (0xf7, 0xf7, 0xf7),
        (0xd1, 0xe5, 0xf0), (0x67, 0xa9, 0xcf), (0x21, 0x66, 0xac),
    ];

    /// <summary>The colour of the model with this index.</summary>
    public static string Series(int index) => SeriesColours[index % SeriesColours.Length];

    /// <summary>The colour of the category with this index.</summary>
    public static string Category(int index) => CategoryColours[index % CategoryColours.Length];

    /// <summary>The marker shape of the category with this index (0 circle, 1 square, 2 triangle).</summary>
    public static int CategoryShape(int index) => index / CategoryColours.Length % 3;

    /// <summary>
    /// The map colour of a correlation: linear interpolation through the RdBu stops over [-1, 1];
    /// values outside are clamped, and an undefined correlation is <see cref="NoData"/>.
    /// </summary>
    public static string Correlation(double r)
    {
        if (!double.IsFinite(r))
        {
            return NoData;
        }
        var position = (Math.Clamp(r, -1, 1) + 1) / 2 * (Diverging.Length - 1);
        var low = Math.Min((int)Math.Floor(position), Diverging.Length - 2);
        var t = position - low;
        var (r0, g0, b0) = Diverging[low];
        var (r1, g1, b1) = Diverging[low + 1];
        return $"#{Mix(r0, r1, t):x2}{Mix(g0, g1, t):x2}{Mix(b0, b1, t):x2}";
    }

    private static int Mix(byte a, byte b, double t) => (int)Math.Round(a + (b - a) * t, MidpointRounding.AwayFromZero);
}
