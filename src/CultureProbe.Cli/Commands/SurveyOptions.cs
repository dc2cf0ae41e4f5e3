using System.CommandLine;
using CultureProbe.Surveys;

namespace CultureProbe.Cli.Commands;

/// <summary>
/// The options that say which survey a verb works with: the question bank (any survey, as YAML; WVS-7 by default)
/// and extra countries. Verbs that read or write survey data take them, so that a new survey needs no code.
/// </summary>
internal sealed class SurveyOptions
{
    public Option<FileInfo?> Bank { get; } = new("--bank") { Description = "Question bank of another survey (YAML, see docs/question-bank-format.md); default: the built-in WVS-7 bank." };

    public Option<FileInfo?> CountriesFile { get; } = new("--countries-file") { Description = "YAML file of countries to add to the built-in table (code, name, continent, Western flag, cultural zone)." };

    public IEnumerable<Option> All => [Bank, CountriesFile];

    /// <summary>The bank: a user's file, else the built-in WVS-7 bank in <paramref name="language"/>.</summary>
    /// <exception cref="InputException">The file is invalid, or <paramref name="language"/> is not the file's language.</exception>
    public QuestionBank QuestionBank(ParseResult parse, string? language = null)
    {
        if (parse.GetValue(Bank) is not { } file)
        {
            return QuestionBankTranslations.ForLanguage(language ?? "en");
        }
        var bank = QuestionBankLoader.LoadFile(file.FullName);
        if (language is not null && !language.Equals(bank.Language, StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException($"--language {language}: the bank {file.Name} is in '{bank.Language}'; translations exist only for the built-in WVS-7 bank");
        }
        return bank;
    }

    /// <summary>The built-in country table, extended with the user's file when given.</summary>
    public CountryTable Countries(ParseResult parse) =>
        parse.GetValue(CountriesFile) is { } file ? CountryTable.Default.ExtendedWith(file.FullName) : CountryTable.Default;
}
