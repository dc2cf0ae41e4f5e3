using System.Text.RegularExpressions;
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
/// chat, corpus, and the papers that evaluated it. <c>compare</c> groups and ranks models by these.
/// Cards are small YAML files; <c>data/model-cards/README.md</c> gives the format, and that folder
/// ships Kim &amp; Baek's models (and a few others) as examples.
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
/// <param name="EvaluatedIn">Ids of the papers that evaluated this model (e.g. <c>kim-baek-2024</c>); empty when none is recorded.</param>
public sealed partial record ModelCard(
    string Id,
    string Name,
    string? Family,
    double? ParametersBillions,
    double? TrainingTokensTrillions,
    bool? Chat,
    string? BaseModel,
    CorpusAttributes Corpus,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> EvaluatedIn)
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
        CultureProbe.IO.InputFiles.RejectFolder(path);
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
            throw new InputException($"{path}:{e.Start.Line}:{e.Start.Column}: not a valid model card: {CultureProbe.IO.YamlMessages.Describe(e)}", e);
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
            new CorpusAttributes(dto.Corpus?.Multilingual, dto.Corpus?.SyntheticData, dto.Corpus?.Notes), dto.Sources ?? [], PaperIds(path, dto.EvaluatedIn));
    }

    /// <summary>
    /// The <c>evaluated_in</c> list: paper ids in lower case, words joined by hyphens (author-author-year),
    /// each listed once. Ids are not looked up anywhere, so a new paper needs no code.
    /// </summary>
    private static string[] PaperIds(string path, List<string?>? ids)
    {
        if (ids is null)
        {
            return [];
        }
        var checkedIds = new List<string>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            if (id is null || !PaperIdPattern().IsMatch(id))
            {
                throw new InputException($"{path}: evaluated_in[{i}]: expected a paper id of lower-case letters and digits joined by hyphens, such as kim-baek-2024, found '{id}'");
            }
            if (checkedIds.Contains(id, StringComparer.Ordinal))
            {
                throw new InputException($"{path}: evaluated_in[{i}]: '{id}' is listed more than once");
            }
            checkedIds.Add(id);
        }
        return [.. checkedIds];
    }

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PaperIdPattern();

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
        public List<string?>? EvaluatedIn { get; set; }
    }

    private sealed class CorpusDto
    {
        public bool? Multilingual { get; set; }
        public bool? SyntheticData { get; set; }
        public string? Notes { get; set; }
    }
}
