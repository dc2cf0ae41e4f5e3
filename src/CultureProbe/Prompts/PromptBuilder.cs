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

/// <summary>One (country, option order) branch of a prompt tree: its suffix and the K answer options.</summary>
/// <param name="Country">The country the branch asks about.</param>
/// <param name="Suffix">Text after the shared prefix: the choices in the branch's order when orders vary, then the part naming the country.</param>
/// <param name="Choices">One answer per option, in the order they are listed (lettered A, B, … by position).</param>
/// <param name="Order">The order the options are listed in; null for the item's own order.</param>
public sealed record PromptBranch(Country Country, string Suffix, IReadOnlyList<AnswerChoice> Choices, OptionOrder? Order = null)
{
    /// <summary>The order the options are listed in.</summary>
    public OptionOrder ListedOrder => Order ?? OptionOrder.Original(Choices.Count);
}

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
    /// <param name="orders">The orders to list the options in (default: the item's own). With several, the shared prefix
    /// ends before the choices, so the question is read once for every order, and branches run order by order, each
    /// order's countries together, so an engine's prefix tree also shares each order's choices.</param>
    public static QuestionPrompts Build(AskedQuestion asked, IReadOnlyList<Country> countries, PromptTemplate template, AnswerFormat format, PromptStyle style = PromptStyle.Completion, OptionOrders? orders = null)
    {
        ArgumentNullException.ThrowIfNull(asked);
        ArgumentNullException.ThrowIfNull(countries);
        ArgumentNullException.ThrowIfNull(template);
        var listings = (orders ?? OptionOrders.Original).For(asked.Options.Count, asked.Question.Code);
        if (listings.Count == 1 && listings[0].IsOriginal)
        {
            var choices = Choices(asked, template, listings[0]);
            var prefix = Fill(template.Prefix, asked.Question.Text, choices, null);
            var answers = Answers(asked, template, format, style, listings[0]);
            var branches = countries.Select(c => new PromptBranch(c, Fill(template.Suffix, asked.Question.Text, choices, template.CountryName(c)), answers, listings[0])).ToArray();
            return new QuestionPrompts(asked, template, format, prefix, branches);
        }
        var at = template.Prefix.IndexOf("{choices}", StringComparison.Ordinal);
        var head = at < 0 ? template.Prefix : template.Prefix[..at];
        var rest = at < 0 ? "" : template.Prefix[at..];
        var shared = Fill(head, asked.Question.Text, "", null);
        var ordered = new List<PromptBranch>(listings.Count * countries.Count);
        foreach (var listing in listings)
        {
            var choices = Choices(asked, template, listing);
            var answers = Answers(asked, template, format, style, listing);
            var listed = Fill(rest, asked.Question.Text, choices, null);
            ordered.AddRange(countries.Select(c => new PromptBranch(c, listed + Fill(template.Suffix, asked.Question.Text, choices, template.CountryName(c)), answers, listing)));
        }
        return new QuestionPrompts(asked, template, format, shared, ordered);
    }

    /// <summary>The answers in listed order: position p shows option Listing[p] under letter p.</summary>
    private static AnswerChoice[] Answers(AskedQuestion asked, PromptTemplate template, AnswerFormat format, PromptStyle style, OptionOrder order) =>
        order.Listing.Select((option, position) => new AnswerChoice(
            template.ListsLetters ? AskedQuestion.Letter(position) : null,
            asked.Options[option].Label,
            Continuation(asked.Options[option], position, format, style))).ToArray();

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

    private static string Choices(AskedQuestion asked, PromptTemplate template, OptionOrder order)
    {
        var builder = new StringBuilder();
        for (var p = 0; p < order.Listing.Count; p++)
        {
            if (p > 0)
            {
                builder.Append(template.Separator);
            }
            builder.Append(template.Choice.Replace("{letter}", AskedQuestion.Letter(p), StringComparison.Ordinal)
                .Replace("{label}", asked.Options[order.Listing[p]].Label, StringComparison.Ordinal));
        }
        return builder.ToString();
    }

    private static string Fill(string text, string question, string choices, string? country)
    {
        var filled = text.Replace("{question}", question, StringComparison.Ordinal).Replace("{choices}", choices, StringComparison.Ordinal);
        return country is null ? filled : filled.Replace("{country}", country, StringComparison.Ordinal);
    }
}
