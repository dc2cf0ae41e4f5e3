using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CultureProbe.Remote.Tests.Fakes;

/// <summary>
/// A stand-in language model for the fake servers: a word/punctuation tokenizer (leading spaces belong to the
/// next token) and log-probabilities that are a fixed function of the text before a token and the token.
/// Each server format below is written from that server's documented response shape (see Fixtures/README.md),
/// independently of the client's parsers.
/// </summary>
public static partial class FakeEngine
{
    [GeneratedRegex(@"\s*(?:\w+|[^\w\s])|\s+$")]
    private static partial Regex TokenPattern();

    public static IReadOnlyList<string> Tokenize(string text) => TokenPattern().Matches(text).Select(m => m.Value).ToArray();

    private static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }

    public static double LogProb(string before, string piece) => -0.02 - (Hash(before + "\u0001" + piece) % 4000) / 731.0;

    public static int Id(string piece) => (int)(Hash(piece) % 32000) + 10;

    public static bool Greedy(double logProb) => logProb > -0.7;

    /// <summary>The arithmetic a client must reproduce: the sum of the continuation's token log-probs.</summary>
    public static double Expected(string context, string continuation)
    {
        var sum = 0.0;
        var before = context;
        foreach (var piece in Tokenize(continuation))
        {
            sum += LogProb(before, piece);
            before += piece;
        }
        return sum;
    }

    /// <summary>(piece, log-prob or null for the first, offset) of every token of <paramref name="prompt"/>.</summary>
    public static List<(string Piece, double? LogProb, int Offset)> Score(string prompt)
    {
        var list = new List<(string, double?, int)>();
        var offset = 0;
        foreach (var piece in Tokenize(prompt))
        {
            list.Add((piece, offset == 0 ? null : LogProb(prompt[..offset], piece), offset));
            offset += piece.Length;
        }
        return list;
    }

    private static IEnumerable<string> Prompts(JsonNode? prompt) =>
        prompt is JsonArray array ? array.Select(p => p!.GetValue<string>()) : [prompt!.GetValue<string>()];

    /// <summary>OpenAI-style /v1/completions with echo and logprobs (vLLM's rendering).</summary>
    public static JsonNode OpenAIEcho(JsonNode body)
    {
        var choices = new JsonArray();
        var index = 0;
        var promptTokens = 0;
        foreach (var prompt in Prompts(body["prompt"]))
        {
            var tokens = Score(prompt);
            tokens.Add((" Z", LogProb(prompt, " Z"), prompt.Length));
            promptTokens += tokens.Count - 1;
            choices.Add(new JsonObject
            {
                ["index"] = index++,
                ["text"] = prompt + " Z",
                ["logprobs"] = new JsonObject
                {
                    ["text_offset"] = new JsonArray(tokens.Select(t => (JsonNode)t.Offset).ToArray()),
                    ["token_logprobs"] = new JsonArray(tokens.Select(t => t.LogProb is { } lp ? (JsonNode)lp : null).ToArray()),
                    ["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)t.Piece).ToArray()),
                    ["top_logprobs"] = new JsonArray(tokens.Select(t => t.LogProb is { } lp
                        ? (JsonNode)new JsonObject(Greedy(lp) ? [new(t.Piece, lp)] : [new(t.Piece, lp), new("§top", -0.5)])
                        : null).ToArray()),
                },
                ["finish_reason"] = "length",
            });
        }
        return new JsonObject
        {
            ["id"] = "cmpl-fake",
            ["object"] = "text_completion",
            ["model"] = body["model"]!.GetValue<string>(),
            ["choices"] = choices,
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = choices.Count, ["total_tokens"] = promptTokens + choices.Count },
        };
    }

    /// <summary>vLLM /v1/completions with the prompt_logprobs extension.</summary>
    public static JsonNode VllmPromptLogProbs(JsonNode body)
    {
        var choices = new JsonArray();
        var index = 0;
        foreach (var prompt in Prompts(body["prompt"]))
        {
            var positions = new JsonArray();
            foreach (var (piece, logProb, _) in Score(prompt))
            {
                if (logProb is not { } lp)
                {
                    positions.Add(null);
                    continue;
                }
                var entry = new JsonObject { [Id(piece).ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["logprob"] = lp, ["rank"] = Greedy(lp) ? 1 : 3, ["decoded_token"] = piece } };
                if (!Greedy(lp))
                {
                    entry["7"] = new JsonObject { ["logprob"] = -0.5, ["rank"] = 1, ["decoded_token"] = "§" };
                }
                positions.Add(entry);
            }
            choices.Add(new JsonObject { ["index"] = index++, ["text"] = " Z", ["logprobs"] = null, ["finish_reason"] = "length", ["prompt_logprobs"] = positions });
        }
        return new JsonObject { ["id"] = "cmpl-fake", ["object"] = "text_completion", ["model"] = body["model"]!.GetValue<string>(), ["choices"] = choices };
    }

    /// <summary>TGI /generate with details and decoder_input_details; a BOS token opens the prefill.</summary>
    public static JsonNode Tgi(JsonNode body)
    {
        var prompt = body["inputs"]!.GetValue<string>();
        var prefill = new JsonArray { new JsonObject { ["id"] = 1, ["text"] = "<s>", ["logprob"] = null } };
        foreach (var (piece, logProb, _) in Score(prompt))
        {
            // With BOS in front, the first text token has a log-prob too; the fake gives it one.
            prefill.Add(new JsonObject { ["id"] = Id(piece), ["text"] = piece, ["logprob"] = logProb ?? -3.0 });
        }
        return new JsonObject
        {
            ["generated_text"] = " Z",
            ["details"] = new JsonObject
            {
                ["finish_reason"] = "length",
                ["generated_tokens"] = 1,
                ["seed"] = null,
                ["prefill"] = prefill,
                ["tokens"] = new JsonArray { new JsonObject { ["id"] = 99, ["text"] = " Z", ["logprob"] = -1.0, ["special"] = false } },
            },
        };
    }

    /// <summary>SGLang /generate with return_logprob, logprob_start_len 0 and text in the log-prob tuples.</summary>
    public static JsonNode Sglang(JsonNode body)
    {
        var answers = new JsonArray();
        foreach (var prompt in Prompts(body["text"]))
        {
            var tokens = Score(prompt);
            answers.Add(new JsonObject
            {
                ["text"] = " Z",
                ["meta_info"] = new JsonObject
                {
                    ["prompt_tokens"] = tokens.Count,
                    ["completion_tokens"] = 1,
                    ["input_token_logprobs"] = new JsonArray(tokens.Select(t => (JsonNode)new JsonArray(t.LogProb is { } lp ? lp : null, Id(t.Piece), t.Piece)).ToArray()),
                    ["input_top_logprobs"] = new JsonArray(tokens.Select(t => t.LogProb is { } lp
                        ? (JsonNode)new JsonArray(Greedy(lp) ? new JsonArray(lp, Id(t.Piece), t.Piece) : new JsonArray(-0.5, 7, "§"))
                        : null).ToArray()),
                    ["output_token_logprobs"] = new JsonArray(new JsonArray(-1.0, 99, " Z")),
                },
            });
        }
        return answers;
    }

    /// <summary>The reply of <paramref name="backend"/> to <paramref name="body"/>.</summary>
    public static JsonNode Reply(string backend, JsonNode body) => backend switch
    {
        "openai-completions" => OpenAIEcho(body),
        "vllm" => VllmPromptLogProbs(body),
        "tgi" => Tgi(body),
        "sglang" => Sglang(body),
        _ => throw new ArgumentOutOfRangeException(nameof(backend)),
    };

    /// <summary>The same reply with its log-prob arrays cut short.</summary>
    public static JsonNode Truncate(string backend, JsonNode reply)
    {
        switch (backend)
        {
            case "openai-completions":
                var lp = reply["choices"]![0]!["logprobs"]!;
                foreach (var name in new[] { "tokens", "token_logprobs", "text_offset", "top_logprobs" })
                {
                    var array = lp[name]!.AsArray();
                    array.RemoveAt(array.Count - 1);
                    array.RemoveAt(array.Count - 1);
                }
                break;
            case "vllm":
                var positions = reply["choices"]![0]!["prompt_logprobs"]!.AsArray();
                positions.RemoveAt(positions.Count - 1);
                break;
            case "tgi":
                var prefill = reply["details"]!["prefill"]!.AsArray();
                prefill.RemoveAt(prefill.Count - 1);
                break;
            default:
                var input = reply[0]!["meta_info"]!["input_token_logprobs"]!.AsArray();
                input.RemoveAt(input.Count - 1);
                break;
        }
        return reply;
    }

    /// <summary>The same reply with tokens that no longer line up with the prompt.</summary>
    public static JsonNode Misalign(string backend, JsonNode reply)
    {
        switch (backend)
        {
            case "openai-completions":
                var offsets = reply["choices"]![0]!["logprobs"]!["text_offset"]!.AsArray();
                for (var i = 1; i < offsets.Count; i++)
                {
                    offsets[i] = offsets[i]!.GetValue<int>() + 1;
                }
                break;
            case "vllm":
                var positions = reply["choices"]![0]!["prompt_logprobs"]!.AsArray();
                var last = positions[positions.Count - 1]!.AsObject().First().Value!;
                last["decoded_token"] = last["decoded_token"]!.GetValue<string>() + "x";
                break;
            case "tgi":
                var prefill = reply["details"]!["prefill"]!.AsArray();
                prefill[prefill.Count - 2]!["text"] = "zz";
                break;
            default:
                var input = reply[0]!["meta_info"]!["input_token_logprobs"]!.AsArray();
                input[input.Count - 1]![2] = "?";
                break;
        }
        return reply;
    }
}
