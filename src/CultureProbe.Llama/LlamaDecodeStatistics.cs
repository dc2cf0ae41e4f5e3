namespace CultureProbe.Llama;

/// <summary>Counters of the work a <see cref="LlamaModel"/> did since it was opened or last reset (for the benchmark).</summary>
/// <param name="DecodeCalls">Calls to <c>llama_decode</c>.</param>
/// <param name="TokensDecoded">Tokens sent through <c>llama_decode</c> (a token shared by several sequences counts once).</param>
/// <param name="DecodeTime">Wall time spent inside <c>llama_decode</c>.</param>
/// <param name="ScoringTime">Wall time spent in scoring and generation calls (tokenization, planning, decoding, log-softmax, sampling).</param>
public sealed record LlamaDecodeStatistics(long DecodeCalls, long TokensDecoded, TimeSpan DecodeTime, TimeSpan ScoringTime);
