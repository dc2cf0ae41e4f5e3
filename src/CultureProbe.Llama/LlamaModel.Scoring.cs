using System.Diagnostics;
using CultureProbe.Llama.Native;
using CultureProbe.Models;

namespace CultureProbe.Llama;

// How continuation tokens are found (lm-evaluation-harness style, with merges handled):
// the context and context+continuation are each tokenized as one string. Normally the context's tokens are a
// prefix of the joint tokens and the continuation's tokens are the rest. When the tokenizer merges characters
// across the boundary (context "... is" + continuation "n't" becoming "▁isn" "'t"), the context's tokens are not
// a prefix; then the scored part starts at the longest common prefix of the two token lists, so the merged token
// (and everything after it) belongs to the continuation and is scored given the unchanged tokens before it. This
// scores exactly the joint tokenization's probability of the text the context tokens do not already cover.
public sealed partial class LlamaModel
{
    /// <summary>
    /// Requests scored together: the runner keeps this many question trees in flight (<see cref="PreferredParallelism"/>),
    /// and those waiting when the model is free are scored in one pass, so <c>llama_decode</c> sees several questions'
    /// tokens per call.
    /// </summary>
    public int PreferredParallelism => _options.Naive ? 1 : _options.CoalescedRequests;

    /// <inheritdoc />
    public Task<LikelihoodResult> ScoreAsync(OptionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Branches.Count == 0)
        {
            throw new InputException("a scoring request needs at least one branch");
        }
        var pending = new PendingRequest(request, cancellationToken);
        lock (_queue)
        {
            _queue.Enqueue(pending);
        }
        _ = DrainAsync();
        return pending.Completion.Task;
    }

    /// <summary>A request waiting to be scored with whatever else is waiting.</summary>
    private sealed class PendingRequest(OptionRequest request, CancellationToken cancellationToken)
    {
        public OptionRequest Request { get; } = request;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<LikelihoodResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Takes every waiting request (up to <see cref="LlamaModelOptions.CoalescedRequests"/>) once the model is free and scores
    /// them in one pass; each caller gets its own result or its own error. A request whose caller cancelled is dropped.
    /// </summary>
    private async Task DrainAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                List<PendingRequest> batch;
                lock (_queue)
                {
                    batch = [];
                    while (_queue.Count > 0 && batch.Count < Math.Max(1, _options.Naive ? 1 : _options.CoalescedRequests))
                    {
                        batch.Add(_queue.Dequeue());
                    }
                }
                if (batch.Count == 0)
                {
                    return;
                }
                foreach (var cancelled in batch.Where(b => b.CancellationToken.IsCancellationRequested))
                {
                    cancelled.Completion.TrySetCanceled(cancelled.CancellationToken);
                }
                batch.RemoveAll(b => b.CancellationToken.IsCancellationRequested);
                if (batch.Count == 0)
                {
                    continue;
                }
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(batch.Select(b => b.CancellationToken).ToArray());
                    await Task.Run(() => ScoreRequests(batch, linked.Token), linked.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (batch.Count > 1 && e is not OperationCanceledException)
                {
                    // One bad request must not fail its neighbours: score them one by one so each gets its own outcome.
                    foreach (var single in batch.Where(b => !b.Completion.Task.IsCompleted))
                    {
                        ScoreRequests([single], single.CancellationToken);
                    }
                }
                catch (Exception e)
                {
                    foreach (var failed in batch)
                    {
                        if (e is OperationCanceledException && failed.CancellationToken.IsCancellationRequested)
                        {
                            failed.Completion.TrySetCanceled(failed.CancellationToken);
                        }
                        else
                        {
                            failed.Completion.TrySetException(e);
                        }
                    }
                }
                finally
                {
                    Interlocked.Add(ref _scoringTicks, Stopwatch.GetTimestamp() - started);
                }
            }
        }
        finally
        {
            _gate.Release();
            // A request that arrived while the last pass finished may have found the gate taken: look again.
            bool more;
            lock (_queue)
            {
                more = _queue.Count > 0;
            }
            if (more)
            {
                _ = DrainAsync();
            }
        }
    }

    /// <summary>Scores <paramref name="batch"/> in one pass and completes each request; with a single request its error is its own.</summary>
    private void ScoreRequests(IReadOnlyList<PendingRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 1)
        {
            try
            {
                var result = ScoreRequest(batch[0].Request, cancellationToken);
                batch[0].Completion.TrySetResult(result);
            }
            catch (OperationCanceledException) when (batch[0].CancellationToken.IsCancellationRequested)
            {
                batch[0].Completion.TrySetCanceled(batch[0].CancellationToken);
            }
            catch (Exception e)
            {
                batch[0].Completion.TrySetException(e);
            }
            return;
        }
        var prepared = batch.Select(b => Prepare(b.Request)).ToArray();
        Run(prepared.Select(p => (IReadOnlyList<Leaf>)p.SelectMany(b => b.Select(x => x.Leaf)).ToArray()).ToArray(), cancellationToken);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(Finish(prepared[i]));
        }
    }

    /// <inheritdoc />
    public Task<TokenSequenceScore> ScoreTokensAsync(IReadOnlyList<int> tokenIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.Count < 2)
        {
            throw new InputException($"token-id scoring needs at least two tokens (the first is only context); got {tokenIds.Count}");
        }
        foreach (var id in tokenIds)
        {
            if (id < 0 || id >= VocabularySize)
            {
                throw new InputException($"token id {id} is outside the vocabulary (0..{VocabularySize - 1})");
            }
        }
        return RunExclusiveAsync(() =>
        {
            var leaf = new Leaf([.. tokenIds], 1);
            CheckLength(leaf, "the token sequence");
            Run([[leaf]], cancellationToken);
            var scored = FillPieces(leaf);
            var tokens = new List<ScoredToken>(tokenIds.Count) { new(tokenIds[0], TokenPiece(tokenIds[0]), 0, false) };
            tokens.AddRange(scored);
            var logProbs = scored.Select(t => t.LogProb).ToArray();
            return new TokenSequenceScore(Identity, tokens, logProbs, logProbs.Sum());
        }, cancellationToken);
    }

    private async Task<T> RunExclusiveAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                return await Task.Run(work, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Add(ref _scoringTicks, Stopwatch.GetTimestamp() - started);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private LikelihoodResult ScoreRequest(OptionRequest request, CancellationToken cancellationToken)
    {
        var branches = Prepare(request);
        Run([branches.SelectMany(b => b.Select(x => x.Leaf)).ToArray()], cancellationToken);
        return Finish(branches);
    }

    private LikelihoodResult Finish(List<(string Text, Leaf Leaf)[]> branches) =>
        new(branches.Select(b => (IReadOnlyList<ContinuationScore>)[.. b.Select(x => ContinuationScore.FromTokens(x.Text, FillPieces(x.Leaf)))]).ToArray(), Engine);

    /// <summary>Tokenizes every (context, continuation) of a request into leaves, checking lengths.</summary>
    private List<(string Text, Leaf Leaf)[]> Prepare(OptionRequest request)
    {
        var branches = new List<(string Text, Leaf Leaf)[]>(request.Branches.Count);
        foreach (var branch in request.Branches)
        {
            var context = request.Prefix + branch.Suffix;
            if (_options.Chat)
            {
                context = ApplyChatTemplate(context);
            }
            var contextTokens = TokenizeText(context);
            var leaves = new (string, Leaf)[branch.Choices.Count];
            for (var i = 0; i < leaves.Length; i++)
            {
                var continuation = branch.Choices[i].Text;
                var joint = TokenizeText(context + continuation);
                var common = contextTokens.AsSpan().CommonPrefixLength(joint);
                if (common == 0)
                {
                    throw new InputException(
                        $"cannot score continuation '{continuation}': its first token has nothing before it (the model adds no BOS and the context is empty or merges into it)");
                }
                var leaf = new Leaf(joint, common);
                CheckLength(leaf, $"context + continuation '{Shorten(continuation)}'");
                leaves[i] = (continuation, leaf);
            }
            branches.Add(leaves);
        }
        return branches;
    }

    private int[] TokenizeText(string text)
    {
        var tokens = Tokenize(text, parseSpecial: _options.Chat);
        // A chat template that writes BOS itself would give two: keep one.
        if (tokens.Length >= 2 && BosToken is { } bos && tokens[0] == bos && tokens[1] == bos)
        {
            tokens = tokens[1..];
        }
        return tokens;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";

    private void CheckLength(Leaf leaf, string what)
    {
        if (leaf.Tokens.Length > ContextSize)
        {
            throw new ContextOverflowException(what, leaf.Tokens.Length, ContextSize);
        }
    }

    private ScoredToken[] FillPieces(Leaf leaf)
    {
        var result = new ScoredToken[leaf.Scores.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var s = leaf.Scores[i];
            result[i] = s with { Piece = TokenPiece(s.Id) };
        }
        return result;
    }

    /// <summary>
    /// Decodes the leaves of one or more requests (each request's leaves share its question text) and fills their scores.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Two levels, so each token is decoded once and attention stays short. First the text every leaf shares (BOS and
    /// whatever the questions have in common) goes into sequence 0, and each request's own prefix (its question and
    /// choices) into a sequence of its own that shares sequence 0's cells: all requests' prefixes in the same
    /// <c>llama_decode</c> calls. Then the leaves run in groups: each leaf gets a sequence sharing its request's prefix
    /// cells, and the rest of the tokens go through as a prefix tree (a country's suffix once for its K answers).
    /// </para>
    /// <para>
    /// In llama.cpp's unified KV cache every token attends over all used cells up to the highest one (masked or not), so a
    /// group is closed when its new cells would pass <see cref="LlamaModelOptions.GroupCells"/>; its cells are freed
    /// before the next group, which reuses them. Decode cost then grows with the prefixes and one group, not with the
    /// whole tree.
    /// </para>
    /// </remarks>
    private void Run(IReadOnlyList<IReadOnlyList<Leaf>> requests, CancellationToken cancellationToken)
    {
        var perRequest = requests.Select(r => r.Where(l => l.Scores.Length > 0).ToArray()).Where(r => r.Length > 0).ToArray();
        if (perRequest.Length == 0)
        {
            return;
        }
        var memory = LlamaNative.llama_get_memory(_context);
        var bases = perRequest.Length;
        using var writer = new BatchWriter(this, BatchSize, MaxParallelSequences + 1, cancellationToken);
        if (_options.Naive)
        {
            foreach (var leaf in perRequest.SelectMany(r => r))
            {
                LlamaNative.llama_memory_clear(memory, false);
                for (var p = 0; p < leaf.InputLength; p++)
                {
                    writer.Add(leaf.Tokens[p], p, [0], leaf.ConsumerAt(p));
                }
                writer.Flush();
            }
            LlamaNative.llama_memory_clear(memory, false);
            return;
        }
        if (bases >= MaxParallelSequences)
        {
            // More requests than sequences to hold their prefixes: score them in parts.
            var half = perRequest.Length / 2;
            Run(perRequest[..half], cancellationToken);
            Run(perRequest[half..], cancellationToken);
            return;
        }

        // Each request's prefix: what all its leaves share. Level 0: what all requests' prefixes share, in sequence 0.
        var prefixes = new int[bases];
        for (var r = 0; r < bases; r++)
        {
            var leaves = perRequest[r];
            var shared = leaves[0].InputLength;
            foreach (var leaf in leaves)
            {
                shared = Math.Min(shared, leaf.Tokens.AsSpan(0, leaf.InputLength).CommonPrefixLength(leaves[0].Tokens.AsSpan(0, shared)));
            }
            prefixes[r] = shared;
        }
        var first = perRequest[0][0];
        var common = prefixes[0];
        for (var r = 1; r < bases; r++)
        {
            common = Math.Min(common, perRequest[r][0].Tokens.AsSpan(0, prefixes[r]).CommonPrefixLength(first.Tokens.AsSpan(0, prefixes[0])));
        }
        LlamaNative.llama_memory_clear(memory, false);
        for (var p = 0; p < common; p++)
        {
            writer.Add(first.Tokens[p], p, [0], ConsumersAt(perRequest.SelectMany(r => r), p));
        }
        writer.Flush();

        // Level 1: each request's prefix in sequence 1 + r, sharing sequence 0's cells; all of them in the same calls.
        var baseCells = common;
        for (var r = 0; r < bases; r++)
        {
            LlamaNative.llama_memory_seq_cp(memory, 0, 1 + r, -1, -1);
            var leaves = perRequest[r];
            for (var p = common; p < prefixes[r]; p++)
            {
                writer.Add(leaves[0].Tokens[p], p, [1 + r], ConsumersAt(leaves, p));
            }
            baseCells += prefixes[r] - common;
        }
        writer.Flush();

        // Level 2: the leaves in groups bounded in sequences and cells.
        var group = new List<(int Request, Leaf Leaf)>();
        var cells = 0;
        var sequences = MaxParallelSequences - bases;
        var budget = Math.Min(_options.GroupCells, ContextSize - baseCells);
        for (var r = 0; r < bases; r++)
        {
            foreach (var leaf in perRequest[r])
            {
                var need = leaf.InputLength - prefixes[r];
                if (group.Count > 0 && (group.Count == sequences || cells + need > budget))
                {
                    DecodeGroup(memory, writer, group, prefixes, bases);
                    group.Clear();
                    cells = 0;
                }
                group.Add((r, leaf));
                cells += need;
            }
        }
        DecodeGroup(memory, writer, group, prefixes, bases);
        LlamaNative.llama_memory_clear(memory, false);
    }

    private static Consumer[]? ConsumersAt(IEnumerable<Leaf> leaves, int p)
    {
        List<Consumer>? consumers = null;
        foreach (var leaf in leaves)
        {
            if (leaf.ConsumerAt(p) is { } c)
            {
                (consumers ??= []).AddRange(c);
            }
        }
        return consumers?.ToArray();
    }

    private static void DecodeGroup(nint memory, BatchWriter writer, List<(int Request, Leaf Leaf)> group, int[] prefixes, int bases)
    {
        if (group.Count == 0)
        {
            return;
        }
        var roots = new Dictionary<int, TrieNode>();
        var firstSequence = 1 + bases;
        for (var k = 0; k < group.Count; k++)
        {
            var (request, leaf) = group[k];
            var sequence = firstSequence + k;
            LlamaNative.llama_memory_seq_cp(memory, 1 + request, sequence, -1, -1);
            if (!roots.TryGetValue(request, out var node))
            {
                node = new TrieNode(-1, prefixes[request] - 1);
                roots[request] = node;
            }
            for (var p = prefixes[request]; p < leaf.InputLength; p++)
            {
                node = node.Child(leaf.Tokens[p], p);
                node.Sequences.Add(sequence);
                if (leaf.ConsumerAt(p) is { } consumers)
                {
                    node.Consumers.AddRange(consumers);
                }
            }
        }
        var stack = new Stack<TrieNode>();
        foreach (var root in roots.OrderByDescending(r => r.Key).Select(r => r.Value))
        {
            for (var i = root.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(root.Children[i]);
            }
        }
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            writer.Add(node.Token, node.Position, node.Sequences.ToArray(), node.Consumers.Count > 0 ? [.. node.Consumers] : null);
            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(node.Children[i]);
            }
        }
        writer.Flush();
        for (var k = 0; k < group.Count; k++)
        {
            LlamaNative.llama_memory_seq_rm(memory, firstSequence + k, -1, -1);
        }
    }

    /// <summary>Runs <c>llama_decode</c> on <paramref name="batch"/>, counting the call, its tokens and its time in <see cref="Statistics"/>.</summary>
    private void Decode(LlamaBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        int status;
        List<(int Level, string Text)> decodeLog;
        using (LlamaRuntime.Capture(out decodeLog))
        {
            status = LlamaNative.llama_decode(_context, batch);
            LlamaNative.llama_synchronize(_context);
        }
        Interlocked.Add(ref _decodeTicks, Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _decodeCalls);
        Interlocked.Add(ref _tokensDecoded, batch.NTokens);
        if (status != 0)
        {
            throw new InvalidOperationException(
                $"llama_decode failed with status {status} on a batch of {batch.NTokens} tokens (1 = no room in the KV cache, 2 = aborted, < 0 = invalid batch or fatal error): " +
                LlamaRuntime.Reason(decodeLog, "llama.cpp logged no reason"));
        }
    }

    /// <summary>One token sequence to score: positions FirstScored.. are scored; the last token is never decoded (its logits predict nothing).</summary>
    private sealed class Leaf(int[] tokens, int firstScored)
    {
        public int[] Tokens { get; } = tokens;

        public int FirstScored { get; } = firstScored;

        public int InputLength => Tokens.Length - 1;

        public ScoredToken[] Scores { get; } = new ScoredToken[Math.Max(0, tokens.Length - firstScored)];

        /// <summary>The consumer of the logits at position <paramref name="p"/>, which predict token p + 1.</summary>
        public Consumer[]? ConsumerAt(int p) => p + 1 >= FirstScored && p + 1 < Tokens.Length ? [new Consumer(this, p + 1)] : null;
    }

    private readonly record struct Consumer(Leaf Leaf, int TokenIndex);

    private sealed class TrieNode(int token, int position)
    {
        public int Token { get; } = token;

        public int Position { get; } = position;

        public List<TrieNode> Children { get; } = [];

        public List<int> Sequences { get; } = [];

        public List<Consumer> Consumers { get; } = [];

        public TrieNode Child(int token, int position)
        {
            foreach (var child in Children)
            {
                if (child.Token == token)
                {
                    return child;
                }
            }
            var created = new TrieNode(token, position);
            Children.Add(created);
            return created;
        }
    }

    /// <summary>Fills a llama_batch and decodes it when full, turning each requested output row into log-probabilities.</summary>
    private sealed unsafe class BatchWriter : IDisposable
    {
        private readonly LlamaModel _owner;
        private readonly int _capacity;
        private readonly int _maxSequences;
        private readonly CancellationToken _cancellationToken;
        private readonly List<(int Index, Consumer[] Consumers)> _outputs = [];
        private LlamaBatch _batch;

        public BatchWriter(LlamaModel owner, int capacity, int maxSequences, CancellationToken cancellationToken)
        {
            _owner = owner;
            _capacity = capacity;
            _maxSequences = maxSequences;
            _cancellationToken = cancellationToken;
            _batch = LlamaNative.llama_batch_init(capacity, 0, maxSequences);
        }

        public void Add(int token, int position, int[] sequences, Consumer[]? consumers)
        {
            if (_batch.NTokens == _capacity)
            {
                Flush();
            }
            var i = _batch.NTokens;
            _batch.Token[i] = token;
            _batch.Pos[i] = position;
            _batch.NSeqId[i] = sequences.Length;
            for (var s = 0; s < sequences.Length; s++)
            {
                _batch.SeqId[i][s] = sequences[s];
            }
            _batch.Logits[i] = consumers is null ? (sbyte)0 : (sbyte)1;
            if (consumers is not null)
            {
                _outputs.Add((i, consumers));
            }
            _batch.NTokens = i + 1;
        }

        public void Flush()
        {
            if (_batch.NTokens == 0)
            {
                return;
            }
            _owner.Decode(_batch, _cancellationToken);
            var context = _owner._context;
            var vocabulary = _owner.VocabularySize;
            var rows = new nint[_outputs.Count];
            for (var k = 0; k < rows.Length; k++)
            {
                rows[k] = (nint)LlamaNative.llama_get_logits_ith(context, _outputs[k].Index);
                if (rows[k] == 0)
                {
                    throw new InvalidOperationException($"llama.cpp returned no logits for batch row {_outputs[k].Index}");
                }
            }
            var outputs = _outputs;
            void Score(int k)
            {
                var logits = new ReadOnlySpan<float>((float*)rows[k], vocabulary);
                var (logZ, max) = LogSoftmax.Normalizer(logits);
                foreach (var consumer in outputs[k].Consumers)
                {
                    var leaf = consumer.Leaf;
                    var target = leaf.Tokens[consumer.TokenIndex];
                    var logit = logits[target];
                    leaf.Scores[consumer.TokenIndex - leaf.FirstScored] = new ScoredToken(target, "", logit - logZ, logit >= max);
                }
            }
            if (rows.Length >= 8)
            {
                Parallel.For(0, rows.Length, Score);
            }
            else
            {
                for (var k = 0; k < rows.Length; k++)
                {
                    Score(k);
                }
            }
            _outputs.Clear();
            _batch.NTokens = 0;
        }

        public void Dispose()
        {
            if (_batch.Token is not null)
            {
                _batch.NTokens = 0;
                LlamaNative.llama_batch_free(_batch);
                _batch = default;
            }
        }
    }
}
