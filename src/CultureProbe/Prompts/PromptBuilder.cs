using System.Text;
using System.Text.Json.Serialization;
using CultureProbe.Models;
using CultureProbe.Surveys;

namespace CultureProbe.Prompts;

/// <summary>How an answer continuation is written after the prompt.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnswerFormat>))]
public enum AnswerFormat
{
    /// <summary><c> A) Never justifiable</c> (default).</summary>
    [JsonStringEnumMemberName("letter+text")]
    LetterAndText,

    /// <summary><c> Never justifiable</c>.</summary>
    [JsonStringEnumMemberName("text")]
    Text,

    /// <summary><c> A</c>.</summary>
    [JsonStringEnumMemberName("letter")]
    Letter,
}

/// <summary>One country's branch of a prompt tree: its suffix and the K answer options.</summary>
/// <param name="Country">The country the branch asks about.</param>
/// <param name="Suffix">Text after the shared prefix, naming the country.</param>
/// <param name="Choices">One answer per presented option, in option order.</param>
public sealed record PromptBranch(Country Country, string Suffix, IReadOnlyList<AnswerChoice> Choices);

/// <summary>
/// The prompts of one question for many countries, shaped as the engine's prefix tree:
/// the prefix (question and choices) is shared by every country, each branch's suffix by
/// all K answers.
/// </summary>
public sealed record QuestionPrompts(AskedQuestion Asked, PromptTemplate Template, AnswerFormat Format, string Prefix, IReadOnlyList<PromptBranch> Branches)
{
    /// <summary>The full prompt of one branch (prefix + suffix).</summary>
    public string PromptFor(PromptBranch branch)
    {
        ArgumentNullException.ThrowIfNull(branch);
        return Prefix + branch.Suffix;
    }
}

/// <summary>Fills templates with an item's text, choices and countries.</summary>
public static class PromptBuilder
{
    /// <summary>Builds the prompt tree of <paramref name="asked"/> for <paramref name="countries"/>.</summary>
    /// <param name="asked">The question as asked.</param>
    /// <param name="countries">The branches' countries.</param>
    /// <param name="template">The template.</param>
    /// <param name="format">How answers are written.</param>
    /// <param name="style">Completion answers continue the text with a leading space; chat answers open the reply without one.</param>
    public static QuestionPrompts Build(AskedQuestion asked, IReadOnlyList<Country> countries, PromptTemplate template, AnswerFormat format, PromptStyle style = PromptStyle.Completion)
    {
        ArgumentNullException.ThrowIfNull(asked);
        ArgumentNullException.ThrowIfNull(countries);
        ArgumentNullException.ThrowIfNull(template);
        var choices = Choices(asked, template);
        var prefix = Fill(template.Prefix, asked.Question.Text, choices, null);
        var answers = asked.Options.Select((o, i) => new AnswerChoice(
            template.ListsLetters ? AskedQuestion.Letter(i) : null,
            o.Label,
            Continuation(o, i, format, style))).ToArray();
        var branches = countries.Select(c => new PromptBranch(c, Fill(template.Suffix, asked.Question.Text, choices, template.CountryName(c)), answers)).ToArray();
        return new QuestionPrompts(asked, template, format, prefix, branches);
    }

    /// <summary>The continuation for option <paramref name="index"/>: with the leading space a completion needs, without it for a chat reply.</summary>
    public static string Continuation(PresentedOption option, int index, AnswerFormat format, PromptStyle style = PromptStyle.Completion)
    {
        ArgumentNullException.ThrowIfNull(option);
        var text = format switch
        {
            AnswerFormat.LetterAndText => $"{AskedQuestion.Letter(index)}) {option.Label}",
            AnswerFormat.Text => option.Label,
            _ => AskedQuestion.Letter(index),
        };
        return style == PromptStyle.Chat ? text : " " + text;
    }

    private static string Choices(AskedQuestion asked, PromptTemplate template)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < asked.Options.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(template.Separator);
            }
            builder.Append(template.Choice.Replace("{letter}", AskedQuestion.Letter(i), StringComparison.Ordinal)
                .Replace("{label}", asked.Options[i].Label, StringComparison.Ordinal));
        }
        return builder.ToString();
    }

    private static string Fill(string text, string question, string choices, string? country)
    {
        var filled = text.Replace("{question}", question, StringComparison.Ordinal).Replace("{choices}", choices, StringComparison.Ordinal);
        return country is null ? filled : filled.Replace("{country}", country, StringComparison.Ordinal);
    }
}
