using CultureProbe.Llama.Gguf;

namespace CultureProbe.Llama.Tests.Reference;

/// <summary>
/// An independent, deliberately plain Llama forward pass in double precision, written from the architecture's
/// definition (RMSNorm, rotary embeddings on adjacent pairs, grouped-query causal attention, SwiGLU), used as the
/// oracle for llama.cpp's numbers. Reads F32/F16 weights through the managed GGUF reader.
/// </summary>
internal sealed class ReferenceLlama
{
    private readonly int _embd, _layers, _heads, _kvHeads, _ff, _vocab;
    private readonly double _eps, _ropeBase;
    private readonly double[] _tokenEmbedding, _outputNorm, _output;
    private readonly Layer[] _blocks;

    private sealed record Layer(double[] AttnNorm, double[] Q, double[] K, double[] V, double[] O, double[] FfnNorm, double[] Gate, double[] Up, double[] Down);

    public ReferenceLlama(string path)
    {
        var file = GgufFile.Read(path);
        _embd = (int)file.GetInteger("llama.embedding_length")!.Value;
        _layers = (int)file.GetInteger("llama.block_count")!.Value;
        _heads = (int)file.GetInteger("llama.attention.head_count")!.Value;
        _kvHeads = (int)(file.GetInteger("llama.attention.head_count_kv") ?? _heads);
        _ff = (int)file.GetInteger("llama.feed_forward_length")!.Value;
        _eps = file.GetFloat("llama.attention.layer_norm_rms_epsilon") ?? 1e-5;
        _ropeBase = file.GetFloat("llama.rope.freq_base") ?? 10000;
        _tokenEmbedding = file.ReadTensor("token_embd.weight");
        _vocab = _tokenEmbedding.Length / _embd;
        _outputNorm = file.ReadTensor("output_norm.weight");
        _output = file.Tensors.Any(t => t.Name == "output.weight") ? file.ReadTensor("output.weight") : _tokenEmbedding;
        _blocks = new Layer[_layers];
        for (var l = 0; l < _layers; l++)
        {
            string N(string s) => $"blk.{l}.{s}.weight";
            _blocks[l] = new Layer(file.ReadTensor(N("attn_norm")), file.ReadTensor(N("attn_q")), file.ReadTensor(N("attn_k")),
                file.ReadTensor(N("attn_v")), file.ReadTensor(N("attn_output")), file.ReadTensor(N("ffn_norm")),
                file.ReadTensor(N("ffn_gate")), file.ReadTensor(N("ffn_up")), file.ReadTensor(N("ffn_down")));
        }
    }

    /// <summary>log P(tokens[i] | tokens[..i]) for i = 1..n-1.</summary>
    public double[] LogProbs(IReadOnlyList<int> tokens)
    {
        var result = new double[tokens.Count - 1];
        Forward(tokens, tokens.Count - 1, (pos, logits) =>
        {
            var m = logits.Max();
            var logZ = m + Math.Log(logits.Sum(z => Math.Exp(z - m)));
            result[pos] = logits[tokens[pos + 1]] - logZ;
        });
        return result;
    }

    /// <summary>The logits that follow the whole of <paramref name="tokens"/> (what the next token is drawn from).</summary>
    public double[] NextLogits(IReadOnlyList<int> tokens)
    {
        double[] last = [];
        Forward(tokens, tokens.Count, (_, logits) => last = logits);
        return last;
    }

