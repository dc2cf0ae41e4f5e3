using System.Globalization;
using CultureProbe.Llama.Native;
using CultureProbe.Models;

namespace CultureProbe.Llama;

// How samples share the prompt: the prompt without its last token is decoded once into sequence 0. Samples then run in
// groups that fit the sequences, the batch and the KV cells: each sample of a group gets a sequence that shares sequence
// 0's cells (llama_memory_seq_cp in the unified cache: tags, no copy), the prompt's last token is decoded once carrying
// every sequence id of the group (its logits are the first step of every sample), and from then on each step decodes the
// running samples' last tokens together in one batch, one row per sample. A token that ends its sample (end of generation,
// a stop string, the token limit) is never decoded.
public sealed partial class LlamaModel
{
    /// <summary>
    /// Samples <see cref="GenerationRequest.Samples"/> replies to the prompt (in chat mode, the prompt as the user turn of the
    /// model's chat template). Sample j draws with seed <c>Seed + j</c>; temperature 0 is greedy. A reply ends at an
    /// end-of-generation token, at a stop string (cut from the text) or after <see cref="GenerationSettings.MaxTokens"/> tokens.
    /// </summary>
    /// <exception cref="SettingException">A generation setting is out of range, or max_tokens does not fit the context after the prompt.</exception>
    /// <exception cref="InputException">The prompt is empty (with no BOS to start from) or longer than the context.</exception>
    public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Prompt, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Settings, nameof(request));
        request.Settings.Validate();
        SettingException.Require(request.Samples is >= 1 and <= 100_000, "samples", "1 to 100000", request.Samples);
        return RunExclusiveAsync(() => Generate(request, cancellationToken), cancellationToken);
    }

    private GenerationResult Generate(GenerationRequest request, CancellationToken cancellationToken)
    {
        var settings = request.Settings;
        var prompt = TokenizeText(_options.Chat ? ApplyChatTemplate(request.Prompt) : request.Prompt);
        if (prompt.Length == 0)
        {
            throw new InputException("the prompt is empty and the model adds no BOS token, so there is nothing to generate from");
        }
        if (prompt.Length > ContextSize)
        {
            throw new ContextOverflowException("the prompt", prompt.Length, ContextSize);
        }
        // Every sampled token but a sample's last is decoded, so a sample holds at most MaxTokens - 1 cells of its own.
        var cellsPerSample = settings.MaxTokens - 1;
        if (prompt.Length + cellsPerSample > ContextSize)
        {
            throw new SettingException("max_tokens",
                $"at most {ContextSize - prompt.Length + 1} for this prompt of {prompt.Length} tokens in a context of {ContextSize} cells, found {settings.MaxTokens}; lower max_tokens or raise the context size");
        }
        // The samples of a group run side by side: each needs a sequence, a batch row per step, and its cells.
        var groupSize = Math.Min(request.Samples, Math.Min(MaxParallelSequences, BatchSize));
        if (cellsPerSample > 0)
        {
            groupSize = Math.Min(groupSize, (ContextSize - prompt.Length) / cellsPerSample);
        }

        var stops = (settings.Stop ?? []).ToArray();
        var results = new GeneratedText[request.Samples];
        var memory = LlamaNative.llama_get_memory(_context);
        var batch = LlamaNative.llama_batch_init(BatchSize, 0, MaxParallelSequences + 1);
        var groups = 0;
        try
        {
            LlamaNative.llama_memory_clear(memory, false);
            for (var p = 0; p < prompt.Length - 1; p++)
            {
                if (batch.NTokens == BatchSize)
                {
                    Decode(batch, cancellationToken);
                    batch.NTokens = 0;
                }
                Put(ref batch, prompt[p], p, [0], logits: false);
            }
            if (batch.NTokens > 0)
            {
                Decode(batch, cancellationToken);
                batch.NTokens = 0;
            }
            for (var first = 0; first < request.Samples; first += groupSize)
            {
                var count = Math.Min(groupSize, request.Samples - first);
                GenerateGroup(memory, ref batch, prompt, first, count, settings, stops, results, cancellationToken);
                groups++;
            }
        }
        finally
        {
            batch.NTokens = 0;
            LlamaNative.llama_batch_free(batch);
            LlamaNative.llama_memory_clear(memory, false);
        }
        return new GenerationResult(results, GenerationEngine(settings, groups, groupSize));
    }

    private void GenerateGroup(nint memory, ref LlamaBatch batch, int[] prompt, int first, int count, GenerationSettings settings,
        string[] stops, GeneratedText[] results, CancellationToken cancellationToken)
    {
        var samples = new Sample?[count];
        try
        {
            var sequences = new int[count];
            for (var k = 0; k < count; k++)
            {
                sequences[k] = k + 1;
                LlamaNative.llama_memory_seq_cp(memory, 0, sequences[k], -1, -1);
                samples[k] = new Sample(sequences[k], CreateSampler(settings, first + k, _vocab), settings.MaxTokens, stops);
            }
            // The prompt's last token, once for the whole group: its logits start every sample.
            batch.NTokens = 0;
            Put(ref batch, prompt[^1], prompt.Length - 1, sequences, logits: true);
            Decode(batch, cancellationToken);
            var running = samples.Select(s => s!).ToList();
            var rows = new int[count];
            while (true)
            {
                for (var i = 0; i < running.Count; i++)
                {
                    var sample = running[i];
                    var token = LlamaNative.llama_sampler_sample(sample.Sampler, _context, rows[i]);
                    sample.Accept(token, LlamaNative.llama_vocab_is_eog(_vocab, token), TokenBytes(token));
                }
                running.RemoveAll(s => s.FinishReason is not null);
                if (running.Count == 0)
                {
                    break;
                }
                batch.NTokens = 0;
                for (var i = 0; i < running.Count; i++)
                {
                    var sample = running[i];
                    rows[i] = batch.NTokens;
                    Put(ref batch, sample.LastToken, prompt.Length + sample.Tokens - 1, [sample.Sequence], logits: true);
                }
                Decode(batch, cancellationToken);
            }
            for (var k = 0; k < count; k++)
            {
                results[first + k] = samples[k]!.Result();
            }
        }
        finally
        {
            batch.NTokens = 0;
            for (var k = 0; k < count; k++)
            {
                samples[k]?.Sampler.Dispose();
                LlamaNative.llama_memory_seq_rm(memory, k + 1, -1, -1);
            }
        }
    }

    private static unsafe void Put(ref LlamaBatch batch, int token, int position, int[] sequences, bool logits)
    {
        var i = batch.NTokens;
        batch.Token[i] = token;
        batch.Pos[i] = position;
        batch.NSeqId[i] = sequences.Length;
        for (var s = 0; s < sequences.Length; s++)
        {
            batch.SeqId[i][s] = sequences[s];
        }
        batch.Logits[i] = logits ? (sbyte)1 : (sbyte)0;
        batch.NTokens = i + 1;
    }

    /// <summary>
    /// The sampler chain of sample <paramref name="index"/>: greedy at temperature 0; otherwise temperature, then top-p on the
    /// tempered distribution, then a draw seeded with <c>Seed + index</c>. Temperature comes first as in vLLM, SGLang and
    /// Hugging Face, so top-p means the same here as on the servers (llama.cpp's own default order puts it last).
    /// </summary>
    /// <remarks>A grammar, when given, comes first: it removes every token that would leave the grammar before anything is drawn.</remarks>
    private static SafeLlamaSamplerHandle CreateSampler(GenerationSettings settings, int index, nint vocab)
    {
        var parameters = LlamaNative.llama_sampler_chain_default_params();
        parameters.NoPerf = 1;
        var chain = new SafeLlamaSamplerHandle(LlamaNative.llama_sampler_chain_init(parameters));
        if (chain.IsInvalid)
        {
            throw new InvalidOperationException("llama.cpp could not create a sampler chain");
        }
        if (settings.Grammar is { } grammar)
        {
            nint constrained;
            List<(int Level, string Text)> grammarLog;
            using (LlamaRuntime.Capture(out grammarLog))
            {
                constrained = LlamaNative.llama_sampler_init_grammar(vocab, grammar, "root");
            }
            if (constrained == 0)
            {
                chain.Dispose();
                throw new SettingException("grammar", "llama.cpp could not parse the GBNF grammar: " + LlamaRuntime.Reason(grammarLog, "it logged no reason"));
            }
            LlamaNative.llama_sampler_chain_add(chain, constrained);
        }
        if (settings.Temperature == 0)
        {
            LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_greedy());
            return chain;
        }
        LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_temp((float)settings.Temperature));
        if (settings.TopP < 1)
        {
            LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_top_p((float)settings.TopP, 1));
        }
        LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_dist(SamplerSeed(settings.Seed, index)));
        return chain;
    }

    /// <summary>
    /// The 32-bit seed llama.cpp draws with for sample <paramref name="index"/>: <c>Seed + index</c> modulo 2³² − 1, so seeds
    /// 0 to 4294967294 pass unchanged and no sample gets 0xFFFFFFFF, which llama.cpp reads as "pick a random seed".
    /// </summary>
    internal static uint SamplerSeed(long seed, int index) => (uint)(unchecked((ulong)(seed + index)) % uint.MaxValue);

    private string GenerationEngine(GenerationSettings settings, int groups, int groupSize)
    {
        var sampler = settings.Temperature == 0
            ? "greedy"
            : string.Create(CultureInfo.InvariantCulture, $"temp {settings.Temperature:R} -> top-p {settings.TopP:R} -> dist(seed + j)");
        return string.Create(CultureInfo.InvariantCulture, $"{Engine}; generation: {sampler}; {groups} group(s) of at most {groupSize} sample(s) sharing the prompt");
    }

    /// <summary>One sample while it runs: its sequence, its sampler, its token count and its text.</summary>
    private sealed class Sample(int sequence, SafeLlamaSamplerHandle sampler, int maxTokens, string[] stops)
    {
        private readonly ReplyText _text = new(stops);

        public int Sequence { get; } = sequence;

        public SafeLlamaSamplerHandle Sampler { get; } = sampler;

        /// <summary>Tokens sampled so far, the end-of-generation token included.</summary>
        public int Tokens { get; private set; }

        public int LastToken { get; private set; }

        /// <summary><c>stop</c> or <c>length</c> once the sample has ended; null while it runs.</summary>
        public string? FinishReason { get; private set; }

        public void Accept(int token, bool endOfGeneration, byte[] piece)
        {
            Tokens++;
            LastToken = token;
            if (endOfGeneration || _text.Append(piece))
            {
                FinishReason = "stop";
            }
            else if (Tokens >= maxTokens)
            {
                FinishReason = "length";
            }
        }

        public GeneratedText Result()
        {
            var (text, stopped) = _text.Finish();
            return new(text, Tokens, stopped ? "stop" : FinishReason ?? "length");
        }
    }
}
