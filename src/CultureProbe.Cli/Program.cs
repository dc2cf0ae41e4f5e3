using System.CommandLine;
using CultureProbe.Cli.Commands;

namespace CultureProbe.Cli;

/// <summary>Entry point of the <c>cultureprobe</c> command.</summary>
public static class Program
{
    /// <summary>Exit code of a successful run.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code of a run that failed for reasons other than its input.</summary>
    public const int ExitRunFailed = 1;

    /// <summary>Exit code of bad usage or bad input.</summary>
    public const int ExitBadInput = 2;

    /// <summary>Environment variable that makes an unexpected failure print its stack trace.</summary>
    public const string TraceVariable = "CULTUREPROBE_TRACE";

    /// <summary>Runs the command line and returns the exit code.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given writers (used by tests).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = BuildRootCommand();
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                error.WriteLine($"error: {parseError.Message}");
            }
            error.WriteLine("Run 'cultureprobe --help' (or a verb with --help) to see the usage.");
            return ExitBadInput;
        }
        try
        {
            OutputPathGuard.Check(parseResult);
            return parseResult.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (SettingException e)
        {
            // Libraries name the setting; the command line names the flag that sets it.
            error.WriteLine($"error: {(Commands.ModelOptions.FlagOf(e.Setting) is { } flag ? $"{flag}: {e.Problem}" : e.Message)}");
            return ExitBadInput;
        }
        catch (InputException e)
        {
            error.WriteLine($"error: {Sanitize(e.Message)}");
            return ExitBadInput;
        }
        catch (Llama.LlamaRuntimeException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitRunFailed;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled; what was finished is kept");
            return ExitRunFailed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitRunFailed;
        }
#pragma warning disable CA1031 // The command line is the last place to catch: report any failure as a failed run, never a crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Bad input is reported as InputException (exit 2) where it is found; reaching here is a bug, so say so,
            // and keep the stack trace for whoever debugs it rather than printing it at every user.
            error.WriteLine($"error: the run failed on an unexpected {e.GetType().Name}: {Sanitize(e.Message, 500)}");
            error.WriteLine($"This is a bug in CultureProbe; please report it with the command line. Set {TraceVariable}=1 to print where it happened.");
            if (Environment.GetEnvironmentVariable(TraceVariable) == "1")
            {
                error.WriteLine(e.ToString());
            }
            return ExitRunFailed;
        }
    }

    /// <summary>A message safe to print on a terminal: quoted input escaped, our own line breaks kept.</summary>
    internal static string Sanitize(string message, int maxLength = int.MaxValue) => IO.PrintableText.Of(message, maxLength, keepLineBreaks: true);

    /// <summary>Builds the command tree.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("CultureProbe: does this language model judge cultural values the way people in each country do? "
            + "Compares a model's answers to World Values Survey items with the answer distributions of real populations.");
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(DistributionsCommand.Create());
        root.Subcommands.Add(QuestionsCommand.Create());
        root.Subcommands.Add(CountriesCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(AnalyzeCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(LmmCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(StudyCommand.Create());
        return root;
    }
}
