using System.Globalization;

namespace CultureProbe.Llama.Gguf;

/// <summary>
/// The hyperparameters llama.cpp (release v0.5.0) asserts on, checked before it sees the file. llama.cpp reads them
/// without checking and then aborts the whole process (<c>GGML_ASSERT</c>, exit 134), divides by zero (SIGFPE),
/// loops forever in its RoPE kernel, or computes NaN logits. Each rule names the key, the value found and the range
/// expected. The source lines are those of the pinned release (<c>src/llama-model.cpp</c> <c>load_hparams</c>,
/// <c>src/models/*.cpp</c>, <c>ggml/src/ggml-cpu/ops.cpp</c>).
/// </summary>
/// <remarks>
/// Rules that hold for every architecture come from the generic loader; the head-dimension, RoPE and sliding-window
/// rules are checked for the architectures whose graphs were read (<see cref="CheckedArchitectures"/>). Values are
/// compared as llama.cpp reads them: integers as unsigned 32-bit, floats as 32-bit (a wrong GGUF type is a clean
/// load error in llama.cpp, not a crash).
/// </remarks>
internal static class GgufHyperparameters
{
    /// <summary><c>LLAMA_MAX_LAYERS</c> (<c>src/llama-hparams.h</c>).</summary>
    public const int MaxLayers = 512;

    /// <summary><c>LLAMA_MAX_EXPERTS</c> (<c>src/llama-hparams.h</c>).</summary>
    public const int MaxExperts = 1024;

    /// <summary>The values <c>llama_rope_scaling_type_from_string</c> knows; anything else aborts at load.</summary>
    public static readonly IReadOnlyList<string> RopeScalingTypes = ["none", "linear", "yarn", "longrope"];

    /// <summary>Architectures whose graph asserts RoPE dimensions equal to the head dimension.</summary>
    private static readonly HashSet<string> FullRope = new(StringComparer.Ordinal) { "llama", "mistral3", "qwen2", "qwen3" };

    /// <summary>Architectures that rotate part of each head (2 ≤ rope dims ≤ head dim, even).</summary>
    private static readonly HashSet<string> PartialRope = new(StringComparer.Ordinal) { "gemma", "gemma2", "gemma3", "phi2", "phi3" };

    /// <summary>Architectures with every rule checked; others get the rules of llama.cpp's generic loader.</summary>
    public static IReadOnlyCollection<string> CheckedArchitectures { get; } = [.. FullRope, .. PartialRope];

    private const string Aborts = "llama.cpp would abort the process";

    /// <summary>Refuses <paramref name="file"/> when a hyperparameter of <paramref name="architecture"/> is out of llama.cpp's range.</summary>
    /// <exception cref="InvalidModelFileException">The first value out of range, by key.</exception>
    public static void Validate(GgufFile file, string architecture)
    {
        var check = new Checker(file, architecture);
        check.Generic();
        if (FullRope.Contains(architecture) || PartialRope.Contains(architecture))
        {
            check.Attention(fullRope: FullRope.Contains(architecture));
        }
        if (architecture is "gemma2" or "gemma3")
        {
            check.SlidingWindow(gemma3: architecture == "gemma3");
        }
        if (architecture == "mistral3")
        {
            foreach (var key in new[] { "attention.temperature_scale", "rope.scaling.yarn_beta_fast", "rope.scaling.yarn_beta_slow", "rope.scaling.yarn_log_multiplier" })
            {
                check.FiniteFloat(key);
            }
        }
    }

    private sealed class Checker(GgufFile file, string architecture)
    {
        private readonly string _prefix = architecture + ".";

        private string Key(string name) => _prefix + name;

        private InvalidModelFileException Refuse(string key, string found, string expected, string consequence) =>
            new(file.Path, $"{key} = {found}: expected {expected}; {consequence}");

        private InvalidModelFileException Missing(string key, string expected, string consequence) =>
            new(file.Path, $"has no {key}: expected {expected}; {consequence}");

