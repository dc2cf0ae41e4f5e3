using CultureProbe.Reports.Maps;

namespace CultureProbe.Reports.Tests.Maps;

public sealed class EqualEarthProjectionTests
{
    // Oracle: d3-geo 3.1.1 geoEqualEarthRaw(lon * π/180, lat * π/180), computed once with node:
    //   import {geoEqualEarthRaw} from "d3-geo"; console.log(geoEqualEarthRaw(lon*r, lat*r));
    // d3's y grows northwards in the raw projection, as ours does. Tolerance 1e-12: same formula in
    // double precision, only the order of operations differs.
    [Theory]
    [InlineData(180, 0, 2.70662998369607, 0)]
    [InlineData(0, 90, 0, 1.31736275915741)]
    [InlineData(-74, 40.7, -0.981862090157624, 0.786841444197299)]
    [InlineData(139.7, 35.7, 1.90946610780397, 0.698034755871965)]
    [InlineData(18.4, -33.9, 0.253929743630666, -0.665255442696444)]
    public void Matches_d3_geo(double longitude, double latitude, double x, double y)
    {
        var projected = EqualEarthProjection.Project(longitude, latitude);

        projected.X.ShouldBe(x, 1e-12);
        projected.Y.ShouldBe(y, 1e-12);
    }

    [Fact]
    public void Pixel_frame_holds_the_whole_world()
    {
        var (left, _) = WorldAtlas.ToPixels(-180, 0);
        var (right, _) = WorldAtlas.ToPixels(180, 0);
        var (_, top) = WorldAtlas.ToPixels(0, 90);
        var (_, bottom) = WorldAtlas.ToPixels(0, -90);

        left.ShouldBe(WorldAtlas.Margin, 1e-9);
        right.ShouldBe(WorldAtlas.Width - WorldAtlas.Margin, 1e-9);
        top.ShouldBe(WorldAtlas.Margin, 1e-9);
        bottom.ShouldBe(WorldAtlas.Height - WorldAtlas.Margin, 1e-9);
    }
}
