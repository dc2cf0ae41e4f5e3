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
