using System.Globalization;
using System.Text.RegularExpressions;
using CultureProbe.Reports.Maps;

namespace CultureProbe.Reports.Tests.Maps;

public sealed partial class WorldAtlasTests
{
    [Fact]
    public void Embedded_atlas_holds_the_natural_earth_110m_countries()
    {
        var atlas = WorldAtlas.Default;

        // world-atlas 2.0.2 countries-110m.json: 177 geometries, three of them without an ISO code.
        atlas.Shapes.Count.ShouldBe(177);
        atlas.Shapes.Count(s => s.IsoNumeric is null).ShouldBe(3);
        atlas.Shapes.Single(s => s.IsoNumeric == 840).Name.ShouldBe("United States of America");
        atlas.Shapes.Single(s => s.IsoNumeric == 392).Name.ShouldBe("Japan");
        atlas.Shapes.ShouldAllBe(s => s.PathData.Length > 0);
    }

    [Fact]
    public void Every_path_stays_inside_the_map_frame()
    {
        foreach (var shape in WorldAtlas.Default.Shapes)
        {
            foreach (var (x, y) in AbsolutePoints(shape.PathData))
            {
                x.ShouldBeInRange(-0.5, WorldAtlas.Width + 0.5, shape.Name);
                y.ShouldBeInRange(-0.5, WorldAtlas.Height + 0.5, shape.Name);
            }
        }
    }

    [Fact]
    public void Shapes_crossing_the_antimeridian_do_not_stripe_across_the_map()
    {
        // Fiji and Chukotka straddle ±180°: drawn naively one edge spans the whole map width.
        foreach (var name in new[] { "Fiji", "Russia" })
        {
            var longest = Rings(WorldAtlas.Default.Shapes.Single(s => s.Name == name).PathData)
                .Max(ring => ring.Zip(ring.Skip(1)).Max(p => Math.Abs(p.First.X - p.Second.X)));
            longest.ShouldBeLessThan(WorldAtlas.Width / 3, name);
        }
        // Antarctica wraps round the pole: its only long edge is the pole line at the bottom of the frame.
        var antarctica = Rings(WorldAtlas.Default.Shapes.Single(s => s.Name == "Antarctica").PathData);
        foreach (var (a, b) in antarctica.SelectMany(ring => ring.Zip(ring.Skip(1))).Where(p => Math.Abs(p.First.X - p.Second.X) > WorldAtlas.Width / 3))
        {
            a.Y.ShouldBe(WorldAtlas.Height - WorldAtlas.Margin, 0.2);
            b.Y.ShouldBe(WorldAtlas.Height - WorldAtlas.Margin, 0.2);
        }
    }

    [Fact]
    public void Decodes_delta_encoded_quantized_arcs_and_reversed_references()
    {
        // A square split into two arcs; the second polygon walks arc 0 backwards (~0 = -1).
        const string topology = """
            {"type":"Topology","transform":{"scale":[1,1],"translate":[-10,-10]},
             "arcs":[[[0,0],[20,0],[0,20]],[[20,20],[-20,0],[0,-20]]],
             "objects":{"countries":{"type":"GeometryCollection","geometries":[
               {"type":"Polygon","arcs":[[0,1]],"id":"001","properties":{"name":"Square"}},
               {"type":"MultiPolygon","arcs":[[[-1,-2]]],"id":2,"properties":{"name":"Backwards"}},
               {"type":"Polygon","arcs":[[0,1]],"properties":{"name":"Nameless"}}]}}}
            """;

        var atlas = WorldAtlas.Parse(topology);

        atlas.Shapes.Select(s => s.IsoNumeric).ShouldBe([1, 2, null]);
        var square = AbsolutePoints(atlas.Shapes[0].PathData);
        var expected = new[] { (-10.0, -10.0), (10.0, -10.0), (10.0, 10.0), (-10.0, 10.0) }
            .Select(p => WorldAtlas.ToPixels(p.Item1, p.Item2)).ToList();
        square.Count.ShouldBe(5); // four corners and the shared closing point
        for (var i = 0; i < 4; i++)
        {
            square[i].X.ShouldBe(expected[i].X, 0.1);
            square[i].Y.ShouldBe(expected[i].Y, 0.1);
        }
        var backwards = AbsolutePoints(atlas.Shapes[1].PathData);
        // ~0 walks arc 0 from its end (10,10) back to (-10,-10); ~1 then walks arc 1 back to (10,10).
        int[] order = [2, 1, 0, 3];
        for (var i = 0; i < 4; i++)
        {
            backwards[i].X.ShouldBe(expected[order[i]].X, 0.1);
            backwards[i].Y.ShouldBe(expected[order[i]].Y, 0.1);
        }
    }

    /// <summary>Absolute points of every ring of an "M x,y l dx,dy ... z" path, one after the other.</summary>
    private static List<(double X, double Y)> AbsolutePoints(string path) => Rings(path).SelectMany(r => r).ToList();

    /// <summary>Absolute points of each ring of an "M x,y l dx,dy ... z" path as written by the atlas.</summary>
    private static List<List<(double X, double Y)>> Rings(string path)
    {
        var rings = new List<List<(double X, double Y)>>();
        foreach (Match ring in RingPattern().Matches(path))
        {
            var points = new List<(double, double)>();
            rings.Add(points);
            var numbers = NumberPattern().Matches(ring.Value).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();
            var (x, y) = (numbers[0], numbers[1]);
            points.Add((x, y));
            for (var i = 2; i + 1 < numbers.Count; i += 2)
            {
                (x, y) = (x + numbers[i], y + numbers[i + 1]);
                points.Add((x, y));
            }
        }
        return rings;
    }

    [GeneratedRegex("M[^z]*z")]
    private static partial Regex RingPattern();

    [GeneratedRegex(@"-?\d+(\.\d+)?")]
    private static partial Regex NumberPattern();
}
