using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CultureProbe.Remote.Tests.Fakes;
using CultureProbe.Study;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace CultureProbe.Remote.Tests.Cli;

/// <summary>
/// <c>cultureprobe study</c> end to end against a fake chat server: a writer model answers each prompt with ten
/// interviews whose share in favour follows the population of the prompt's language, a judge model labels them, and the
/// study's tables come out. The run resumes after SIGKILL with nothing lost or written twice.
/// </summary>
public sealed partial class StudyGenerationCliTests : IDisposable
{
    private const int PromptsPerLanguage = 24;
    private readonly TempDirectory _temp = new();
    private readonly string _survey;
    private readonly Dictionary<(string Language, string Topic), double> _shares;

    public StudyGenerationCliTests()
    {
        _survey = _temp.File("joint.synthetic.csv");
        CliRunner.Run("synth", "--layout", "study", "--out", _survey, "--rows", "150").ExitCode.ShouldBe(0);
        var populations = StudyPopulationReader.Read(_survey, StudyTopicSet.Default, new StudyPopulationOptions(["da", "en", "nl", "pt"]));
        _shares = populations.Shares.Where(s => s.Kind == PopulationKind.Language).ToDictionary(s => (s.Population, s.Topic), s => s.ProShare);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>The language and topic of a prompt: the longest topic paraphrase it contains.</summary>
    private static (string Language, string Topic) Identify(string prompt) =>
        (from topic in StudyTopicSet.Default.Topics
         from paraphrases in topic.Paraphrases
         from phrase in paraphrases.Value
         where prompt.Contains(phrase, StringComparison.Ordinal)
         orderby phrase.Length descending
         select (paraphrases.Key, topic.Key)).First();

    /// <summary>A writer that knows the survey: of ten interviews, round(10 × share ± a seeded step) are in favour.</summary>
    private string Interviews(string prompt, long seed)
    {
        var (language, topic) = Identify(prompt);
        var share = _shares.GetValueOrDefault((language, topic), 0.5);
        var inFavour = Math.Clamp((int)Math.Round(10 * share) + (int)(seed % 3) - 1, 0, 10);
        var text = new StringBuilder($"[{language}]\n");
        for (var i = 1; i <= 10; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i}. Person {i} is {(i <= inFavour ? "in favour" : "against")}.\n");
        }
        return text.ToString();
    }

    /// <summary>A judge that reads the interviews back: one label per line, and the language the text starts with.</summary>
    private static string Judgement(string prompt)
    {
        var text = JudgedText().Match(prompt).Groups["text"].Value;
        var labels = text.Split('\n').Where(l => l.Contains("Person", StringComparison.Ordinal)).Select(l => l.Contains("in favour", StringComparison.Ordinal) ? "PRO" : "CON");
        return $"LANGUAGE: {text.Substring(1, 2)}\nLABELS: {string.Join(", ", labels)}";
    }

    [GeneratedRegex(@"<<<\n(?<text>.*)\n>>>", RegexOptions.Singleline)]
    private static partial Regex JudgedText();

    private FakeReply Reply(JsonNode body)
    {
        var model = body["model"]!.GetValue<string>();
        var prompt = body["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
        var n = body["n"]?.GetValue<int>() ?? 1;
        var seed = body["seed"]?.GetValue<long>() ?? 0;
        var choices = new JsonArray();
        for (var i = 0; i < n; i++)
        {
            var content = model == "judge" ? Judgement(prompt) : Interviews(prompt, seed + i);
            choices.Add(new JsonObject { ["index"] = i, ["finish_reason"] = "stop", ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content } });
        }
        return FakeReply.Json(new JsonObject { ["id"] = "x", ["object"] = "chat.completion", ["model"] = model, ["choices"] = choices });
    }

    private string[] Args(Uri endpoint, string folder) =>
    [
        "study", "--backend", "chat-sample", "--endpoint", endpoint.ToString(), "--deployment", "fake-lab", "--model", "writer", "--judge", "judge",
        "--survey", _survey, "--prompts-per-language", PromptsPerLanguage.ToString(CultureInfo.InvariantCulture), "--samples-per-prompt", "2",
        "--bootstrap", "10", "--max-in-flight", "1", "--capability", "none", "--out", folder,
    ];

    private static List<string[]> Rows(string path) => File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();

