using CultureProbe.Backends;
using CultureProbe.Llama;
using CultureProbe.Remote;

namespace CultureProbe.Cli;

/// <summary>The backends this program offers. A new backend is one class and one line here (remote ones: a line in <see cref="RemoteBackends.All"/>).</summary>
internal static class Backends
{
    public static BackendRegistry Registry { get; } = new(
    [
        LlamaBackend.Definition,
        .. RemoteBackends.All,
    ]);
}
