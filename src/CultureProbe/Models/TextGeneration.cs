using System.Globalization;

namespace CultureProbe.Models;

/// <summary>How text is sampled. Sample j of a request uses seed <see cref="Seed"/> + j, so every sample is reproducible on its own.</summary>
/// <param name="Temperature">Softmax temperature; 0 means greedy.</param>
/// <param name="TopP">Nucleus sampling: the smallest set of tokens whose probability reaches this; 1 keeps every token.</param>
/// <param name="Seed">Seed of sample 0.</param>
/// <param name="MaxTokens">Longest reply, in tokens.</param>
/// <param name="Stop">Strings that end a reply (the stop string itself is not part of the text).</param>
/// <param name="Grammar">
/// A GBNF grammar (llama.cpp's format, root rule <c>root</c>) every reply must follow, or null. Only the in-process llama
/// backend can enforce one; the server backends refuse it rather than ignore it.
/// </param>
public sealed record GenerationSettings(double Temperature = 0.7, double TopP = 0.95, long Seed = 1, int MaxTokens = 600, IReadOnlyList<string>? Stop = null, string? Grammar = null)
{
    /// <summary>The settings as a canonical string, for keys and provenance.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"temperature={Temperature:R}; top_p={TopP:R}; seed={Seed}; max_tokens={MaxTokens}; stop=[{string.Join("|", (Stop ?? []).Select(s => s.Replace("|", "\\\\|", StringComparison.Ordinal)))}]{(Grammar is null ? "" : $"; grammar={Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Grammar)))[..16]}")}");

    /// <summary>Checks the settings, naming the setting that is out of range.</summary>
    /// <exception cref="SettingException">A setting is out of range.</exception>
    public void Validate()
    {
        SettingException.Require(double.IsFinite(Temperature) && Temperature is >= 0 and <= 10, "temperature", "a number from 0 to 10", Temperature);
        SettingException.Require(double.IsFinite(TopP) && TopP is > 0 and <= 1, "top_p", "a number above 0 and at most 1", TopP);
        SettingException.Require(MaxTokens is >= 1 and <= 1 << 16, "max_tokens", "1 to 65536", MaxTokens);
        SettingException.Require(Stop is null || Stop.All(s => s.Length > 0), "stop", "non-empty stop strings", "an empty one");
        SettingException.Require(Grammar is null || Grammar.Contains("root", StringComparison.Ordinal), "grammar", "a GBNF grammar with a 'root' rule", "one without");
    }
}

/// <summary>Asks for <paramref name="Samples"/> replies to one prompt.</summary>
/// <param name="Prompt">The prompt; a chat model receives it as the user message.</param>
/// <param name="Samples">Replies wanted (they share the prompt's work where the backend can).</param>
/// <param name="Settings">How to sample.</param>
public sealed record GenerationRequest(string Prompt, int Samples, GenerationSettings Settings);

/// <summary>One generated reply.</summary>
/// <param name="Text">The reply, without the stop string that ended it.</param>
/// <param name="Tokens">Tokens generated (as the backend counts them; 0 when it does not say).</param>
/// <param name="FinishReason"><c>stop</c> (end of turn or a stop string) or <c>length</c> (the token limit).</param>
public sealed record GeneratedText(string Text, int Tokens, string FinishReason);

/// <summary>The replies to one request, sample j at index j.</summary>
/// <param name="Samples">One reply per requested sample.</param>
/// <param name="Engine">Details of the run that matter for reproduction.</param>
public sealed record GenerationResult(IReadOnlyList<GeneratedText> Samples, string Engine);

/// <summary>A model that writes free text (used by the multilingual study, and by a judge).</summary>
public interface ITextGenerator : IProbeModel
{
    /// <summary>Samples the replies of <paramref name="request"/>.</summary>
    /// <exception cref="InputException">The prompt cannot be generated from (longer than the context, empty).</exception>
    Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default);
}
