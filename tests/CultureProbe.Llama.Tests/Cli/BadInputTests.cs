using System.Text;
using CultureProbe.Llama.Gguf;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace CultureProbe.Llama.Tests.Cli;

/// <summary>Files every bad-input case starts from: a synthetic survey, its pack, a tiny model and a finished run.</summary>
public sealed class BadInputFixture : IDisposable
{
    private readonly TempDirectory _temp = new();

    public BadInputFixture()
    {
        SurveyCsv = _temp.File("s.synthetic.csv");
        CliRunner.Run("synth", "--out", SurveyCsv, "--countries", "USA,JPN,DEU", "--rows", "80").ExitCode.ShouldBe(0);
        Pack = _temp.File("p.json");
        CliRunner.Run("import", SurveyCsv, "--out", Pack).ExitCode.ShouldBe(0);
        Model = _temp.File("tiny.synthetic.gguf");
        TinyLlamaGgufWriter.Write(Model, new TinyLlamaSpec(EmbeddingLength: 32, LayerCount: 1, HeadCount: 4, KvHeadCount: 2, FeedForwardLength: 64, VocabularySize: 300, ContextLength: 512, Seed: 5));
        RunFolder = _temp.File("run");
        var (code, output, error) = CliRunner.Run("run", "--pack", Pack, "--model", Model, "--questions", "Q1-Q4", "--countries", "USA,JPN", "--out", RunFolder, "--bootstrap", "0");
        code.ShouldBe(0, error + output);
    }

    public string SurveyCsv { get; }

    public string Pack { get; }

    public string Model { get; }

    public string RunFolder { get; }

    public void Dispose() => _temp.Dispose();
}

