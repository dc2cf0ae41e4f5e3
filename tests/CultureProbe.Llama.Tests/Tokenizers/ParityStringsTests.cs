namespace CultureProbe.Llama.Tests.Tokenizers;

/// <summary>The checked-in reference ids were made from exactly the strings the parity tests tokenize.</summary>
public sealed class ParityStringsTests
{
    /// <summary>Set by <c>regenerate.sh</c>: the test then writes the strings for <c>make_fixtures.mjs</c> instead of checking them.</summary>
    public const string OutputVariable = "CULTUREPROBE_TOKENIZER_STRINGS_OUT";

    [Fact]
    public void The_fixtures_were_made_from_the_strings_the_prompt_builder_makes_today()
    {
        if (Environment.GetEnvironmentVariable(OutputVariable) is { Length: > 0 } output)
        {
            ParityStrings.WriteStringsFile(output);
            return;
        }
        var groups = ParityStrings.Prompts();
        foreach (var family in new[] { "llama2", "llama3", "qwen3", "gemma3" })
        {
            var expected = ParityFixtures.Groups(family);
            var stale = groups.Where(g => !expected.TryGetValue(g.Key, out var e) || e.Texts != g.Texts.Count || e.TextsHash != ParityStrings.HashTexts(g.Texts))
                .Select(g => g.Key).ToArray();
            var gone = expected.Keys.Except(groups.Select(g => g.Key)).ToArray();
            (stale.Length + gone.Length).ShouldBe(0,
                $"{family}: the prompts changed since the fixtures were made ({stale.Length} groups differ or are new, e.g. {string.Join(", ", stale.Take(3))}; " +
                $"{gone.Length} are gone); run {ParityFixtures.Regenerate}");
            var sample = ParityFixtures.Sample(family);
            sample.Probes.Select(p => p.Text).ShouldBe(ParityStrings.Probes, $"{family}: probes changed; run {ParityFixtures.Regenerate}");
            sample.Special.Select(p => p.Text).ShouldBe(ParityStrings.SpecialTexts, $"{family}: special probes changed; run {ParityFixtures.Regenerate}");
        }
    }

    [Fact]
    public void The_shipped_bank_and_templates_are_NFC_so_no_tokenizer_normalizes_them_differently()
    {
        // .NET's invariant globalization cannot normalize, so the generator (node, full ICU) counted the texts NFC changes.
        var groups = ParityFixtures.Groups("qwen3").Values;
        groups.Sum(g => g.Texts).ShouldBeGreaterThan(20_000);
        groups.Where(g => g.NotNfc > 0).Select(g => g.Key).ShouldBeEmpty();
        ParityFixtures.Sample("qwen3").Probes.Where(p => p.Nfc is not null).Select(p => p.Text)
            .ShouldBe(["cafe\u0301 cafe\u0301", "Ma\u0308dchen", "o\u0308 u\u0308 a\u0308", "A\u030Angstro\u0308m"]);
    }
}
