using System.Reflection;

namespace CultureProbe;

/// <summary>Facts about this build of CultureProbe that every output records.</summary>
public static class ProgramInfo
{
    /// <summary>The version string of this program (without the source-revision suffix), recorded in provenance.</summary>
    public static string Version { get; } =
        typeof(ProgramInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
