using CultureProbe.Models;

namespace CultureProbe.Backends;

/// <summary>
/// One backend: a name, what it measures, and how to open a model with it. Backends register in a
/// <see cref="BackendRegistry"/>; a new backend is one class implementing this and one line in the registry.
/// </summary>
public interface IModelBackend
{
    /// <summary>The name users give (<c>llama</c>, <c>vllm</c>, …); unique in a registry.</summary>
    string Name { get; }

    /// <summary>Other names the backend answers to (older names kept so that documented commands still work).</summary>
    IReadOnlyList<string> Aliases => [];

    /// <summary>One line on what it talks to and how it measures.</summary>
    string Description { get; }

    /// <summary>How every model it opens obtains its numbers; known before any model is opened, so options that do not fit it are refused at once.</summary>
    ScoringMethod Method { get; }

    /// <summary>The id a model gets in tables when the user gives none (a file's name without its extension, a served model's name).</summary>
    string DefaultModelId(string reference) => reference;

    /// <summary>Checks <paramref name="source"/>'s settings without opening anything.</summary>
    /// <exception cref="SettingException">A setting is out of range or missing.</exception>
    void Validate(ModelSource source);

    /// <summary>Opens the model; the caller disposes it.</summary>
    /// <exception cref="InputException">Bad settings or a model that cannot be opened (missing, corrupt, unknown to the server).</exception>
    Task<IProbeModel> OpenAsync(ModelSource source, CancellationToken cancellationToken = default);
}

/// <summary>What to open: the model reference (a GGUF path, or a served model's name) and the backend settings.</summary>
/// <param name="Reference">A file path for a local backend, or the model name a server knows.</param>
/// <param name="Settings">The settings of every backend family, of which each backend reads its own.</param>
public sealed record ModelSource(string Reference, BackendSettings Settings);

/// <summary>
/// Typed settings for any backend, keyed by their type: the llama backend reads its <c>LlamaModelOptions</c>, the
/// remote backends their <c>RemoteModelOptions</c>. A backend whose settings were not given gets their defaults.
/// </summary>
public sealed class BackendSettings
{
    private readonly IReadOnlyDictionary<Type, object> _byType;

    private BackendSettings(IReadOnlyDictionary<Type, object> byType) => _byType = byType;

    /// <summary>No settings: every backend uses its defaults.</summary>
    public static BackendSettings Empty { get; } = new(new Dictionary<Type, object>());

    /// <summary>These settings with <paramref name="settings"/> added (or replacing settings of the same type).</summary>
    public BackendSettings With<T>(T settings)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(new Dictionary<Type, object>(_byType) { [typeof(T)] = settings });
    }

    /// <summary>The settings of type <typeparamref name="T"/>, or its defaults.</summary>
    public T Get<T>()
        where T : class, new() =>
        _byType.TryGetValue(typeof(T), out var settings) ? (T)settings : new T();
}
