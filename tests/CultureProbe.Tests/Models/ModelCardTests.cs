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
