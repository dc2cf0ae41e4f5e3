namespace CultureProbe.Models;

/// <summary>
/// Which model produced a result and where it came from, precise enough to reproduce it.
/// </summary>
/// <param name="Name">Human-readable name (a GGUF's <c>general.name</c>, or the server's model name).</param>
/// <param name="Backend">Backend id: <c>llama</c>, <c>vllm</c>, <c>tgi</c>, <c>sglang</c>, <c>openai-completions</c>, ...</param>
/// <param name="Source">File path of a local model, or endpoint URL of a remote one.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of a local model file; null for remote models.</param>
/// <param name="Properties">Further provenance (architecture, parameter count, quantisation, context length, server version).</param>
public sealed record ModelIdentity(
    string Name,
    string Backend,
    string Source,
    string? Sha256,
    IReadOnlyDictionary<string, string> Properties);
