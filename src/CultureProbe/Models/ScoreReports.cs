using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
namespace CultureProbe.Models;

/// <summary>The model as a score report names it.</summary>
/// <param name="Name">Name from the GGUF metadata.</param>
/// <param name="Path">Full path of the file.</param>
/// <param name="Sha256">SHA-256 of the file.</param>
public sealed record ScoreModelInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string? Sha256)
{
    internal static ScoreModelInfo From(ModelIdentity identity) => new(identity.Name, identity.Source, identity.Sha256);
}

/// <summary>A token id and its text.</summary>
public sealed record ScoreToken([property: JsonPropertyName("id")] int Id, [property: JsonPropertyName("piece")] string Piece);

/// <summary>One continuation's score: its tokens, their log-probabilities, the sum and whether all were greedy.</summary>
public sealed record ScoreContinuation(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("tokens")] IReadOnlyList<ScoreToken> Tokens,
    [property: JsonPropertyName("logprobs")] IReadOnlyList<double> LogProbs,
    [property: JsonPropertyName("sum")] double Sum,
    [property: JsonPropertyName("greedy")] bool Greedy);

/// <summary>The result of scoring continuations of one context (JSON: model, method, engine, context, continuations).</summary>
public sealed record ScoreTextReport(
    [property: JsonPropertyName("model")] ScoreModelInfo Model,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("engine")] string Engine,
    [property: JsonPropertyName("context")] string Context,
    [property: JsonPropertyName("continuations")] IReadOnlyList<ScoreContinuation> Continuations)
{
    /// <summary>Builds the report from a one-branch <see cref="LikelihoodResult"/> of <paramref name="model"/>.</summary>
    public static ScoreTextReport From(IProbeModel model, LikelihoodResult result, string context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(result);
        var continuations = result.Branches.SelectMany(b => b).Select(c => new ScoreContinuation(
            c.Text,
            [.. c.Tokens.Select(t => new ScoreToken(t.Id, t.Piece))],
            [.. c.Tokens.Select(t => t.LogProb)],
            c.Sum,
            c.IsGreedy)).ToArray();
        return new ScoreTextReport(ScoreModelInfo.From(model.Identity), model.Method.WireName(), result.Engine, context, continuations);
    }
}

/// <summary>The result of scoring an exact token sequence (JSON: model, method, engine, tokens, logprobs, sum);
/// <c>logprobs[i]</c> belongs to <c>tokens[i + 1]</c>.</summary>
public sealed record ScoreTokensReport(
    [property: JsonPropertyName("model")] ScoreModelInfo Model,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("engine")] string Engine,
    [property: JsonPropertyName("tokens")] IReadOnlyList<int> Tokens,
    [property: JsonPropertyName("logprobs")] IReadOnlyList<double> LogProbs,
    [property: JsonPropertyName("sum")] double Sum)
{
    /// <summary>Builds the report from a <see cref="TokenSequenceScore"/>.</summary>
    public static ScoreTokensReport From(TokenSequenceScore score, string engine)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new ScoreTokensReport(ScoreModelInfo.From(score.Model), ScoringMethod.LogLikelihoodLocal.WireName(), engine,
            [.. score.Tokens.Select(t => t.Id)], score.LogProbs, score.Sum);
    }
}

/// <summary>JSON output of the score reports.</summary>
public static class ScoreJson
{
    /// <summary>Indented, non-ASCII pieces written as themselves, full double precision.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // JSON has no NaN: a broken model's NaN log-probabilities are written as null (and the command fails).
        Converters = { new CultureProbe.IO.NaNAsNullConverter() },
    };

    /// <summary>Serialises a <see cref="ScoreTextReport"/>.</summary>
    public static string Serialize(ScoreTextReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>Serialises a <see cref="ScoreTokensReport"/>.</summary>
    public static string Serialize(ScoreTokensReport report) => JsonSerializer.Serialize(report, Options);
}
