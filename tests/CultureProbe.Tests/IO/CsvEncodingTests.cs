using System.Text;
using CultureProbe.IO;
using Shouldly;

namespace CultureProbe.Tests.IO;

/// <summary>The shared CSV reader names UTF-16 and UTF-32 files instead of reading them as one garbled header.</summary>
public sealed class CsvEncodingTests
{
    [Theory]
    [InlineData(new byte[] { }, null)]
    [InlineData(new byte[] { (byte)'a' }, null)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a', (byte)',', (byte)'b' }, null)]
    [InlineData(new byte[] { (byte)'a', (byte)',', (byte)'b', (byte)'\n', (byte)'1', (byte)',', 0, (byte)'\n' }, null)] // one stray zero byte is not an encoding
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'a', 0 }, "UTF-16 (little-endian)")]
    [InlineData(new byte[] { 0xFE, 0xFF, 0, (byte)'a' }, "UTF-16 (big-endian)")]
    [InlineData(new byte[] { 0xFF, 0xFE, 0, 0, (byte)'a', 0, 0, 0 }, "UTF-32 (little-endian)")]
    [InlineData(new byte[] { 0, 0, 0xFE, 0xFF, 0, 0, 0, (byte)'a' }, "UTF-32 (big-endian)")]
    [InlineData(new byte[] { (byte)'a', 0, (byte)',', 0, (byte)'b', 0 }, "UTF-16 (little-endian)")]
    [InlineData(new byte[] { 0, (byte)'a', 0, (byte)',', 0, (byte)'b' }, "UTF-16 (big-endian)")]
    [InlineData(new byte[] { (byte)'a', 0, 0, 0, (byte)',', 0, 0, 0 }, "UTF-32 (little-endian)")]
    [InlineData(new byte[] { 0, 0, 0, (byte)'a', 0, 0, 0, (byte)',' }, "UTF-32 (big-endian)")]
    public void The_encoding_is_recognised_from_the_start_of_the_file(byte[] start, string? encoding)
    {
        DelimitedRecordReader.NotUtf8(start).ShouldBe(encoding);
    }

    [Fact]
    public void A_utf8_file_with_a_byte_order_mark_still_reads()
    {
        using var stream = new MemoryStream([0xEF, 0xBB, 0xBF, .. "a,b\n1,2\n"u8.ToArray()]);
        using var reader = new DelimitedRecordReader(stream, "x.csv");
        reader.ReadRecord().ShouldBeTrue();
        reader.FieldText(0).ShouldBe("a");
    }

    [Fact]
    public void Importing_a_utf16_survey_file_names_the_encoding()
    {
        using var temp = new TempDirectory();
        CliRunner.Run("synth", "--out", temp.File("s.synthetic.csv"), "--countries", "USA,JPN", "--rows", "20").ExitCode.ShouldBe(0);
        var utf16 = temp.File("s16.synthetic.csv");
        File.WriteAllText(utf16, File.ReadAllText(temp.File("s.synthetic.csv")), new UnicodeEncoding(bigEndian: false, byteOrderMark: true));

        var (code, _, error) = CliRunner.Run("import", utf16, "--out", temp.File("p.json"));

        code.ShouldBe(2, error);
        error.ShouldContain("s16.synthetic.csv: the file is UTF-16 (little-endian), not UTF-8");
        error.ShouldNotContain("   at ");
        File.Exists(temp.File("p.json")).ShouldBeFalse();
    }
}
