namespace CultureProbe.Reports.Maps;

/// <summary>
/// The Equal Earth projection (Šavrič, Patterson &amp; Jenny 2018): equal-area, so countries keep their
/// relative sizes, with a pleasant outline. Output is in projection units: x in about ±2.7066,
/// y in about ±1.3173, y growing northwards.
/// </summary>
internal static class EqualEarthProjection
{
    private const double A1 = 1.340264;
    private const double A2 = -0.081106;
    private const double A3 = 0.000893;
    private const double A4 = 0.003796;
    private static readonly double M = Math.Sqrt(3) / 2;

    /// <summary>Half the width of the projected world (longitude ±180° on the equator).</summary>
    public static readonly double MaxX = Project(180, 0).X;

    /// <summary>Half the height of the projected world (latitude ±90°).</summary>
    public static readonly double MaxY = Project(0, 90).Y;

    /// <summary>Projects a longitude and latitude in degrees.</summary>
    public static (double X, double Y) Project(double longitude, double latitude)
    {
        var lambda = longitude * Math.PI / 180;
        var phi = Math.Clamp(latitude, -90, 90) * Math.PI / 180;
        var theta = Math.Asin(M * Math.Sin(phi));
        var t2 = theta * theta;
        var t6 = t2 * t2 * t2;
        var x = lambda * Math.Cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)));
        var y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
        return (x, y);
    }
}
