namespace CultureProbe;

/// <summary>
/// A setting a library was given is not acceptable. It names the setting (e.g. <c>max_in_flight</c>) and what was
/// expected, never a command-line flag: only the command line knows which flag sets which setting, and it says so
/// in its own message.
/// </summary>
public sealed class SettingException : InputException
{
    /// <summary>Creates the exception for <paramref name="setting"/> with the problem (what was expected, what was found).</summary>
    public SettingException(string setting, string problem)
        : base($"{setting}: {problem}")
    {
        Setting = setting;
        Problem = problem;
    }

    /// <summary>The setting's name, e.g. <c>max_in_flight</c>.</summary>
    public string Setting { get; }

    /// <summary>What was expected and found, without the setting's name.</summary>
    public string Problem { get; }

    /// <summary>Throws when <paramref name="ok"/> is false: "<paramref name="setting"/>: expected <paramref name="expected"/>, found <paramref name="found"/>".</summary>
    public static void Require(bool ok, string setting, string expected, object? found)
    {
        if (!ok)
        {
            throw new SettingException(setting, $"expected {expected}, found {found}");
        }
    }
}
