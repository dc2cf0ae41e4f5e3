using System.Text.Json.Serialization;

namespace CultureProbe.Models;

/// <summary>How the numbers of a result were obtained; recorded next to every figure. The wire names are what files say.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScoringMethod>))]
public enum ScoringMethod
{
    /// <summary>Exact log-likelihood from full-vocabulary logits computed locally (llama.cpp in process).</summary>
    [JsonStringEnumMemberName("loglik-local")]
    LogLikelihoodLocal,

    /// <summary>Log-likelihood from a server's prompt log-probs (vLLM, TGI, SGLang, OpenAI-style echo).</summary>
    [JsonStringEnumMemberName("loglik-prompt-logprobs")]
    LogLikelihoodPromptLogProbs,

    /// <summary>Top-k log-probs of the first answer token from a chat API.</summary>
    [JsonStringEnumMemberName("chat-top-logprobs")]
    ChatTopLogProbs,

    /// <summary>Answer shares estimated from N sampled chat replies.</summary>
    [JsonStringEnumMemberName("chat-sampling")]
    ChatSampling,

    /// <summary>Distributions made elsewhere and given to <c>analyze</c>; CultureProbe did not measure them.</summary>
    [JsonStringEnumMemberName("external")]
    External,

    /// <summary>Free text written by the model (sampled with a temperature, top-p and seed), labelled afterwards by a judge.</summary>
    [JsonStringEnumMemberName("generation")]
    Generation,
}

/// <summary>What a measurement method gives back, which decides how it becomes a distribution and which normalisations apply.</summary>
public enum MeasurementKind
{
    /// <summary>The log-likelihood of each answer's tokens given the prompt; length normalisations apply.</summary>
    LogLikelihood,

    /// <summary>A share of probability (or of sampled replies) per answer option; there is no length to normalise.</summary>
    OptionShares,

    /// <summary>Free text written by the model, labelled afterwards.</summary>
    GeneratedText,
}

/// <summary>Facts about each <see cref="ScoringMethod"/>.</summary>
public static class ScoringMethods
{
    /// <summary>What <paramref name="method"/> measures.</summary>
    public static MeasurementKind Measures(this ScoringMethod method) => method switch
    {
        ScoringMethod.LogLikelihoodLocal or ScoringMethod.LogLikelihoodPromptLogProbs => MeasurementKind.LogLikelihood,
        ScoringMethod.ChatTopLogProbs or ScoringMethod.ChatSampling or ScoringMethod.External => MeasurementKind.OptionShares,
        ScoringMethod.Generation => MeasurementKind.GeneratedText,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown scoring method"),
    };
}
