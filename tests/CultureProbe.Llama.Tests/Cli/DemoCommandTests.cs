using Shouldly;

namespace CultureProbe.Llama.Tests.Cli;

public sealed class DemoCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Demo_runs_end_to_end_and_says_it_is_synthetic()
    {
        var (code, output, error) = CliRunner.Run("demo", "--out", _temp.Path);
        code.ShouldBe(0, error);
        output.ShouldContain("SYNTHETIC");
        File.Exists(_temp.File("survey.synthetic.pack.json")).ShouldBeTrue();
    }
}
