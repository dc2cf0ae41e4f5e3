using CultureProbe.Models;
using Shouldly;

namespace CultureProbe.Tests.Models;

public sealed class ModelCardTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string ShippedCards()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "CultureProbe.slnx")))
        {
            directory = directory.Parent;
        }
        return Path.Combine(directory!.FullName, "data", "model-cards");
    }

    [Fact]
    public void Shipped_example_cards_load_and_every_chat_card_names_a_base_in_the_set()
    {
        var cards = ModelCard.LoadFolder(ShippedCards());
        cards.Count.ShouldBeGreaterThanOrEqualTo(10);
        var ids = cards.Select(c => c.Id).ToHashSet();
        cards.Where(c => c.BaseModel is not null).ShouldAllBe(c => ids.Contains(c.BaseModel!));
        cards.ShouldContain(c => c.Chat == false);
        cards.ShouldContain(c => c.Corpus.Multilingual == true);
    }

    // Kim & Baek (2024, arXiv 2412.08846), Table 1 in appendix A.2, as transcribed in issue 11: model,
    // parameters (billions) and pretraining tokens (trillions). Where the printed token figure is a
    // slip or a rounding, the expected value is the model's own source and the comment says so.
    public static TheoryData<string, double, double, bool?> KimBaekModels => new()
    {
        { "phi-1_5", 1.3, 0.15, false },                 // printed 150B
        { "phi-2", 2.7, 1.4, false },                    // printed "14T"; Microsoft's card: 1.4T
        { "phi-3-mini-4k-instruct", 3.8, 3.3, true },    // printed "33T"; Phi-3 report and card: 3.3T
        { "llama-2-7b", 7, 2.0, false },
        { "llama-2-7b-chat", 7, 2.0, true },
        { "llama-2-13b", 13, 2.0, false },
        { "llama-2-13b-chat", 13, 2.0, true },
        { "llama-2-70b", 70, 2.0, false },
        { "llama-2-70b-chat", 70, 2.0, true },
        { "llama-3-8b", 8, 15.0, false },
        { "llama-3-8b-instruct", 8, 15.0, true },
        { "llama-3-70b", 70, 15.0, false },
        { "llama-3-70b-instruct", 70, 15.0, true },
        { "yi-6b", 6, 3.1, false },                      // printed 3T; the Yi report: 3.1T
        { "yi-6b-chat", 6, 3.1, true },
        { "yi-34b", 34, 3.1, false },
        { "yi-34b-chat", 34, 3.1, true },
    };

    [Theory]
    [MemberData(nameof(KimBaekModels))]
    public void Every_model_of_Kim_and_Baek_has_a_card_with_its_size_and_tokens_marked_as_theirs(string id, double parameters, double tokens, bool? chat)
    {
        var card = ModelCard.LoadFolder(ShippedCards()).SingleOrDefault(c => c.Id == id);
        card.ShouldNotBeNull($"no card with id {id}");
        card.ParametersBillions.ShouldBe(parameters);
        card.TrainingTokensTrillions.ShouldBe(tokens);
        card.Chat.ShouldBe(chat);
        card.EvaluatedIn.ShouldBe(["kim-baek-2024"]);
        card.Sources.ShouldContain(s => s.Contains("arXiv 2412.08846", StringComparison.Ordinal), "the card should cite the paper that lists it");
    }

    [Fact]
    public void Only_the_papers_models_are_marked_as_theirs()
    {
        var marked = ModelCard.LoadFolder(ShippedCards()).Where(c => c.EvaluatedIn.Contains("kim-baek-2024")).Select(c => c.Id);
        marked.ShouldBe(KimBaekModels.Select(row => row.Data.Item1), ignoreOrder: true);
    }

    [Theory]
    [InlineData("phi-2", "14T")]
    [InlineData("phi-3-mini-4k-instruct", "33T")]
    public void A_token_figure_the_paper_misprints_is_noted_beside_the_models_own(string id, string printed)
    {
        var card = ModelCard.LoadFolder(ShippedCards()).Single(c => c.Id == id);
        card.Corpus.Notes.ShouldNotBeNull();
        card.Corpus.Notes.ShouldContain($"'{printed}'");
        card.Sources.Count(s => !s.Contains("arXiv 2412.08846", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public void Evaluated_in_is_read_as_a_list_and_is_empty_when_absent()
    {
        var listed = _temp.File("listed.yaml");
        File.WriteAllText(listed, "id: m\nevaluated_in: [kim-baek-2024, someone-else-2025]\n");
        var plain = _temp.File("plain.yaml");
        File.WriteAllText(plain, "id: n\n");

        ModelCard.LoadFile(listed).EvaluatedIn.ShouldBe(["kim-baek-2024", "someone-else-2025"]);
        ModelCard.LoadFile(plain).EvaluatedIn.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("[Kim-Baek-2024]", "evaluated_in[0]: expected a paper id of lower-case letters and digits joined by hyphens, such as kim-baek-2024, found 'Kim-Baek-2024'")]
    [InlineData("[kim-baek-2024, '']", "evaluated_in[1]: expected a paper id of lower-case letters and digits joined by hyphens, such as kim-baek-2024, found ''")]
    [InlineData("[kim-baek-2024, kim-baek-2024]", "evaluated_in[1]: 'kim-baek-2024' is listed more than once")]
    public void A_bad_paper_id_is_refused_naming_the_file_and_the_entry(string value, string message)
    {
        var path = _temp.File("bad-paper.yaml");
        File.WriteAllText(path, $"id: m\nevaluated_in: {value}\n");
        Should.Throw<InputException>(() => ModelCard.LoadFile(path)).Message.ShouldBe($"{path}: {message}");
    }

    [Fact]
    public void Evaluated_in_given_as_one_word_instead_of_a_list_is_refused_with_its_line()
    {
        var path = _temp.File("scalar.yaml");
        File.WriteAllText(path, "id: m\nevaluated_in: kim-baek-2024\n");
        Should.Throw<InputException>(() => ModelCard.LoadFile(path)).Message.ShouldStartWith($"{path}:2:");
    }

    [Fact]
    public void A_card_without_an_id_is_rejected_naming_the_file()
    {
        var path = _temp.File("bad.yaml");
        File.WriteAllText(path, "name: x\nparameters_billions: 7\n");
        Should.Throw<InputException>(() => ModelCard.LoadFile(path)).Message.ShouldBe($"{path}: id: expected the model's short id");
    }

    [Fact]
    public void A_misspelt_field_is_rejected_with_its_line()
    {
        var path = _temp.File("typo.yaml");
        File.WriteAllText(path, "id: m\nparameter_billions: 7\n");
        Should.Throw<InputException>(() => ModelCard.LoadFile(path)).Message.ShouldStartWith($"{path}:2:");
    }
}
