using CultureProbe.Backends;
using CultureProbe.Models;

namespace CultureProbe.Llama;

/// <summary>The <c>llama</c> backend: a GGUF file run in process by llama.cpp; its settings are <see cref="LlamaModelOptions"/>.</summary>
public sealed class LlamaBackend : IModelBackend
{
    private LlamaBackend()
    {
    }

    /// <summary>The backend, for a <see cref="BackendRegistry"/>.</summary>
    public static IModelBackend Definition { get; } = new LlamaBackend();

    /// <inheritdoc />
    public string Name => "llama";

    /// <inheritdoc />
    public string Description => "a GGUF file run in process by llama.cpp: exact log-likelihoods from the full vocabulary";

    /// <inheritdoc />
    public ScoringMethod Method => ScoringMethod.LogLikelihoodLocal;

    /// <inheritdoc />
    public string DefaultModelId(string reference) => Path.GetFileNameWithoutExtension(reference);

    /// <inheritdoc />
    public void Validate(ModelSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var options = source.Settings.Get<LlamaModelOptions>();
        options.Validate();
        // A device this machine cannot run is refused before anything is read, downloaded or scored.
        LlamaRuntime.CheckDevice(options.Device);
    }

    /// <inheritdoc />
    public async Task<IProbeModel> OpenAsync(ModelSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return await LlamaModel.OpenAsync(source.Reference, source.Settings.Get<LlamaModelOptions>(), cancellationToken).ConfigureAwait(false);
    }
}
