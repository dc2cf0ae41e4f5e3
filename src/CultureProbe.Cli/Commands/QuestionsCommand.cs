using System.CommandLine;
using CultureProbe.Surveys;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe questions</c>: lists the question bank or a set of it.</summary>
internal static class QuestionsCommand
{
    public static Command Create()
    {
        var set = new Option<string>("--set") { Description = "A set name (all, paper-12, or one from --sets-file), or codes, ranges and categories such as 'Q1,Q177-Q195,ethics'.", DefaultValueFactory = _ => QuestionBank.AllSetName };
        var setsFile = new Option<FileInfo?>("--sets-file") { Description = "YAML file defining more sets: 'sets: { name: [Q1, Q46-Q56, ethics] }'." };
        var format = CommonOptions.Format("table", "table", "json");
        var language = new Option<string?>("--language") { Description = "Show the texts in this language: en (default), da, nl or pt (translations of the built-in bank)." };
        var counts = new Option<bool>("--counts") { Description = "Print only the number of items per category, beside Kim & Baek's (2024) Table 2 counts." };
        var survey = new SurveyOptions();
        var command = new Command("questions", "List the items of the question bank (WVS-7, or another survey's with --bank): code, category, question, options and scores.") { set, setsFile, format, language, counts, survey.Bank };
        command.SetAction(parse =>
        {
            var bank = survey.QuestionBank(parse, parse.GetValue(language));
            if (parse.GetValue(setsFile) is { } file)
            {
                bank = QuestionBankLoader.WithSetsFile(bank, file.FullName);
            }
            var questions = bank.Select(parse.GetValue(set)!);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                CommonOptions.WriteJson(output, questions.Select(q => new
                {
                    code = q.Code,
                    category = q.CategoryId,
                    text = q.Text,
                    ordinal = q.IsOrdinal,
                    options = q.Options.Select(o => new { code = o.Code, label = o.Label, score = o.Score }),
                }));
                return Program.ExitOk;
            }
            var console = ConsoleFactory.Create(output);
            if (!parse.GetValue(counts))
            {
                var table = new Table().AddColumns("Code", "Category", "Question", "Options (code: label = score)");
                foreach (var q in questions)
                {
                    var options = string.Join("; ", q.Options.Select(o => o.Score is { } s ? $"{o.Code}: {o.Label} = {s:+0.##;-0.##;0}" : $"{o.Code}: {o.Label}"));
                    table.AddRow(Markup.Escape(q.Code), Markup.Escape(q.CategoryId), Markup.Escape(q.Text), Markup.Escape(q.IsOrdinal ? options : options + " (nominal)"));
                }
                console.Write(table);
            }
            // A bank that names the study its counts come from (the built-in one: Kim & Baek's Table 2) gets them beside its own.
            var reference = bank.Survey.CountsSource;
            var countTable = new Table().AddColumns("Category", "Range", "Items here");
            if (reference is not null)
            {
                countTable.AddColumn(Markup.Escape(reference));
            }
            var prefix = bank.Questions.Count > 0 ? QuestionBank.CodeParts(bank.Questions[0].Code).Prefix : "";
            string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var category in bank.Categories)
            {
                string[] cells = [Markup.Escape(category.Title), Markup.Escape(category.RangeText(prefix)), N(questions.Count(q => q.CategoryId == category.Id))];
                countTable.AddRow(reference is null ? cells : [.. cells, category.PaperCount is { } paper ? N(paper) : "not used"]);
            }
            string[] total = ["[bold]Total[/]", "", N(questions.Count)];
            countTable.AddRow(reference is null ? total : [.. total, N(bank.Categories.Sum(c => c.PaperCount ?? 0))]);
            console.Write(countTable);
            return Program.ExitOk;
        });
        return command;
    }
}
