using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CultureProbe.Models;
using CultureProbe.Prompts;
using CultureProbe.Surveys;

namespace CultureProbe.Llama.Tests.Tokenizers;

/// <summary>
/// Strings tokenized by llama.cpp and by the reference tokenizer. A group is one prompt: its context alone, then
/// context + continuation for every answer of every answer format, in that order (texts[0] is the context).
/// </summary>
public sealed record ParityGroup(string Key, IReadOnlyList<string> Texts);

/// <summary>One chat case: the user's text and the continuations that open the assistant's reply.</summary>
public sealed record ChatCase(string Key, string User, IReadOnlyList<string> Continuations);

/// <summary>The strings of the tokenizer parity tests, built with the project's own prompt builder.</summary>
public static class ParityStrings
{
    /// <summary>One country per language, named in that language by its default template.</summary>
    public static readonly IReadOnlyList<(string Language, string Country)> Languages = [("en", "USA"), ("da", "DNK"), ("nl", "NLD"), ("pt", "PRT")];

    /// <summary>Items asked with each language's other templates (the default template asks every item).</summary>
    private const int ItemsPerOtherTemplate = 4;

    /// <summary>
    /// Every ordinal and nominal item of the bank in each language with that language's default template (and the 3- and
    /// 5-group collapses where the bank defines them), and the first few items with each other template.
    /// </summary>
    public static IReadOnlyList<ParityGroup> Prompts()
    {
        var templates = PromptTemplateSet.BuiltIn();
        var groups = new List<ParityGroup>();
        foreach (var (language, iso3) in Languages)
        {
            var bank = QuestionBankTranslations.ForLanguage(language);
            var country = CountryTable.Default.FindByIso3(iso3)!;
            var byDefault = templates.Default(language);
            foreach (var question in bank.Questions)
            {
                foreach (var collapse in new int?[] { null, 3, 5 })
                {
                    if (collapse is not null && question.Collapses.All(c => c.Size != collapse))
                    {
                        continue;
                    }
                    var key = $"{language}/{byDefault.Id}/{question.Code}{(collapse is null ? "" : "/c" + collapse.Value.ToString(CultureInfo.InvariantCulture))}";
                    groups.Add(Group(key, AskedQuestion.Create(question, collapse), country, byDefault));
                }
            }
            foreach (var template in templates.For(language).Where(t => t.Id != byDefault.Id))
            {
                foreach (var question in bank.Questions.Take(ItemsPerOtherTemplate))
                {
                    groups.Add(Group($"{language}/{template.Id}/{question.Code}", AskedQuestion.Create(question), country, template));
                }
            }
        }
        return groups;
    }

    private static ParityGroup Group(string key, AskedQuestion asked, Country country, PromptTemplate template)
    {
        var texts = new List<string>();
        string? context = null;
        foreach (var format in Enum.GetValues<AnswerFormat>())
        {
            var prompts = PromptBuilder.Build(asked, [country], template, format);
            var branch = prompts.Branches[0];
            context ??= prompts.PromptFor(branch);
            if (texts.Count == 0)
            {
                texts.Add(context);
            }
            texts.AddRange(branch.Choices.Select(c => context + c.Text));
        }
        return new ParityGroup(key, texts);
    }

    /// <summary>
    /// Edge cases beyond the survey's text: odd whitespace, digits, apostrophes, accents composed and decomposed (NFD),
    /// emoji, scripts the bank does not use. None holds a special token's text (see <see cref="SpecialTexts"/>).
    /// </summary>
    public static IReadOnlyList<string> Probes { get; } =
    [
        "A", " A", "  A", "A ", "\n", "\n\n", " \n ", "\t", "x\ty", "  leading and trailing  ", "double  space  here",
        "line one\nline two\r\nline three", "Answer:\n\n\nA", "12", "123456789", "3.14159 and 2,718", "1st, 2nd, 3rd",
        "isn't", "I'LL", "they'RE", "we've", "o'clock", "rock'n'roll",
        "Ærø, Århus, blåbærgrød, søster", "IJsselmeer, coördinatie, één, reünie", "Não, ação, pão, você, às vezes",
        "Straße, naïve, façade, jalapeño", "Cửa Việt", "Привет, мир", "こんにちは世界", "中文测试", "안녕하세요",
        "emoji 🙂👍🏽 and 🇩🇰", "math ∑ ∞ ≠ ≤", "zero\u200Bwidth", "non\u00A0breaking", "tab\tand\u3000ideographic space",
        "cafe\u0301 cafe\u0301", "Ma\u0308dchen", "o\u0308 u\u0308 a\u0308", "A\u030Angstro\u0308m",
        "UPPER lower MiXeD", "a" + new string('b', 300), "___---===", "(A) [B] {C} <D>", "100%", "$5.00 €4,50 £3",
    ];

