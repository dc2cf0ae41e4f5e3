using System.Globalization;
using System.Text.Json.Nodes;

namespace CultureProbe.Remote.Tests.Fakes;

/// <summary>
/// Generation replies of the fake servers, each in its server's documented shape (see Fixtures/README.md). A reply's text
/// names the seed and choice that made it (<c>"seed 42 choice 1"</c>), so a test can tell which sample landed where. The
/// OpenAI-style replies list their choices in reverse order, with their indices, as a server may.
/// </summary>
public static class FakeGeneration
{
    /// <summary>The text the fakes write for choice <paramref name="choice"/> of a request seeded <paramref name="seed"/>.</summary>
    public static string Text(long seed, int choice = 0) => string.Create(CultureInfo.InvariantCulture, $"seed {seed} choice {choice}");

    /// <summary>Answers a generation request of any backend by its path and body.</summary>
    public static JsonNode Reply(string path, JsonNode body) => path switch
    {
        "/v1/completions" => OpenAI(body, chat: false),
        "/v1/chat/completions" => OpenAI(body, chat: true),
        "/api/chat" => Ollama(body),
        "/generate" when body["inputs"] is not null => Tgi(body),
        "/generate" => Sglang(body),
        _ => throw new InvalidOperationException($"no fake for {path}"),
    };

    private static long Seed(JsonNode? node) => node?.GetValue<long>() ?? -1;

    /// <summary>OpenAI completions (<c>choices[].text</c>) or chat completions (<c>choices[].message.content</c>), n choices.</summary>
    public static JsonNode OpenAI(JsonNode body, bool chat)
    {
        var n = body["n"]?.GetValue<int>() ?? 1;
        var seed = Seed(body["seed"]);
        var choices = new JsonArray();
        for (var i = n - 1; i >= 0; i--)
        {
            var choice = new JsonObject { ["index"] = i, ["finish_reason"] = i % 2 == 0 ? "length" : "stop", ["logprobs"] = null };
            if (chat)
            {
                choice["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Text(seed, i) };
            }
            else
            {
                choice["text"] = Text(seed, i);
            }
            choices.Add(choice);
        }
        return new JsonObject
        {
            ["id"] = "gen-fake",
            ["object"] = chat ? "chat.completion" : "text_completion",
            ["model"] = body["model"]!.GetValue<string>(),
            ["choices"] = choices,
            ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 4 * n, ["total_tokens"] = 11 + (4 * n) },
        };
    }

    /// <summary>TGI <c>/generate</c> with <c>details</c>: <c>generated_text</c> keeps a matched stop sequence, as TGI does.</summary>
    public static JsonNode Tgi(JsonNode body)
    {
        var parameters = body["parameters"]!;
        var seed = Seed(parameters["seed"]);
        var stop = parameters["stop"]?.AsArray().Select(s => s!.GetValue<string>()).FirstOrDefault();
        return new JsonObject
        {
            ["generated_text"] = Text(seed) + (stop is null ? "" : stop + " and on"),
            ["details"] = new JsonObject
            {
                ["finish_reason"] = stop is null ? "length" : "stop_sequence",
                ["generated_tokens"] = 5,
                ["seed"] = seed,
                ["prefill"] = new JsonArray(),
                ["tokens"] = new JsonArray(),
            },
        };
    }

    /// <summary>SGLang <c>/generate</c> with a text list: an array, one answer per text, each with its own sampling params.</summary>
    public static JsonNode Sglang(JsonNode body)
    {
        var texts = body["text"]!.AsArray();
        var parameters = body["sampling_params"]!.AsArray();
        var answers = new JsonArray();
        for (var k = 0; k < texts.Count; k++)
        {
            var seed = Seed(parameters[k]!["sampling_seed"]);
            answers.Add(new JsonObject
            {
                ["text"] = Text(seed),
                ["output_ids"] = new JsonArray(1, 2, 3),
                ["meta_info"] = new JsonObject
                {
                    ["id"] = "fake",
                    ["finish_reason"] = k % 2 == 0 ? new JsonObject { ["type"] = "length", ["length"] = 3 } : new JsonObject { ["type"] = "stop", ["matched"] = 2 },
                    ["prompt_tokens"] = 7,
                    ["completion_tokens"] = 3,
                },
            });
        }
        return answers;
    }

    /// <summary>Ollama <c>/api/chat</c> with <c>stream: false</c>: one message, <c>done</c>, <c>done_reason</c> and counts.</summary>
    public static JsonNode Ollama(JsonNode body)
    {
        var seed = Seed(body["options"]?["seed"]);
        return new JsonObject
        {
            ["model"] = body["model"]!.GetValue<string>(),
            ["created_at"] = "2026-01-01T00:00:00Z",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Text(seed) },
            ["done_reason"] = "stop",
            ["done"] = true,
            ["total_duration"] = 1000,
            ["prompt_eval_count"] = 9,
            ["eval_count"] = 6,
        };
    }
}
