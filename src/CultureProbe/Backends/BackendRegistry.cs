namespace CultureProbe.Backends;

/// <summary>The backends a program offers, by name.</summary>
public sealed class BackendRegistry
{
    private readonly Dictionary<string, IModelBackend> _byName;

    /// <summary>Creates a registry of <paramref name="backends"/>.</summary>
    /// <exception cref="ArgumentException">Two backends share a name.</exception>
    public BackendRegistry(IEnumerable<IModelBackend> backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        Backends = backends.ToArray();
        _byName = new Dictionary<string, IModelBackend>(StringComparer.OrdinalIgnoreCase);
        foreach (var backend in Backends)
        {
            foreach (var name in backend.Aliases.Prepend(backend.Name))
            {
                if (!_byName.TryAdd(name, backend))
                {
                    throw new ArgumentException($"two backends are named '{name}'", nameof(backends));
                }
            }
        }
    }

    /// <summary>Every backend, in registration order.</summary>
    public IReadOnlyList<IModelBackend> Backends { get; }

    /// <summary>Every backend name, in registration order.</summary>
    public IReadOnlyList<string> Names => Backends.Select(b => b.Name).ToArray();

    /// <summary>The backend named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="SettingException">No backend has that name.</exception>
    public IModelBackend Get(string name) =>
        _byName.GetValueOrDefault(name?.Trim() ?? "")
        ?? throw new SettingException("backend", $"expected one of {string.Join(", ", Names)}, found '{name}'");
}
