using System.Runtime.InteropServices;

namespace CultureProbe.Llama.Native;

/// <summary>
/// The subset of the llama.cpp v0.5.0 C API that the scorer and the generator use. The library names are logical:
/// <see cref="LlamaRuntime"/> resolves them to the files it loaded. Call <see cref="LlamaRuntime.EnsureLoaded(LlamaDevice)"/> first.
/// </summary>
internal static unsafe partial class LlamaNative
{
    internal const string LlamaLibrary = "llama";
    internal const string GgmlLibrary = "ggml";
    internal const string GgmlBaseLibrary = "ggml-base";

    [LibraryImport(LlamaLibrary)]
    internal static partial byte* llama_version();

    [LibraryImport(LlamaLibrary)]
    internal static partial byte* llama_print_system_info();

    [LibraryImport(LlamaLibrary)]
    internal static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(LlamaLibrary)]
    internal static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_backend_init();

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_log_set(delegate* unmanaged[Cdecl]<int, byte*, void*, void> callback, void* userData);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_gpu_offload();

    [LibraryImport(LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint llama_model_load_from_file(string path, LlamaModelParams parameters);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_model_free(nint model);

    [LibraryImport(LlamaLibrary)]
    internal static partial nint llama_init_from_model(SafeLlamaModelHandle model, LlamaContextParams parameters);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_free(nint context);

    [LibraryImport(LlamaLibrary)]
    internal static partial nint llama_model_get_vocab(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_model_n_ctx_train(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary)]
    internal static partial ulong llama_model_n_params(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int llama_model_meta_val_str(SafeLlamaModelHandle model, string key, byte* buffer, nuint bufferSize);

    [LibraryImport(LlamaLibrary)]
    internal static partial byte* llama_model_chat_template(SafeLlamaModelHandle model, byte* name);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_chat_apply_template(byte* template, LlamaChatMessage* chat, nuint messageCount, [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buffer, int length);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_vocab_n_tokens(nint vocab);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_vocab_bos(nint vocab);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_vocab_eos(nint vocab);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_bos(nint vocab);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_tokenize(nint vocab, byte* text, int textLength, int* tokens, int maxTokens, [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_token_to_piece(nint vocab, int token, byte* buffer, int length, int lstrip, [MarshalAs(UnmanagedType.U1)] bool special);

    [LibraryImport(LlamaLibrary)]
    internal static partial uint llama_n_ctx(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial uint llama_n_batch(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial uint llama_n_seq_max(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial nint llama_get_memory(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_memory_clear(nint memory, [MarshalAs(UnmanagedType.U1)] bool data);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_memory_seq_rm(nint memory, int seqId, int p0, int p1);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_memory_seq_cp(nint memory, int seqIdSource, int seqIdDestination, int p0, int p1);

    [LibraryImport(LlamaLibrary)]
    internal static partial LlamaBatch llama_batch_init(int tokenCount, int embeddingSize, int maxSequencesPerToken);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_batch_free(LlamaBatch batch);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_decode(SafeLlamaContextHandle context, LlamaBatch batch);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_synchronize(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_set_n_threads(SafeLlamaContextHandle context, int threads, int threadsBatch);

    [LibraryImport(LlamaLibrary)]
    internal static partial float* llama_get_logits_ith(SafeLlamaContextHandle context, int index);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_eog(nint vocab, int token);

    [LibraryImport(LlamaLibrary)]
    internal static partial LlamaSamplerChainParams llama_sampler_chain_default_params();

    [LibraryImport(LlamaLibrary)]
    internal static partial nint llama_sampler_chain_init(LlamaSamplerChainParams parameters);

    /// <summary>Adds <paramref name="sampler"/> to <paramref name="chain"/>, which takes ownership of it (freed with the chain).</summary>
    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_sampler_chain_add(SafeLlamaSamplerHandle chain, nint sampler);

    [LibraryImport(LlamaLibrary)]
    internal static partial nint llama_sampler_init_greedy();

    [LibraryImport(LlamaLibrary)]
    internal static partial nint llama_sampler_init_dist(uint seed);

    [LibraryImport(LlamaLibrary)]
    internal static partial nint llama_sampler_init_top_p(float p, nuint minKeep);

    [LibraryImport(LlamaLibrary)]
    internal static partial nint llama_sampler_init_temp(float temperature);

    /// <summary>A sampler that only lets tokens through that keep the text inside the GBNF grammar; null when the grammar does not parse.</summary>
    [LibraryImport(LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint llama_sampler_init_grammar(nint vocab, string grammar, string root);

    /// <summary>Samples from the logits of batch row <paramref name="index"/> and accepts the token into the sampler's state.</summary>
    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_sampler_sample(SafeLlamaSamplerHandle sampler, SafeLlamaContextHandle context, int index);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_sampler_free(nint sampler);

    [LibraryImport(GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void ggml_backend_load_all_from_path(string directory);

    /// <summary>Loads one backend plug-in and registers it; unlike <see cref="ggml_backend_load_all_from_path"/> it logs why a plug-in fails to load.</summary>
    [LibraryImport(GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ggml_backend_load(string path);

    [LibraryImport(GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ggml_backend_reg_by_name(string name);

    [LibraryImport(GgmlLibrary)]
    internal static partial nuint ggml_backend_dev_count();

    [LibraryImport(GgmlLibrary)]
    internal static partial nint ggml_backend_dev_get(nuint index);

    [LibraryImport(GgmlBaseLibrary)]
    internal static partial byte* ggml_backend_dev_name(nint device);

    [LibraryImport(GgmlBaseLibrary)]
    internal static partial byte* ggml_backend_dev_description(nint device);

    [LibraryImport(GgmlBaseLibrary)]
    internal static partial void ggml_backend_dev_memory(nint device, nuint* free, nuint* total);

    /// <summary><c>enum ggml_backend_dev_type</c>: 0 CPU, 1 GPU, 2 integrated GPU, 3 accelerator, 4 meta.</summary>
    [LibraryImport(GgmlBaseLibrary)]
    internal static partial int ggml_backend_dev_type(nint device);

    [LibraryImport(GgmlBaseLibrary)]
    internal static partial nint ggml_backend_dev_backend_reg(nint device);

    [LibraryImport(GgmlBaseLibrary)]
    internal static partial byte* ggml_backend_reg_name(nint registry);
}