    [Fact]
    public async Task Models_write_a_judge_labels_and_the_tables_show_the_alignment_the_writer_was_given()
    {
        await using var server = await FakeServer.StartAsync((_, body) => Reply(body));
        var folder = _temp.File("study");

        var (code, output, error) = CliRunner.Run(Args(server.Uri, folder));

        code.ShouldBe(0, error + output);
        var responses = Rows(Path.Combine(folder, StudyFiles.ResponsesCsv));
        responses.Count.ShouldBe(4 * PromptsPerLanguage * 2);
        server.Requests.ShouldBe((4 * PromptsPerLanguage) + responses.Count, "one request per prompt for both samples, one judgement per response");
        // The writer's share in favour follows the language's population, so its alignment is high; the uniform-random baseline's is not.
        var alignment = Rows(Path.Combine(folder, StudyFiles.AlignmentCsv))
            .Where(r => r[2] == "language" && r[1] == r[3]).ToDictionary(r => (r[0], r[3]), r => double.Parse(r[4], CultureInfo.InvariantCulture));
        foreach (var language in new[] { "da", "en", "nl", "pt" })
        {
            alignment[("writer", language)].ShouldBeGreaterThan(0.8, language);
            Math.Abs(alignment[(StudyBaselines.UniformRandom, language)]).ShouldBeLessThan(0.5, language);
        }
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, StudyFiles.Json)));
        var provenance = json.RootElement.GetProperty("provenance");
        provenance.GetProperty("judge").GetProperty("id").GetString().ShouldBe("judge");
        provenance.GetProperty("judge_prompt_version").GetString().ShouldBe(StudyJudge.PromptVersion);
        provenance.GetProperty("models")[0].GetProperty("fingerprint").GetProperty("deployment").GetString().ShouldBe("fake-lab");
        provenance.GetProperty("generation").GetString()!.ShouldContain("temperature=0.7; top_p=0.95");
        provenance.GetProperty("synthetic").GetBoolean().ShouldBeTrue();
        provenance.GetProperty("inputs").EnumerateArray().ShouldContain(i => i.GetProperty("role").GetString() == "survey");

        // The same command again asks the server nothing.
        var before = server.Requests;
        CliRunner.Run(Args(server.Uri, folder)).ExitCode.ShouldBe(0);
        server.Requests.ShouldBe(before);
    }

    [Fact]
    public async Task A_study_killed_with_SIGKILL_resumes_to_the_responses_of_an_uninterrupted_run()
    {
        await using var healthy = await FakeServer.StartAsync((_, body) => Reply(body));
        var whole = _temp.File("whole");
        CliRunner.Run(Args(healthy.Uri, whole)).ExitCode.ShouldBe(0);

        // A run in its own process, killed while the server holds its 31st request (the writer's, since prompts come first).
        const int answeredBeforeTheKill = 30;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = 0;
        await using var stalling = await FakeServer.StartAsync((_, body) =>
        {
            if (Interlocked.Increment(ref answered) <= answeredBeforeTheKill)
            {
                return Reply(body);
            }
            held.TrySetResult();
            return Reply(body) with { Delay = TimeSpan.FromMinutes(10) };
        });
        var killed = _temp.File("killed");
        var cli = typeof(CultureProbe.Cli.Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [cli, .. Args(stalling.Uri, killed)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            await held.Task.WaitAsync(TimeSpan.FromSeconds(120));
            process.HasExited.ShouldBeFalse();
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var db = Path.Combine(killed, "results.db");
        Scalar(db, "SELECT COUNT(*) FROM responses").ShouldBe(answeredBeforeTheKill * 2, "each answered prompt stored both its samples");

        var resumed = CliRunner.Run(Args(healthy.Uri, killed));

        resumed.ExitCode.ShouldBe(0, resumed.Error + resumed.Output);
        Regex.Replace(resumed.Output, @"\s+", " ").ShouldContain($"{(4 * PromptsPerLanguage * 2) - (answeredBeforeTheKill * 2)} written now, {answeredBeforeTheKill * 2} from the store");
        Scalar(db, "SELECT COUNT(*) FROM responses").ShouldBe(Scalar(db, "SELECT COUNT(DISTINCT key) FROM responses"));
        Scalar(db, "SELECT COUNT(*) FROM judgements").ShouldBe(4 * PromptsPerLanguage * 2);
        File.ReadAllLines(Path.Combine(killed, StudyFiles.ResponsesCsv)).ShouldBe(File.ReadAllLines(Path.Combine(whole, StudyFiles.ResponsesCsv)));
        File.ReadAllLines(Path.Combine(killed, StudyFiles.AlignmentCsv)).ShouldBe(File.ReadAllLines(Path.Combine(whole, StudyFiles.AlignmentCsv)));
    }

    /// <summary>A judge that cannot read random text: its labels come from the text's hash, and it names no language (so the prompt's counts).</summary>
    private static FakeReply HashJudge(JsonNode body)
    {
        var prompt = body["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
        var hash = (uint)JudgedText().Match(prompt).Groups["text"].Value.Aggregate(17, (h, c) => unchecked((h * 31) + c));
        var labels = Enumerable.Range(0, 10).Select(i => (hash >> i & 1) == 1 ? "PRO" : "CON");
        var choice = new JsonObject { ["index"] = 0, ["finish_reason"] = "stop", ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = $"LABELS: {string.Join(", ", labels)}" } };
        return FakeReply.Json(new JsonObject { ["id"] = "x", ["object"] = "chat.completion", ["model"] = "judge", ["choices"] = new JsonArray(choice) });
    }

    private string[] LocalWriterArgs(string model, Uri judge, string folder) =>
    [
        "study", "--model", model, "--judge", "judge", "--judge-backend", "chat-sample", "--judge-endpoint", judge.ToString(), "--judge-deployment", "judge-fleet",
        "--survey", _survey, "--prompts-per-language", "6", "--samples-per-prompt", "2", "--response-max-tokens", "16",
        "--bootstrap", "0", "--max-in-flight", "1", "--capability", "none", "--out", folder,
    ];

    [Fact]
    public async Task A_local_GGUF_writer_and_a_served_judge_resume_after_SIGKILL_while_judging()
    {
        const int responses = 4 * 6 * 2;
        const int judgedBeforeTheKill = 10;
        var model = _temp.File("tiny.synthetic.gguf");
        CultureProbe.Llama.Gguf.TinyLlamaGgufWriter.Write(model, new CultureProbe.Llama.Gguf.TinyLlamaSpec(
            EmbeddingLength: 32, LayerCount: 1, HeadCount: 4, KvHeadCount: 2, FeedForwardLength: 64, VocabularySize: 300, ContextLength: 1024, Seed: 5));
        await using var healthy = await FakeServer.StartAsync((_, body) => HashJudge(body));
        var whole = _temp.File("whole");
        var first = CliRunner.Run(LocalWriterArgs(model, healthy.Uri, whole));
        first.ExitCode.ShouldBe(0, first.Error + first.Output);
        Rows(Path.Combine(whole, StudyFiles.ResponsesCsv)).Count.ShouldBe(responses);

        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = 0;
        await using var stalling = await FakeServer.StartAsync((_, body) =>
        {
            if (Interlocked.Increment(ref answered) <= judgedBeforeTheKill)
            {
                return HashJudge(body);
            }
            held.TrySetResult();
            return HashJudge(body) with { Delay = TimeSpan.FromMinutes(10) };
        });
        var killed = _temp.File("killed");
        var cli = typeof(CultureProbe.Cli.Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [cli, .. LocalWriterArgs(model, stalling.Uri, killed)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            await held.Task.WaitAsync(TimeSpan.FromSeconds(120));
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var db = Path.Combine(killed, "results.db");
        Scalar(db, "SELECT COUNT(*) FROM responses").ShouldBe(responses, "every response was written before judging began");
        Scalar(db, "SELECT COUNT(*) FROM judgements").ShouldBe(judgedBeforeTheKill);

        var resumed = CliRunner.Run(LocalWriterArgs(model, healthy.Uri, killed));

        resumed.ExitCode.ShouldBe(0, resumed.Error + resumed.Output);
        // The console wraps long lines; compare with every run of white space as one space.
        Regex.Replace(resumed.Output, @"\s+", " ").ShouldContain($"responses: 0 written now, {responses} from the store; judgements: {responses - judgedBeforeTheKill} now, {judgedBeforeTheKill} from the store");
        Scalar(db, "SELECT COUNT(DISTINCT key) FROM judgements").ShouldBe(responses);
        File.ReadAllLines(Path.Combine(killed, StudyFiles.ResponsesCsv)).ShouldBe(File.ReadAllLines(Path.Combine(whole, StudyFiles.ResponsesCsv)),
            "the resumed study reads the responses the killed process wrote, which equal an uninterrupted run's");
    }

    private static long Scalar(string db, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