/// <summary>
/// Issue 13's promise, one row per bad input: exit 2 (or 1 where the run itself fails), a message that names the file
/// or field, no stack trace, and every file in the case's folder byte-identical afterwards (inputs and existing outputs).
/// </summary>
public sealed class BadInputTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A case: files to create in the case folder, the arguments ({dir} is the folder; {pack}, {model}, {csv}, {run} the fixture's files), the exit code and a fragment the error must contain.</summary>
    public sealed record BadInput(string Name, Func<string, BadInputFixture, string[]> Arguments, int ExitCode, string Expected, Action<string, BadInputFixture>? Setup = null)
    {
        public override string ToString() => Name;
    }

    private static string Json(string folder, string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The fixture's pack with its text edited, written to the case folder as bad.json.</summary>
    private static Action<string, BadInputFixture> EditedPack(Func<string, string> edit) =>
        (dir, f) => File.WriteAllText(Path.Combine(dir, "bad.json"), edit(File.ReadAllText(f.Pack)));

    private static string FirstDistribution(string packText)
    {
        var start = packText.IndexOf("\"distributions\":[", StringComparison.Ordinal) + "\"distributions\":[".Length;
        var end = packText.IndexOf("]}", start, StringComparison.Ordinal) + 2;
        return packText[start..end];
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        at.ShouldBeGreaterThanOrEqualTo(0, $"the fixture's pack has no '{from}'");
        return text[..at] + to + text[(at + from.Length)..];
    }

    private static string EditFirstDistribution(string packText, Func<string, string> edit)
    {
        var first = FirstDistribution(packText);
        return ReplaceFirst(packText, first, edit(first));
    }

    private static string[] RunBad(string dir, BadInputFixture f, params string[] extra) =>
        ["run", "--pack", Path.Combine(dir, "bad.json"), "--model", f.Model, "--questions", "Q1-Q4", "--countries", "USA", "--out", Path.Combine(dir, "out"), "--bootstrap", "0", .. extra];

    private static readonly BadInput[] All =
    [
        // 2. An output equal to an input.
        new BadInput("import --out equal to its input", (d, _) => ["import", Path.Combine(d, "copy.csv"), "--out", Path.Combine(d, "copy.csv")], 2, "is also the input",
            (d, f) => File.Copy(f.SurveyCsv, Path.Combine(d, "copy.csv"))),
        new BadInput("run --cache equal to the pack", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--out", Path.Combine(d, "o"), "--cache", f.Pack], 2, "is also the input"),
        new BadInput("run --cache equal to the model", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--out", Path.Combine(d, "o"), "--cache", f.Model], 2, "is also the input"),
        // 3. Imports that yield nothing never replace a pack.
        new BadInput("long layout with only a header", (d, _) => ["import", Json(d, "h.csv", "country,question,code,share\n"), "--out", Path.Combine(d, "keep.json")], 2, "no distribution",
            (d, f) => File.Copy(f.Pack, Path.Combine(d, "keep.json"))),
        new BadInput("long layout with all shares 0", (d, _) => ["import", Json(d, "z.csv", "country,question,code,share\nUSA,Q1,1,0\nUSA,Q1,2,0\n"), "--out", Path.Combine(d, "keep.json")], 2, "USA Q1",
            (d, f) => File.Copy(f.Pack, Path.Combine(d, "keep.json"))),
        new BadInput("WVS file whose weights are all 0", (d, _) => ["import", Path.Combine(d, "w.csv"), "--out", Path.Combine(d, "keep.json")], 2, "W_WEIGHT",
            (d, f) =>
            {
                File.Copy(f.Pack, Path.Combine(d, "keep.json"));
                var lines = File.ReadAllLines(f.SurveyCsv);
                var header = lines[0].Split(',');
                var weight = Array.FindIndex(header, h => h.Trim('"') == "W_WEIGHT");
                File.WriteAllLines(Path.Combine(d, "w.csv"), lines.Take(1).Concat(lines.Skip(1).Select(l =>
                {
                    var cells = l.Split(',');
                    cells[weight] = "0";
                    return string.Join(',', cells);
                })));
            }),
        // 4. and 5. Packs are checked on load, every problem named with its country and question.
        new BadInput("pack without distributions", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "missing \"distributions\"",
            EditedPack(p => ReplaceFirst(p, "\"distributions\":", "\"distributionz\":"))),
        new BadInput("pack distribution without options", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "missing \"options\"",
            EditedPack(p => EditFirstDistribution(p, x => ReplaceFirst(x, "\"options\":", "\"optionz\":")))),
        new BadInput("pack with a duplicate country and question", (d, f) => RunBad(d, f), 2, "a second distribution",
            EditedPack(p => EditFirstDistribution(p, x => x + "," + x))),
        new BadInput("pack with a negative share", (d, f) => RunBad(d, f), 2, "expected a number from 0 to 1",
            EditedPack(p => EditFirstDistribution(p, x => ReplaceFirst(x, "\"share\":", "\"share\":-")))),
        new BadInput("pack whose shares sum to 2", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "shares sum to 2",
            EditedPack(p => EditFirstDistribution(p, x => x.Replace("\"count\":", "\"share_was\":0,\"count\":", StringComparison.Ordinal).Replace("\"share\":", "\"share\":0.5,\"x\":", StringComparison.Ordinal)))),
        new BadInput("pack with a missing share", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "missing \"share\"",
            EditedPack(p => EditFirstDistribution(p, x => ReplaceFirst(x, "\"share\":", "\"sharez\":")))),
        new BadInput("pack with a missing country", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "missing \"country\"",
            EditedPack(p => EditFirstDistribution(p, x => ReplaceFirst(x, "\"country\":", "\"countryz\":")))),
        new BadInput("pack with a country not in its rows", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "is not in provenance.rows_per_country",
            EditedPack(p => EditFirstDistribution(p, x => ReplaceFirst(x, "\"country\":\"", "\"country\":\"X")))),
        new BadInput("pack with a control character in a country", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "\\x00",
            EditedPack(p => EditFirstDistribution(p, x => ReplaceFirst(x, "\"country\":\"", "\"country\":\"\\u0000")))),
        new BadInput("pack with an unknown question", (d, f) => RunBad(d, f), 2, "Q99999 is not in the question bank",
            EditedPack(p => EditFirstDistribution(p, x => ReplaceFirst(x, "\"question\":\"Q1\"", "\"question\":\"Q99999\"")))),
        new BadInput("pack with empty options", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "\"options\" is empty",
            EditedPack(p => EditFirstDistribution(p, x => x[..(x.IndexOf("\"options\":[", StringComparison.Ordinal) + 11)] + "]}"))),
        new BadInput("pack with a duplicate code", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "appears twice",
            EditedPack(p => EditFirstDistribution(p, x => ReplaceFirst(x, "\"code\":2,", "\"code\":1,")))),
        new BadInput("pack with share 1e308", (d, _) => ["distributions", Path.Combine(d, "bad.json")], 2, "\"share\" is 1E+308",
            EditedPack(p => EditFirstDistribution(p, x => ReplaceFirst(x, "\"share\":0.", "\"share\":1e308,\"was\":0.")))),
        new BadInput("pack with format not a string", (d, _) => ["distributions", Json(d, "bad.json", "{\"format\":1,\"pack\":{}}")], 2, "not a CultureProbe survey pack"),
        // 4. Verbs' own bad arguments.
        new BadInput("run --model given twice", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--model", f.Model, "--out", Path.Combine(d, "o")], 2, "--model"),
        new BadInput("run --model empty", (d, f) => ["run", "--pack", f.Pack, "--model", "", "--out", Path.Combine(d, "o")], 2, "--model"),
        new BadInput("run --bootstrap negative", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--out", Path.Combine(d, "o"), "--bootstrap", "-1"], 2, "--bootstrap"),
        new BadInput("analyze --bootstrap negative", (d, _) => ["analyze", "--human", Json(d, "h.csv", "group,question,code,share\nUSA,Q1,1,1\n"), "--model", Json(d, "m.csv", "model,group,question,code,share\nm,USA,Q1,1,1\n"), "--out", Path.Combine(d, "o"), "--bootstrap", "-1"], 2, "--bootstrap"),
        new BadInput("report on results.json without items", (d, _) => ["report", Path.Combine(d, "r")], 2, "results.json",
            (d, f) =>
            {
                Directory.CreateDirectory(Path.Combine(d, "r"));
                File.WriteAllText(Path.Combine(d, "r", "results.json"), File.ReadAllText(Path.Combine(f.RunFolder, "results.json")).Replace("\"items\":", "\"itemz\":", StringComparison.Ordinal));
            }),
        new BadInput("damaged result store", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--questions", "Q1-Q4", "--countries", "USA,JPN", "--out", Path.Combine(d, "o"), "--cache", Path.Combine(d, "results.db")], 2, "results.db",
            (d, f) =>
            {
                var bytes = File.ReadAllBytes(Path.Combine(f.RunFolder, "results.db"));
                for (var i = 4096; i < bytes.Length; i += 7)
                {
                    bytes[i] ^= 0x5A;
                }
                File.WriteAllBytes(Path.Combine(d, "results.db"), bytes);
            }),
        new BadInput("result store with a non-JSON options row", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--questions", "Q1-Q4", "--countries", "USA,JPN", "--out", Path.Combine(d, "o"), "--cache", Path.Combine(d, "results.db")], 2, "results.db",
            (d, f) =>
            {
                File.Copy(Path.Combine(f.RunFolder, "results.db"), Path.Combine(d, "results.db"));
                using var connection = new SqliteConnection($"Data Source={Path.Combine(d, "results.db")};Pooling=False");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "UPDATE items SET options = 'not json {'";
                command.ExecuteNonQuery().ShouldBeGreaterThan(0);
            }),
        // 6. Bounded work.
        new BadInput("score --threads far above the cores", (_, f) => ["score", "--model", f.Model, "--context", "a", "--continuation", "b", "--threads", "100000"], 2, "--threads"),
        new BadInput("synth --rows beyond the limit", (d, _) => ["synth", "--out", Path.Combine(d, "x.csv"), "--rows", "2147483647"], 2, "--rows"),
        // 7. Silent acceptance.
        new BadInput("long layout with a country not in the table", (d, _) => ["import", Json(d, "x.csv", "country,question,code,share\nXYZ,Q1,1,1\n"), "--out", Path.Combine(d, "o.json")], 2, "XYZ"),
        new BadInput("long layout with a NUL in a country", (d, _) => ["import", Json(d, "x.csv", "country,question,code,share\nUS\0A,Q1,1,1\n"), "--out", Path.Combine(d, "o.json")], 2, "\\x00"),
        new BadInput("template file of the wrong shape", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--out", Path.Combine(d, "o"), "--templates-file", Json(d, "t.yaml", "language: en\ntemplates:\n  - id: odd\n    text: x\n")], 2, "unknown field 'text'"),
        new BadInput("template with an unknown placeholder", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--out", Path.Combine(d, "o"), "--templates-file", Path.Combine(d, "t.yaml"), "--template", "odd"], 2, "{foo}",
            (d, _) => File.WriteAllText(Path.Combine(d, "t.yaml"), "language: en\ntemplates:\n  - id: odd\n    prefix: \"Question: {question}\\nChoices: {choices}\\n\"\n    suffix: \"In {country}, {foo} Answer:\"\n")),
        new BadInput("--coding inverted on a standard file", (d, f) => ["import", f.SurveyCsv, "--out", Path.Combine(d, "o.json"), "--coding", "inverted"], 2, "the file is in the standard coding"),
        new BadInput("run --countries empty", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--out", Path.Combine(d, "o"), "--countries", ""], 2, "--countries"),
        new BadInput("questions --set with an unknown range end", (_, _) => ["questions", "--set", "Q1-Q99999"], 2, "Q99999"),
        new BadInput("report --scatter-country unknown", (d, f) => ["report", Path.Combine(d, "r"), "--scatter-country", "XYZ"], 2, "XYZ",
            (d, f) => CopyFolder(f.RunFolder, Path.Combine(d, "r"))),
        new BadInput("store pointing at an unrelated SQLite file", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--out", Path.Combine(d, "o"), "--cache", Path.Combine(d, "other.db")], 2, "not a CultureProbe result store",
            (d, _) =>
            {
                using var connection = new SqliteConnection($"Data Source={Path.Combine(d, "other.db")};Pooling=False");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine');";
                command.ExecuteNonQuery();
            }),
        // 8. What cannot succeed is refused up front.
        new BadInput("run --chat on a model without a chat template", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--questions", "Q1", "--countries", "USA", "--out", Path.Combine(d, "o"), "--chat"], 2, "chat template"),
        // 9. .NET's own messages replaced by ours.
        new BadInput("import --out that is a folder", (d, f) => ["import", f.SurveyCsv, "--out", d], 2, "is a folder"),
        new BadInput("run --out that is a file", (d, f) => ["run", "--pack", f.Pack, "--model", f.Model, "--out", f.Pack], 2, "is a file"),
        new BadInput("analyze --out that is a file", (d, _) => ["analyze", "--human", Json(d, "h.csv", "group,question,code,share\nUSA,Q1,1,1\n"), "--model", Json(d, "m.csv", "model,group,question,code,share\nm,USA,Q1,1,1\n"), "--out", Path.Combine(d, "h.csv")], 2, "is a file"),
        new BadInput("demo --out that is a file", (d, _) => ["demo", "--out", Json(d, "f.txt", "x")], 2, "is a file"),
        new BadInput("a folder given as the pack", (d, f) => ["run", "--pack", d, "--model", f.Model, "--out", Path.Combine(d, "o")], 2, "is a folder"),
        new BadInput("a folder given as the CSV", (d, _) => ["import", d, "--out", Path.Combine(d, "o.json")], 2, "is a folder"),
        new BadInput("sets file that is not YAML", (d, _) => ["questions", "--sets-file", Json(d, "s.yaml", "sets: [unclosed\n")], 2, "s.yaml"),
        new BadInput("sets file of the wrong shape", (d, _) => ["questions", "--sets-file", Json(d, "s.yaml", "sets:\n  mine: {a: 1}\n")], 2, "s.yaml"),
    ];

    public static TheoryData<BadInput> Cases()
    {
        var data = new TheoryData<BadInput>();
        foreach (var badInput in All)
        {
            data.Add(badInput);
        }
        return data;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_gets_a_clear_error_and_changes_nothing(BadInput badInput)
    {
        var dir = _temp.Path;
        badInput.Setup?.Invoke(dir, fixture);
        var arguments = badInput.Arguments(dir, fixture);
        var before = Snapshot(dir, fixture);
        var (code, output, error) = CliRunner.Run(arguments);
        code.ShouldBe(badInput.ExitCode, $"{badInput.Name}\n{error}\n{output}");
        error.ShouldNotContain("   at ", Case.Sensitive, "no stack trace");
        error.ShouldNotContain("Exception", Case.Sensitive, "no .NET exception names");
        error.ShouldContain(badInput.Expected, Case.Insensitive, error);
        error.ShouldNotContain('\0');
        error.ShouldNotContain('\u001b');
        Snapshot(dir, fixture).ShouldBe(before, "every file in the case folder and the fixture is byte-identical afterwards");
    }

    [Fact]
    public void Analyze_compares_a_group_over_every_code_of_its_question_even_one_nobody_there_chose()
    {
        // DEU gives no answer 1 to Q1 on either side; the other groups do. 'distributions' output fed back used to crash.
        var human = Json(_temp.Path, "h.csv", "group,question,code,share\nUSA,Q1,1,0.5\nUSA,Q1,2,0.5\nDEU,Q1,2,1\nJPN,Q1,1,0.2\nJPN,Q1,2,0.8\nUSA,Q2,1,1\nDEU,Q2,1,0.5\nDEU,Q2,2,0.5\nJPN,Q2,2,1\n");
        var model = Json(_temp.Path, "m.csv", "model,group,question,code,share\nm,USA,Q1,1,0.4\nm,USA,Q1,2,0.6\nm,DEU,Q1,2,1\nm,JPN,Q1,1,0.1\nm,JPN,Q1,2,0.9\nm,USA,Q2,1,1\nm,DEU,Q2,1,0.3\nm,DEU,Q2,2,0.7\nm,JPN,Q2,2,1\n");
        var (code, output, error) = CliRunner.Run("analyze", "--human", human, "--model", model, "--out", Path.Combine(_temp.Path, "o"), "--bootstrap", "0");
        code.ShouldBe(0, error + output);
        var deuQ1 = File.ReadAllLines(Path.Combine(_temp.Path, "o", "items.csv")).Where(l => l.Contains(",DEU,Q1,", StringComparison.Ordinal)).ToArray();
        // Columns: model,country,question,code,p_model,p_human,...: DEU Q1 has code 1 (seen in the other groups) at share 0 on both sides.
        deuQ1.Select(l => string.Join(',', l.Split(',')[3..6])).ShouldBe(["1,0,0", "2,1,1"]);
    }

    [Fact]
    public void Long_layout_warns_of_a_code_outside_the_scale_as_the_WVS_importer_does()
    {
        var csv = Json(_temp.Path, "l.csv", "country,question,code,share\nUSA,Q1,1,0.5\nUSA,Q1,99,0.5\n");
        var (code, output, error) = CliRunner.Run("import", csv, "--out", Path.Combine(_temp.Path, "o.json"));
        code.ShouldBe(0, error + output);
        error.ShouldContain("USA Q1: answer code(s) 99 are not options of the item's scale");
    }

    [Fact]
    public void Score_of_a_model_whose_weights_are_NaN_fails_with_null_in_JSON_and_no_trace()
    {
        var model = Path.Combine(_temp.Path, "nan.synthetic.gguf");
        File.Copy(fixture.Model, model);
        // The tensor data ends the file; the last tensor's floats set to NaN reach the logits.
        var bytes = File.ReadAllBytes(model);
        var nan = BitConverter.GetBytes(float.NaN);
        for (var i = bytes.Length - 4096; i + 4 <= bytes.Length; i += 4)
        {
            nan.CopyTo(bytes, i);
        }
        File.WriteAllBytes(model, bytes);
        var (code, output, error) = CliRunner.Run("score", "--model", model, "--context", "The answer is", "--continuation", " yes", "--format", "json");
        code.ShouldBe(1, error + output);
        error.ShouldContain("not numbers");
        error.ShouldNotContain("   at ");
        System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("continuations")[0].GetProperty("sum").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    /// <summary>Every file under the case folder and the fixture's inputs, with a hash of its bytes.</summary>
    private static Dictionary<string, string> Snapshot(string dir, BadInputFixture fixture)
    {
        var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Concat([fixture.Pack, fixture.SurveyCsv, fixture.Model])
            .Concat(Directory.GetFiles(fixture.RunFolder));
        return files.ToDictionary(f => f, f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
    }
}
