namespace CultureProbe.Reports.Maps;

/// <summary>
/// Cuts rings that cross the ±180° meridian. Natural Earth keeps Fiji and Chukotka whole across it,
/// and Antarctica's ring wraps round the pole; drawn naively, each becomes a stripe across the map.
/// </summary>
internal static class Antimeridian
{
    /// <summary>The ring as one or more rings that stay within −180° … 180°.</summary>
    public static IEnumerable<List<(double Lon, double Lat)>> Split(List<(double Lon, double Lat)> ring)
    {
        var jumps = 0;
        for (var i = 1; i < ring.Count; i++)
        {
            if (Math.Abs(ring[i].Lon - ring[i - 1].Lon) > 180)
            {
                jumps++;
            }
        }
        if (jumps == 0)
        {
            return [ring];
        }
        return jumps % 2 == 1 ? [ClosePolar(ring)] : SplitCrossing(ring);
    }

    /// <summary>
    /// A ring round a pole crosses the meridian once: close it along the map's edge, through the pole.
    /// </summary>
    private static List<(double Lon, double Lat)> ClosePolar(List<(double Lon, double Lat)> ring)
    {
        var pole = ring.Average(p => p.Lat) < 0 ? -90.0 : 90.0;
        var result = new List<(double, double)>(ring.Count + 4);
        result.Add(ring[0]);
        for (var i = 1; i < ring.Count; i++)
        {
            var (p, q) = (ring[i - 1], ring[i]);
            if (Math.Abs(q.Lon - p.Lon) > 180)
            {
                var edge = p.Lon > 0 ? 180.0 : -180.0;
                var unwrappedQ = q.Lon + 2 * edge;
                var t = unwrappedQ == p.Lon ? 0 : (edge - p.Lon) / (unwrappedQ - p.Lon);
                var latitude = p.Lat + t * (q.Lat - p.Lat);
                result.Add((edge, latitude));
                result.Add((edge, pole));
                result.Add((-edge, pole));
                result.Add((-edge, latitude));
            }
            result.Add(q);
        }
        return result;
    }

    /// <summary>
    /// A ring that crosses and comes back: make its longitudes continuous, then clip it to each side of
    /// the meridian (Sutherland–Hodgman against one half-plane) and move the far piece back by 360°.
    /// </summary>
    private static IEnumerable<List<(double Lon, double Lat)>> SplitCrossing(List<(double Lon, double Lat)> ring)
    {
        var unwrapped = new List<(double Lon, double Lat)>(ring.Count) { ring[0] };
        var shift = 0.0;
        for (var i = 1; i < ring.Count; i++)
        {
            var step = ring[i].Lon - ring[i - 1].Lon;
            if (step > 180)
            {
                shift -= 360;
            }
            else if (step < -180)
            {
                shift += 360;
            }
            unwrapped.Add((ring[i].Lon + shift, ring[i].Lat));
        }
        var high = unwrapped.Max(p => p.Lon) > 180;
        var edge = high ? 180.0 : -180.0;
        var inside = Clip(unwrapped, edge, keepBelow: high);
        var outside = Clip(unwrapped, edge, keepBelow: !high).Select(p => (p.Lon - 2 * edge, p.Lat)).ToList();
        return new[] { inside, outside }.Where(piece => piece.Count >= 3);
    }

    private static List<(double Lon, double Lat)> Clip(List<(double Lon, double Lat)> ring, double edge, bool keepBelow)
    {
        bool Inside((double Lon, double Lat) p) => keepBelow ? p.Lon <= edge : p.Lon >= edge;
        var result = new List<(double, double)>();
        for (var i = 0; i < ring.Count; i++)
        {
            var current = ring[i];
            var previous = ring[(i + ring.Count - 1) % ring.Count];
            if (Inside(current) != Inside(previous))
            {
                var t = (edge - previous.Lon) / (current.Lon - previous.Lon);
                result.Add((edge, previous.Lat + t * (current.Lat - previous.Lat)));
            }
            if (Inside(current))
            {
                result.Add(current);
            }
        }
        return result;
    }
}