        /// <summary>An integer key as llama.cpp reads it: a scalar, or a per-layer array (integers or booleans); null when absent.</summary>
        private long[]? Integers(string key)
        {
            if (!file.Metadata.TryGetValue(key, out var value))
            {
                return null;
            }
            return value switch
            {
                long l => [l],
                bool b => [b ? 1 : 0],
                object[] array when array.All(e => e is long or bool) => [.. array.Select(e => e is bool b ? (b ? 1L : 0L) : (long)e)],
                _ => throw new InvalidModelFileException(file.Path, $"{key} = {Show(value)}: expected an unsigned integer (or one per layer)"),
            };
        }

        private long? Scalar(string key)
        {
            var values = Integers(key);
            if (values is null)
            {
                return null;
            }
            return file.Metadata[key] is object[]
                ? throw new InvalidModelFileException(file.Path, $"{key} is an array: expected one unsigned integer")
                : values[0];
        }

        private double? Float(string key)
        {
            if (!file.Metadata.TryGetValue(key, out var value))
            {
                return null;
            }
            return value switch
            {
                double d => (float)d,
                long l => l,
                _ => throw new InvalidModelFileException(file.Path, $"{key} = {Show(value)}: expected a 32-bit float"),
            };
        }

        public void Generic()
        {
            var blocksKey = Key("block_count");
            var blocks = Scalar(blocksKey)
                ?? throw Missing(blocksKey, $"an integer from 1 to {MaxLayers}", "llama.cpp cannot build a model without it");
            if (blocks is < 1 or > MaxLayers)
            {
                throw Refuse(blocksKey, Show(blocks), $"an integer from 1 to {MaxLayers} (LLAMA_MAX_LAYERS)", Aborts + " (GGML_ASSERT(n_layer_all > 0 && n_layer_all <= LLAMA_MAX_LAYERS))");
            }
            var nextnKey = Key("nextn_predict_layers");
            if (Scalar(nextnKey) is { } nextn && nextn > blocks)
            {
                throw Refuse(nextnKey, Show(nextn), $"at most {blocksKey} = {blocks}", Aborts + " (GGML_ASSERT(n_layer_nextn <= n_layer_all))");
            }
            Experts();
            RopeScaling();
            Epsilons();
            var splitKey = "split.count";
            if (Scalar(splitKey) is { } split && split > 1)
            {
                throw Refuse(splitKey, Show(split), "1 (one file)",
                    "llama.cpp would also load the other parts of a split model, which were not checked; merge them into one file (llama-gguf-split --merge)");
            }
        }

        private void Experts()
        {
            var countKey = Key("expert_count");
            var usedKey = Key("expert_used_count");
            var groupsKey = Key("expert_group_count");
            var groupUsedKey = Key("expert_group_used_count");
            var experts = Scalar(countKey) ?? 0;
            var used = Integers(usedKey) is { Length: > 0 } u ? u.Max() : 0;
            var groups = Scalar(groupsKey) ?? 0;
            var groupUsed = Scalar(groupUsedKey) ?? 0;
            if (experts > MaxExperts)
            {
                throw Refuse(countKey, Show(experts), $"at most {MaxExperts} (LLAMA_MAX_EXPERTS)", Aborts + " (GGML_ASSERT(n_expert <= LLAMA_MAX_EXPERTS))");
            }
            if (experts == 0)
            {
                if (used != 0)
                {
                    throw Refuse(usedKey, Show(used), $"0 or absent, since {countKey} is {(file.Metadata.ContainsKey(countKey) ? "0" : "absent")} (no experts)", Aborts + " (GGML_ASSERT(n_expert_used_max == 0))");
                }
                if (groups != 0)
                {
                    throw Refuse(groupsKey, Show(groups), $"0 or absent, since the model has no experts", Aborts + " (GGML_ASSERT(n_expert_groups == 0))");
                }
                return;
            }
            if (used < 1 || used > experts)
            {
                throw Refuse(usedKey, Show(used), $"from 1 to {countKey} = {experts}", Aborts + " (GGML_ASSERT on n_expert_used)");
            }
            if (groups >= experts)
            {
                throw Refuse(groupsKey, Show(groups), $"less than {countKey} = {experts}", Aborts + " (GGML_ASSERT(n_expert_groups < n_expert))");
            }
            if (groups > 1)
            {
                if (experts % groups != 0)
                {
                    throw Refuse(groupsKey, Show(groups), $"a divisor of {countKey} = {experts}", Aborts + " (GGML_ASSERT(n_expert % n_expert_groups == 0))");
                }
                if (groupUsed < 1 || groupUsed >= groups)
                {
                    throw Refuse(groupUsedKey, Show(groupUsed), $"from 1 to {groups - 1} (less than {groupsKey} = {groups})", Aborts + " (GGML_ASSERT on n_group_used)");
                }
            }
        }

