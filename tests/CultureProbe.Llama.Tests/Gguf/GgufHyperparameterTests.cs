using System.Globalization;
using CultureProbe.Llama.Gguf;

namespace CultureProbe.Llama.Tests.Gguf;

/// <summary>
/// Every hyperparameter llama.cpp v0.5.0 asserts on (or divides by, or loops on) is refused in managed code, naming the key
/// and the range expected. The cases follow the probe of the pinned release's source (each bad value below aborted,
/// hung, divided by zero or gave NaN logits in the shipped libraries); a sound file of each architecture passes.
/// </summary>
public sealed class GgufHyperparameterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// Metadata of a sound small model of <paramref name="architecture"/>: 32 wide, 2 blocks, 4 heads of 8, 2 KV heads.
    /// Keys without a dot-prefixed architecture are written as given.
    /// </summary>
    private static Dictionary<string, object> SoundMetadata(string architecture)
    {
        var a = architecture + ".";
        var metadata = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["general.architecture"] = architecture,
            [a + "context_length"] = 256u,
            [a + "embedding_length"] = 32u,
            [a + "block_count"] = 2u,
            [a + "feed_forward_length"] = 64u,
            [a + "attention.head_count"] = 4u,
            [a + "attention.head_count_kv"] = 2u,
            [a + "rope.dimension_count"] = 8u,
            [a + "rope.freq_base"] = 10000f,
            ["tokenizer.ggml.model"] = "llama",
            ["tokenizer.ggml.tokens"] = new[] { "<unk>", "<s>", "</s>" },
        };
        metadata[a + (architecture == "phi2" ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon")] = 1e-5f;
        return metadata;
    }

    /// <summary>
    /// Applies <paramref name="changes"/>, <c>key=value;key=value</c>: a key without a dot is under the architecture
    /// (<c>block_count</c>), one starting with <c>!</c> is written as given (<c>!split.count</c>); values are
    /// <c>u32:N</c>, <c>f32:X</c> (NaN, inf, -inf allowed), <c>str:S</c>, <c>bool:B</c>, <c>i32[]:N,N</c>, or <c>del</c>.
    /// </summary>
    private string Write(string architecture, string changes)
    {
        var metadata = SoundMetadata(architecture);
        foreach (var change in changes.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = (change[..change.IndexOf('=', StringComparison.Ordinal)], change[(change.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            key = key.StartsWith('!') ? key[1..] : $"{architecture}.{key}";
            if (value == "del")
            {
                metadata.Remove(key);
                continue;
            }
            var (type, text) = (value[..value.IndexOf(':', StringComparison.Ordinal)], value[(value.IndexOf(':', StringComparison.Ordinal) + 1)..]);
            metadata[key] = type switch
            {
                "u32" => uint.Parse(text, CultureInfo.InvariantCulture),
                "f32" => text switch { "inf" => float.PositiveInfinity, "-inf" => float.NegativeInfinity, _ => float.Parse(text, CultureInfo.InvariantCulture) },
                "str" => text,
                "bool" => bool.Parse(text),
                "i32[]" => text.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(),
                _ => throw new ArgumentException($"unknown type {type}"),
            };
        }
        var writer = new GgufWriter();
        foreach (var (key, value) in metadata)
        {
            _ = value switch
            {
                string s => writer.Add(key, s),
                uint u => writer.Add(key, u),
                float f => writer.Add(key, f),
                bool b => writer.Add(key, b),
                int[] ints => writer.Add(key, ints),
                string[] strings => writer.Add(key, strings),
                _ => throw new ArgumentException($"unsupported value {value}"),
            };
        }
        var embd = metadata.TryGetValue($"{architecture}.embedding_length", out var e) ? (uint)e : 32u;
        writer.AddTensor("token_embd.weight", [embd, 3], GgmlTensorType.F32, new float[embd * 3]);
        var path = _temp.File($"{Guid.NewGuid():N}.gguf");
        writer.Write(path);
        return path;
    }

    [Theory]
    // Norm epsilons: GGML_ASSERT(eps >= 0.0f) at the first decode (NaN fails it too); +inf zeroes every hidden state.
    [InlineData("llama", "attention.layer_norm_rms_epsilon=f32:NaN", "llama.attention.layer_norm_rms_epsilon = NaN: expected a finite number ≥ 0")]
    [InlineData("llama", "attention.layer_norm_rms_epsilon=f32:-1E-05", "llama.attention.layer_norm_rms_epsilon = -1E-05: expected a finite number ≥ 0")]
    [InlineData("qwen2", "attention.layer_norm_rms_epsilon=f32:inf", "qwen2.attention.layer_norm_rms_epsilon = inf: expected a finite number ≥ 0")]
    [InlineData("phi2", "attention.layer_norm_epsilon=f32:NaN", "phi2.attention.layer_norm_epsilon = NaN: expected a finite number ≥ 0")]
    [InlineData("llama", "attention.group_norm_epsilon=f32:-1", "llama.attention.group_norm_epsilon = -1: expected a finite number ≥ 0")]
    // Layers and experts: GGML_ASSERTs in load_hparams.
    [InlineData("llama", "block_count=u32:600", "llama.block_count between 1 and 512")]
    [InlineData("llama", "block_count=u32:0", "llama.block_count between 1 and 512")]
    [InlineData("llama", "nextn_predict_layers=u32:3", "llama.nextn_predict_layers = 3: expected at most llama.block_count = 2")]
    [InlineData("llama", "expert_count=u32:2000", "llama.expert_count = 2000: expected at most 1024")]
    [InlineData("llama", "expert_used_count=u32:2", "llama.expert_used_count = 2: expected 0 or absent, since llama.expert_count is absent")]
    [InlineData("llama", "expert_count=u32:8", "llama.expert_used_count = 0: expected from 1 to llama.expert_count = 8")]
    [InlineData("llama", "expert_count=u32:8;expert_used_count=u32:9", "llama.expert_used_count = 9: expected from 1 to llama.expert_count = 8")]
    [InlineData("llama", "expert_count=u32:8;expert_used_count=i32[]:2,9", "llama.expert_used_count = 9: expected from 1 to llama.expert_count = 8")]
    [InlineData("llama", "expert_group_count=u32:2", "llama.expert_group_count = 2: expected 0 or absent")]
    [InlineData("llama", "expert_count=u32:8;expert_used_count=u32:2;expert_group_count=u32:3", "llama.expert_group_count = 3: expected a divisor of llama.expert_count = 8")]
    [InlineData("llama", "expert_count=u32:8;expert_used_count=u32:2;expert_group_count=u32:8", "llama.expert_group_count = 8: expected less than llama.expert_count = 8")]
    [InlineData("llama", "expert_count=u32:8;expert_used_count=u32:2;expert_group_count=u32:4;expert_group_used_count=u32:4", "llama.expert_group_used_count = 4: expected from 1 to 3")]
    // Heads: a missing head count is a division by zero for gemma2/gemma3; other graphs use layer 0's count for every layer.
    [InlineData("gemma2", "attention.head_count=del", "has no gemma2.attention.head_count: expected an integer ≥ 1")]
    [InlineData("llama", "attention.head_count=i32[]:4,8", "llama.attention.head_count = [4, 8]: expected the same value for every layer")]
    [InlineData("llama", "attention.head_count_kv=u32:3", "llama.attention.head_count_kv = 3 does not divide the head count 4")]
    [InlineData("qwen3", "attention.head_count_kv=u32:8", "qwen3.attention.head_count_kv = 8 does not divide the head count 4")]
    [InlineData("llama", "attention.head_count_kv=i32[]:2,4", "llama.attention.head_count_kv = [2, 4]: expected the same value for every layer")]
    [InlineData("llama", "attention.head_count_kv=i32[]:0,0", "llama.attention.head_count_kv = 0: expected a divisor of llama.attention.head_count = 4")]
    // Head dimensions: keys and values are reshaped alike; RoPE needs an even head; SWA layers share the graph's dims.
    [InlineData("gemma", "attention.key_length=u32:8;attention.value_length=u32:4", "gemma.attention.value_length = 4: expected the key head dimension 8")]
    [InlineData("llama", "embedding_length=u32:36;rope.dimension_count=u32:9", "llama.attention.key_length = 9: expected an even head dimension")]
    [InlineData("gemma2", "attention.key_length_swa=u32:4", "gemma2.attention.key_length_swa = 4: expected 8")]
    // RoPE dimensions: full-rotation graphs assert n_rot == head dim; the kernel aborts (odd, too large), hangs (0) or writes out of bounds.
    [InlineData("llama", "rope.dimension_count=u32:4", "llama.rope.dimension_count = 4: expected the head dimension 8")]
    [InlineData("qwen2", "rope.dimension_count=u32:6", "qwen2.rope.dimension_count = 6: expected the head dimension 8")]
    [InlineData("gemma", "rope.dimension_count=u32:0", "gemma.rope.dimension_count = 0: expected an even number from 2 to the head dimension 8")]
    [InlineData("gemma", "rope.dimension_count=u32:7", "gemma.rope.dimension_count = 7: expected an even number from 2 to the head dimension 8")]
    [InlineData("phi3", "rope.dimension_count=u32:16", "phi3.rope.dimension_count = 16: expected an even number from 2 to the head dimension 8")]
    [InlineData("gemma", "rope.dimension_count=u32:4294967294", "gemma.rope.dimension_count = 4294967294: expected an even number")]
    [InlineData("gemma3", "rope.dimension_count_swa=u32:4", "gemma3.rope.dimension_count_swa = 4: expected 8")]
    // RoPE frequencies and scaling: unchecked floats (NaN logits), and a scaling type llama.cpp does not know (abort).
    [InlineData("llama", "rope.freq_base=f32:0", "llama.rope.freq_base = 0: expected a finite number above 1")]
    [InlineData("llama", "rope.freq_base=f32:NaN", "llama.rope.freq_base = NaN: expected a finite number above 1")]
    [InlineData("gemma2", "rope.freq_base_swa=f32:-10000", "gemma2.rope.freq_base_swa = -10000: expected a finite number above 1")]
    [InlineData("llama", "rope.scaling.type=str:dynamic", "llama.rope.scaling.type = 'dynamic': expected one of none, linear, yarn, longrope")]
    [InlineData("llama", "rope.scaling.factor=f32:NaN", "llama.rope.scaling.factor = NaN: expected 0 (no scaling) or a finite number above 0")]
    [InlineData("llama", "rope.scaling.type=str:yarn;rope.scaling.factor=f32:-4", "llama.rope.scaling.factor = -4: expected 0 (no scaling) or a finite number above 0")]
    [InlineData("llama", "rope.scale_linear=f32:-inf", "llama.rope.scale_linear = -inf: expected 0 (no scaling)")]
    [InlineData("llama", "rope.scaling.attn_factor=f32:0", "llama.rope.scaling.attn_factor = 0: expected a finite number above 0")]
    // Sliding windows and soft caps of gemma2/gemma3.
    [InlineData("gemma2", "attention.sliding_window=u32:0", "gemma2.attention.sliding_window = 0: expected from 1 to 2147483647")]
    [InlineData("gemma2", "attention.sliding_window=u32:4294967295", "gemma2.attention.sliding_window = 4294967295: expected from 1 to 2147483647")]
    [InlineData("gemma2", "attention.sliding_window_pattern=u32:1", "gemma2.attention.sliding_window_pattern = 1: expected 0 or an integer ≥ 2")]
    [InlineData("gemma3", "attention.sliding_window=u32:512;attention.sliding_window_pattern=u32:1", "gemma3.attention.sliding_window_pattern = 1: expected 0 or an integer ≥ 2")]
    [InlineData("gemma3", "attention.sliding_window=u32:512;attention.sliding_window_pattern=i32[]:0,0", "gemma3.attention.sliding_window_pattern = [0, 0]: expected at least one sliding-window layer")]
    [InlineData("gemma2", "attn_logit_softcapping=f32:0", "gemma2.attn_logit_softcapping = 0: expected a finite number above 0")]
    [InlineData("gemma3", "final_logit_softcapping=f32:NaN", "gemma3.final_logit_softcapping = NaN: expected 0 (off) or a finite number above 0")]
    // Scoring assumes a causal model; a split model would load files never checked.
    [InlineData("llama", "attention.causal=bool:false", "llama.attention.causal = false: expected true or absent")]
    [InlineData("mistral3", "attention.temperature_scale=f32:NaN", "mistral3.attention.temperature_scale = NaN: expected a finite number")]
    [InlineData("llama", "!split.count=u32:2", "split.count = 2: expected 1 (one file)")]
    public void A_hyperparameter_llama_cpp_would_crash_on_is_refused_naming_the_key_and_the_range(string architecture, string changes, string expected)
    {
        var path = Write(architecture, changes);

        var error = Should.Throw<InvalidModelFileException>(() => GgufFile.Read(path));

        error.Message.ShouldStartWith(path + ": ");
        error.Message.ShouldContain(expected, customMessage: error.Message);
    }

    [Theory]
    [InlineData("llama", "")]
    [InlineData("mistral3", "")]
    [InlineData("qwen2", "")]
    [InlineData("qwen3", "")]
    [InlineData("gemma", "")]
    [InlineData("gemma2", "attention.sliding_window=u32:4096;attention.sliding_window_pattern=u32:2;attn_logit_softcapping=f32:50;final_logit_softcapping=f32:30")]
    [InlineData("gemma3", "attention.sliding_window=u32:512;attention.sliding_window_pattern=i32[]:1,0;final_logit_softcapping=f32:0")]
    [InlineData("gemma3", "attention.sliding_window=u32:0;attention.sliding_window_pattern=u32:1")]
    [InlineData("phi2", "rope.dimension_count=u32:4")]
    [InlineData("phi3", "rope.dimension_count=u32:2")]
    // The edges llama.cpp accepts: eps 0, scaling factor 0 (off), per-layer arrays that agree, a mixture of experts in range.
    [InlineData("llama", "attention.layer_norm_rms_epsilon=f32:0;rope.scaling.factor=f32:0;rope.scaling.type=str:yarn")]
    [InlineData("llama", "attention.head_count=i32[]:4,4;attention.head_count_kv=i32[]:2,2;block_count=u32:2")]
    [InlineData("llama", "expert_count=u32:8;expert_used_count=u32:2;expert_group_count=u32:4;expert_group_used_count=u32:2")]
    [InlineData("llama", "block_count=u32:512;attention.causal=bool:true;!split.count=u32:1")]
    // Architectures whose graphs were not read get the generic rules only (no head requirement: recurrent models have none).
    [InlineData("mamba", "attention.head_count=del;attention.head_count_kv=del;rope.dimension_count=del")]
    public void A_sound_file_passes(string architecture, string changes)
    {
        var path = Write(architecture, changes);

        var file = GgufFile.Read(path);

        file.GetString("general.architecture").ShouldBe(architecture);
    }

    [Fact]
    public void Every_architecture_with_every_rule_is_covered_by_a_sound_case()
    {
        GgufHyperparameters.CheckedArchitectures.Order(StringComparer.Ordinal)
            .ShouldBe(["gemma", "gemma2", "gemma3", "llama", "mistral3", "phi2", "phi3", "qwen2", "qwen3"]);
    }

    [Fact]
    public void The_shared_stories260K_model_passes()
    {
        var stories = TinyModels.Stories260K;
        if (stories is null)
        {
            Assert.Skip("stories260K.gguf is not in ../shared/models");
        }
        GgufFile.Read(stories).GetString("general.architecture").ShouldBe("llama");
    }
}
