using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CultureProbe.Models;

/// <summary>Training-corpus attributes of a model, from its paper or card.</summary>
/// <param name="Multilingual">Whether pretraining deliberately included substantial multilingual data.</param>
/// <param name="SyntheticData">Whether substantial synthetic (model-generated) data was used.</param>
/// <param name="Notes">Free text.</param>
public sealed record CorpusAttributes(bool? Multilingual, bool? SyntheticData, string? Notes);

/// <summary>
/// What is known about a model beyond its weights: family, size, training tokens, base or
/// chat, corpus. <c>compare</c> groups and ranks models by these. Cards are small YAML files
/// (see <c>docs/model-cards.md</c>); <c>data/model-cards/</c> ships Kim &amp; Baek's models as examples.
/// </summary>
/// <param name="Id">Short id; matches the model id of a run.</param>
/// <param name="Name">Published name.</param>
/// <param name="Family">Model family, e.g. Llama-2.</param>
/// <param name="ParametersBillions">Parameters in billions.</param>
/// <param name="TrainingTokensTrillions">Pretraining tokens in trillions.</param>
/// <param name="Chat">Chat/instruction-tuned (true) or base (false).</param>
/// <param name="BaseModel">For a chat model, the id of its base model.</param>
/// <param name="Corpus">Training-corpus attributes.</param>
/// <param name="Sources">Where the facts come from.</param>
public sealed record ModelCard(
    string Id,
    string Name,
    string? Family,
    double? ParametersBillions,
    double? TrainingTokensTrillions,
    bool? Chat,
    string? BaseModel,
    CorpusAttributes Corpus,
    IReadOnlyList<string> Sources)
{
    /// <summary>Reads every <c>*.yaml</c> card in <paramref name="folder"/>.</summary>
    public static IReadOnlyList<ModelCard> LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new InputException($"{folder}: model card folder not found");
        }
        var cards = Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal).Select(LoadFile).ToList();
        var duplicate = cards.GroupBy(c => c.Id, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InputException($"{folder}: model card id '{duplicate.Key}' is used by more than one file");
        }
        return cards;
    }

    /// <summary>Reads one card; bad YAML or a missing id is bad input naming the file.</summary>
    public static ModelCard LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: model card not found");
        }
        CardDto dto;
        try
        {
            dto = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Deserialize<CardDto>(File.ReadAllText(path)) ?? new CardDto();
        }
        catch (YamlException e)
        {
            throw new InputException($"{path}:{e.Start.Line}:{e.Start.Column}: not a valid model card: {e.InnerException?.Message ?? e.Message}", e);
        }
        if (string.IsNullOrWhiteSpace(dto.Id))
        {
            throw new InputException($"{path}: id: expected the model's short id");
        }
        if (dto.ParametersBillions is <= 0)
        {
            throw new InputException($"{path}: parameters_billions: expected a positive number, found {dto.ParametersBillions}");
        }
        return new ModelCard(dto.Id, dto.Name ?? dto.Id, dto.Family, dto.ParametersBillions, dto.TrainingTokensTrillions, dto.Chat, dto.BaseModel,
            new CorpusAttributes(dto.Corpus?.Multilingual, dto.Corpus?.SyntheticData, dto.Corpus?.Notes), dto.Sources ?? []);
    }

    private sealed class CardDto
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public string? Family { get; set; }
        public double? ParametersBillions { get; set; }
        public double? TrainingTokensTrillions { get; set; }
        public bool? Chat { get; set; }
        public string? BaseModel { get; set; }
        public CorpusDto? Corpus { get; set; }
        public List<string>? Sources { get; set; }
    }

    private sealed class CorpusDto
    {
        public bool? Multilingual { get; set; }
        public bool? SyntheticData { get; set; }
        public string? Notes { get; set; }
    }
}