        private void RopeScaling()
        {
            foreach (var baseKey in new[] { Key("rope.freq_base"), Key("rope.freq_base_swa") })
            {
                if (Float(baseKey) is { } frequencyBase && !(double.IsFinite(frequencyBase) && frequencyBase > 1))
                {
                    throw Refuse(baseKey, Show(frequencyBase), "a finite number above 1 (real models use 10000 to 1000000)",
                        "RoPE would rotate by NaN or infinite angles and every log-likelihood would be NaN");
                }
            }
            var typeKey = Key("rope.scaling.type");
            if (file.Metadata.TryGetValue(typeKey, out var type) && !(type is string name && RopeScalingTypes.Contains(name)))
            {
                throw Refuse(typeKey, Show(type), $"one of {string.Join(", ", RopeScalingTypes)}", Aborts + " (GGML_ASSERT(rope_scaling_type_train != LLAMA_ROPE_SCALING_TYPE_UNSPECIFIED))");
            }
            foreach (var factorKey in new[] { Key("rope.scaling.factor"), Key("rope.scale_linear") })
            {
                if (Float(factorKey) is { } factor && !(factor == 0 || (double.IsFinite(factor) && factor > 0)))
                {
                    throw Refuse(factorKey, Show(factor), "0 (no scaling) or a finite number above 0",
                        "llama.cpp would scale RoPE positions by it unchecked, and every log-likelihood would be NaN");
                }
            }
            var attentionKey = Key("rope.scaling.attn_factor");
            if (Float(attentionKey) is { } attention && !(double.IsFinite(attention) && attention > 0))
            {
                throw Refuse(attentionKey, Show(attention), "a finite number above 0", "llama.cpp would multiply attention by it unchecked (NaN log-likelihoods)");
            }
        }

        private void Epsilons()
        {
            // layer_norm_rms_epsilon, layer_norm_epsilon, group_norm_epsilon, …: ggml asserts eps >= 0 in every norm kernel,
            // at the first decode; NaN fails that too, and +inf makes every hidden state 0.
            foreach (var (key, value) in file.Metadata)
            {
                if (!key.StartsWith(_prefix, StringComparison.Ordinal) || !(key.EndsWith("epsilon", StringComparison.Ordinal) || key.EndsWith("_eps", StringComparison.Ordinal)))
                {
                    continue;
                }
                var epsilon = Float(key);
                if (epsilon is { } e && !(double.IsFinite(e) && e >= 0))
                {
                    throw Refuse(key, Show(e), "a finite number ≥ 0 (real models use 1e-6 to 1e-5)",
                        Aborts + " at the first decode (GGML_ASSERT(eps >= 0.0f) in ggml's norm kernels)");
                }
            }
        }