    /// <summary>Runs positions 0..<paramref name="positions"/>-1 of <paramref name="tokens"/>, handing each position's logits to <paramref name="output"/>.</summary>
    private void Forward(IReadOnlyList<int> tokens, int positions, Action<int, double[]> output)
    {
        var n = tokens.Count;
        var headDim = _embd / _heads;
        var kvDim = headDim * _kvHeads;
        var keys = new double[_layers][][];
        var values = new double[_layers][][];
        for (var l = 0; l < _layers; l++)
        {
            keys[l] = new double[n][];
            values[l] = new double[n][];
        }
        for (var pos = 0; pos < positions; pos++)
        {
            var x = new double[_embd];
            Array.Copy(_tokenEmbedding, (long)tokens[pos] * _embd, x, 0, _embd);
            for (var l = 0; l < _layers; l++)
            {
                var b = _blocks[l];
                var h = RmsNorm(x, b.AttnNorm);
                var q = MatVec(b.Q, h, _embd, _embd);
                var k = MatVec(b.K, h, _embd, kvDim);
                var v = MatVec(b.V, h, _embd, kvDim);
                Rope(q, pos, headDim);
                Rope(k, pos, headDim);
                keys[l][pos] = k;
                values[l][pos] = v;
                var attention = new double[_embd];
                for (var head = 0; head < _heads; head++)
                {
                    var kvHead = head / (_heads / _kvHeads);
                    var scores = new double[pos + 1];
                    var max = double.NegativeInfinity;
                    for (var t = 0; t <= pos; t++)
                    {
                        var dot = 0.0;
                        for (var d = 0; d < headDim; d++)
                        {
                            dot += q[(head * headDim) + d] * keys[l][t][(kvHead * headDim) + d];
                        }
                        scores[t] = dot / Math.Sqrt(headDim);
                        max = Math.Max(max, scores[t]);
                    }
                    var total = 0.0;
                    for (var t = 0; t <= pos; t++)
                    {
                        scores[t] = Math.Exp(scores[t] - max);
                        total += scores[t];
                    }
                    for (var t = 0; t <= pos; t++)
                    {
                        for (var d = 0; d < headDim; d++)
                        {
                            attention[(head * headDim) + d] += scores[t] / total * values[l][t][(kvHead * headDim) + d];
                        }
                    }
                }
                var projected = MatVec(b.O, attention, _embd, _embd);
                for (var i = 0; i < _embd; i++)
                {
                    x[i] += projected[i];
                }
                h = RmsNorm(x, b.FfnNorm);
                var gate = MatVec(b.Gate, h, _embd, _ff);
                var up = MatVec(b.Up, h, _embd, _ff);
                for (var i = 0; i < _ff; i++)
                {
                    gate[i] = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
                }
                var down = MatVec(b.Down, gate, _ff, _embd);
                for (var i = 0; i < _embd; i++)
                {
                    x[i] += down[i];
                }
            }
            output(pos, MatVec(_output, RmsNorm(x, _outputNorm), _embd, _vocab));
        }
    }

    private double[] RmsNorm(double[] x, double[] weight)
    {
        var meanSquare = x.Sum(v => v * v) / x.Length;
        var scale = 1 / Math.Sqrt(meanSquare + _eps);
        return [.. x.Select((v, i) => v * scale * weight[i])];
    }

    // GGUF stores a [in, out] weight with `in` fastest: row o holds the weights of output o.
    private static double[] MatVec(double[] w, double[] x, int input, int output)
    {
        var y = new double[output];
        for (var o = 0; o < output; o++)
        {
            var sum = 0.0;
            var row = (long)o * input;
            for (var i = 0; i < input; i++)
            {
                sum += w[row + i] * x[i];
            }
            y[o] = sum;
        }
        return y;
    }

    // Rotates adjacent pairs (2i, 2i+1) of each head by pos * base^(-2i/headDim).
    private void Rope(double[] v, int pos, int headDim)
    {
        for (var start = 0; start < v.Length; start += headDim)
        {
            for (var i = 0; i < headDim / 2; i++)
            {
                var angle = pos * Math.Pow(_ropeBase, -2.0 * i / headDim);
                var (sin, cos) = Math.SinCos(angle);
                var a = v[start + (2 * i)];
                var b = v[start + (2 * i) + 1];
                v[start + (2 * i)] = (a * cos) - (b * sin);
                v[start + (2 * i) + 1] = (a * sin) + (b * cos);
            }
        }
    }
}
