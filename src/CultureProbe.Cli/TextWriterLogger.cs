using Microsoft.Extensions.Logging;

namespace CultureProbe.Cli;

/// <summary>
/// Writes log entries of <see cref="LogLevel.Information"/> and above as lines on a writer (standard error, with
/// <c>--verbose</c>): "warning: …". Lines from several threads never interleave.
/// </summary>
internal sealed class TextWriterLogger(TextWriter writer) : ILogger
{
    private readonly Lock _lock = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }
        var level = logLevel switch
        {
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            _ => "error",
        };
        var line = $"{level}: {formatter(state, exception)}";
        lock (_lock)
        {
            writer.WriteLine(line);
        }
    }
}