        /// <summary>Head counts, head dimensions and RoPE dimensions of the architectures whose graphs were read.</summary>
        public void Attention(bool fullRope)
        {
            var headsKey = Key("attention.head_count");
            var kvKey = Key("attention.head_count_kv");
            var embdKey = Key("embedding_length");
            var heads = Integers(headsKey)
                ?? throw Missing(headsKey, "an integer ≥ 1", "without it llama.cpp divides by a zero head count (SIGFPE) or builds no attention");
            var headCount = Uniform(headsKey, heads);
            if (headCount < 1)
            {
                throw Refuse(headsKey, Show(headCount), "an integer ≥ 1", "llama.cpp would divide by it (SIGFPE) or build no attention");
            }
            var kvHeads = Integers(kvKey) ?? heads;
            var kvCount = Uniform(kvKey, kvHeads);
            if (kvCount < 1 || headCount % kvCount != 0)
            {
                throw Refuse(kvKey, Show(kvCount), $"a divisor of {headsKey} = {headCount} (≥ 1)", Aborts + " when it builds the attention graph (GGML_ASSERT in ggml_mul_mat)");
            }
            var embd = Scalar(embdKey) ?? throw Missing(embdKey, "an integer ≥ 1", "llama.cpp cannot build a model without it");
            var keyLength = HeadDimension(Key("attention.key_length"), embd, embdKey, headCount, headsKey);
            var valueLength = HeadDimension(Key("attention.value_length"), embd, embdKey, headCount, headsKey);
            if (keyLength != valueLength)
            {
                throw Refuse(Key("attention.value_length"), Show(valueLength), $"the key head dimension {keyLength} ({Key("attention.key_length")})",
                    Aborts + " when it builds the attention graph (this architecture reshapes keys and values alike)");
            }
            if (keyLength % 2 != 0)
            {
                throw Refuse(Key("attention.key_length"), Show(keyLength), "an even head dimension", Aborts + " at the first decode (GGML_ASSERT(n_dims % 2 == 0) in RoPE)");
            }
            if (keyLength * headCount > int.MaxValue)
            {
                throw Refuse(headsKey, Show(headCount), $"at most {int.MaxValue / keyLength} with head dimension {keyLength}", "llama.cpp's 32-bit sizes would overflow");
            }
            foreach (var (swaKey, full) in new[] { (Key("attention.key_length_swa"), keyLength), (Key("attention.value_length_swa"), valueLength) })
            {
                if (Scalar(swaKey) is { } swa && swa != full)
                {
                    throw Refuse(swaKey, Show(swa), $"{full}, the head dimension of the other layers",
                        Aborts + " when it builds the attention graph (the graph uses one head dimension for every layer)");
                }
            }
            var ropeKey = Key("rope.dimension_count");
            var rope = Scalar(ropeKey) ?? keyLength;
            if (fullRope && rope != keyLength)
            {
                throw Refuse(ropeKey, Show(rope), $"the head dimension {keyLength}", Aborts + $" when it builds the graph (GGML_ASSERT(n_embd_head == n_rot) for {architecture})");
            }
            if (!fullRope && (rope < 2 || rope > keyLength || rope % 2 != 0))
            {
                throw Refuse(ropeKey, Show(rope), $"an even number from 2 to the head dimension {keyLength}",
                    "llama.cpp's RoPE kernel would abort the process (odd or too large), loop forever (0) or write out of bounds (above 2^31)");
            }
            if (Scalar(Key("rope.dimension_count_swa")) is { } ropeSwa && ropeSwa != rope)
            {
                throw Refuse(Key("rope.dimension_count_swa"), Show(ropeSwa), $"{rope}, the RoPE dimensions of the other layers", Aborts + " when it builds the attention graph");
            }
            var causalKey = Key("attention.causal");
            if (file.Metadata.TryGetValue(causalKey, out var causal) && causal is not true)
            {
                throw Refuse(causalKey, Show(causal), "true or absent",
                    "a model that attends to later tokens gives log-likelihoods that are not those of the text");
            }
        }