    /// <summary>Probes that hold texts of tokens some vocabulary has as special or control tokens.</summary>
    public static IReadOnlyList<string> SpecialTexts { get; } =
    [
        "x <s> </s> y", "<|im_start|>user\nhi<|im_end|>", "<|eot_id|> and <|begin_of_text|>", "<start_of_turn>model\n<end_of_turn>",
        "<bos>text<eos>", "<unk> <pad> <mask>",
    ];

    /// <summary>
    /// User turns for the chat-template check: the first item of each language with its default template (the context
    /// chat scoring wraps, with its chat-style continuations), and one text with whitespace at both ends.
    /// </summary>
    public static IReadOnlyList<ChatCase> ChatCases()
    {
        var templates = PromptTemplateSet.BuiltIn();
        var cases = new List<ChatCase>();
        foreach (var (language, iso3) in Languages)
        {
            var bank = QuestionBankTranslations.ForLanguage(language);
            var question = bank.Questions[0];
            var template = templates.Default(language);
            var prompts = PromptBuilder.Build(AskedQuestion.Create(question), [CountryTable.Default.FindByIso3(iso3)!], template, AnswerFormat.LetterAndText, PromptStyle.Chat);
            cases.Add(new ChatCase($"{language}/{template.Id}/{question.Code}", prompts.PromptFor(prompts.Branches[0]), [.. prompts.Branches[0].Choices.Select(c => c.Text)]));
        }
        cases.Add(new ChatCase("padded", "  How important is family?\n", ["A) Very"]));
        return cases;
    }

    /// <summary>The first 16 hex digits of SHA-256 over each text's UTF-8 bytes followed by a zero byte.</summary>
    public static string HashTexts(IEnumerable<string> texts)
    {
        using var buffer = new MemoryStream();
        foreach (var text in texts)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            buffer.Write(bytes);
            buffer.WriteByte(0);
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()))[..16];
    }

    /// <summary>The first 16 hex digits of SHA-256 over the ids written in decimal, ',' between ids and ';' between texts.</summary>
    public static string HashIds(IEnumerable<IReadOnlyList<int>> ids) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(';', ids.Select(i => string.Join(',', i))))))[..16];

    /// <summary>The strings file <c>make_fixtures.mjs</c> reads.</summary>
    public static void WriteStringsFile(string path)
    {
        var document = new StringsFile(
            [.. Prompts().Select(g => new StringsGroup(g.Key, g.Texts))],
            Probes,
            SpecialTexts,
            [.. ChatCases().Select(c => new StringsChat(c.Key, c.User, c.Continuations))]);
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = false }));
    }

    private sealed record StringsFile(
        [property: JsonPropertyName("groups")] IReadOnlyList<StringsGroup> Groups,
        [property: JsonPropertyName("probes")] IReadOnlyList<string> Probes,
        [property: JsonPropertyName("special")] IReadOnlyList<string> Special,
        [property: JsonPropertyName("chat")] IReadOnlyList<StringsChat> Chat);

    private sealed record StringsGroup([property: JsonPropertyName("key")] string Key, [property: JsonPropertyName("texts")] IReadOnlyList<string> Texts);

    private sealed record StringsChat(
        [property: JsonPropertyName("key")] string Key,
        [property: JsonPropertyName("user")] string User,
        [property: JsonPropertyName("continuations")] IReadOnlyList<string> Continuations);
}
