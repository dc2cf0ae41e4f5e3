namespace CultureProbe.TestKit;

/// <summary>Runs the real command line in-process and captures what it prints.</summary>
public static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CultureProbe.Cli.Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