        private long HeadDimension(string key, long embd, string embdKey, long heads, string headsKey)
        {
            if (Scalar(key) is { } explicitLength)
            {
                return explicitLength >= 1
                    ? explicitLength
                    : throw Refuse(key, Show(explicitLength), "an integer ≥ 1", "llama.cpp would build heads of no width");
            }
            return embd % heads == 0
                ? embd / heads
                : throw Refuse(headsKey, Show(heads), $"a divisor of {embdKey} = {embd} (the file gives no {key})", "the head dimension would not be a whole number");
        }

        /// <summary>The one value of a per-layer key: these graphs build every layer from layer 0's value.</summary>
        private long Uniform(string key, long[] values)
        {
            if (values.Length == 0)
            {
                throw Refuse(key, "[]", "one value, or one per layer", "llama.cpp would read no value");
            }
            if (values.Distinct().Count() > 1)
            {
                throw Refuse(key, Show(values), "the same value for every layer",
                    $"llama.cpp builds every {architecture} layer from layer 0's value, and would abort the process when the others differ");
            }
            return values[0];
        }

        public void SlidingWindow(bool gemma3)
        {
            var windowKey = Key("attention.sliding_window");
            var window = Scalar(windowKey);
            if (window is { } w && (w > int.MaxValue || (!gemma3 && w < 1)))
            {
                throw Refuse(windowKey, Show(w), gemma3 ? $"from 0 (no sliding window) to {int.MaxValue}" : $"from 1 to {int.MaxValue}",
                    "every position would be masked and every log-likelihood would be NaN");
            }
            var slidingOn = !gemma3 || window is > 0;
            var patternKey = Key("attention.sliding_window_pattern");
            if (slidingOn && file.Metadata.TryGetValue(patternKey, out var pattern))
            {
                var blocks = Scalar(Key("block_count"))!.Value;
                var values = Integers(patternKey)!;
                var anySliding = pattern is object[]
                    ? values.Take((int)Math.Min(blocks, values.Length)).Any(v => v != 0)
                    : values[0] != 1;
                if (!anySliding)
                {
                    throw Refuse(patternKey, Show(pattern), pattern is object[] ? "at least one sliding-window layer (true) among the first block_count entries" : "0 or an integer ≥ 2",
                        Aborts + " (GGML_ASSERT(hparams.is_swa_any()): the architecture needs a sliding-window layer)");
                }
            }
            // gemma2 always divides by both caps; gemma3 has only the final one, and 0 turns it off.
            var caps = gemma3 ? new[] { Key("final_logit_softcapping") } : [Key("attn_logit_softcapping"), Key("final_logit_softcapping")];
            foreach (var capKey in caps)
            {
                if (Float(capKey) is { } cap && !((gemma3 && cap == 0) || (double.IsFinite(cap) && cap > 0)))
                {
                    throw Refuse(capKey, Show(cap), gemma3 ? "0 (off) or a finite number above 0" : "a finite number above 0",
                        "llama.cpp divides the logits by it, and every log-likelihood would be NaN");
                }
            }
        }

        public void FiniteFloat(string name)
        {
            var key = Key(name);
            if (Float(key) is { } value && !double.IsFinite(value))
            {
                throw Refuse(key, Show(value), "a finite number", "llama.cpp would use it unchecked and every log-likelihood would be NaN");
            }
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        bool b => b ? "true" : "false",
        double d => ShowFloat(d),
        long l => l.ToString(CultureInfo.InvariantCulture),
        long[] values => $"[{string.Join(", ", values.Take(8).Select(v => v.ToString(CultureInfo.InvariantCulture)))}{(values.Length > 8 ? ", …" : "")}]",
        object[] array => $"[{string.Join(", ", array.Take(8).Select(Show))}{(array.Length > 8 ? ", …" : "")}]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>A float as GGUF stores it (32 bits), with <c>NaN</c>, <c>inf</c> and <c>-inf</c> spelled out.</summary>
    private static string ShowFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }
        return (float)value == value
            ? ((float)value).ToString("R", CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
    }
}
