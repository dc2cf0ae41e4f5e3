using System.Runtime.InteropServices;

namespace CultureProbe.Llama.Native;

/// <summary>Owns a <c>llama_model*</c>; freed with <c>llama_model_free</c>.</summary>
internal sealed class SafeLlamaModelHandle : SafeHandle
{
    public SafeLlamaModelHandle() : base(nint.Zero, ownsHandle: true)
    {
    }

    internal SafeLlamaModelHandle(nint handle) : base(nint.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}

/// <summary>Owns a <c>llama_context*</c>; freed with <c>llama_free</c>. Keeps its model alive while it lives.</summary>
internal sealed class SafeLlamaContextHandle : SafeHandle
{
    private readonly SafeLlamaModelHandle? _model;
    private readonly bool _addedModelReference;

    public SafeLlamaContextHandle() : base(nint.Zero, ownsHandle: true)
    {
    }

    internal SafeLlamaContextHandle(nint handle, SafeLlamaModelHandle model) : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(handle);
        _model = model;
        model.DangerousAddRef(ref _addedModelReference);
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        if (_addedModelReference)
        {
            _model?.DangerousRelease();
        }
        return true;
    }
}

/// <summary>Owns a <c>llama_sampler*</c> chain; freed with <c>llama_sampler_free</c>, which also frees the samplers added to it.</summary>
internal sealed class SafeLlamaSamplerHandle : SafeHandle
{
    public SafeLlamaSamplerHandle() : base(nint.Zero, ownsHandle: true)
    {
    }

    internal SafeLlamaSamplerHandle(nint handle) : base(nint.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}
