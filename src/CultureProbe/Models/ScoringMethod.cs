namespace CultureProbe.Models;

/// <summary>How a backend obtained the numbers of a result; recorded next to every figure.</summary>
public enum ScoringMethod
{
    /// <summary>Exact log-likelihood from full-vocabulary logits computed locally (llama.cpp in process).</summary>
    LogLikelihoodLocal,

    /// <summary>Log-likelihood from a server's prompt log-probs (vLLM, TGI, SGLang, OpenAI-style echo).</summary>
    LogLikelihoodPromptLogProbs,

    /// <summary>Top-k log-probs of the first answer token from a chat API.</summary>
    ChatTopLogProbs,

    /// <summary>Answer shares estimated from N sampled chat replies.</summary>
    ChatSampling,
}

/// <summary>Stable names of <see cref="ScoringMethod"/> values, as written in result files.</summary>
public static class ScoringMethodNames
{
    /// <summary>The name written in results, e.g. <c>loglik-local</c>.</summary>
    public static string ToWireName(this ScoringMethod method) => method switch
    {
        ScoringMethod.LogLikelihoodLocal => "loglik-local",
        ScoringMethod.LogLikelihoodPromptLogProbs => "loglik-prompt-logprobs",
        ScoringMethod.ChatTopLogProbs => "chat-top-logprobs",
        ScoringMethod.ChatSampling => "chat-sampling",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown scoring method"),
    };
}
