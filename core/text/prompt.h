#pragma once
// Prompt assembly for the two text encoders (MODEL-SPEC §3.1-§3.3):
//  - Gemma gets `system_prompt + user_prompt` (plain concatenation, no chat template), tokenized
//    as [BOS] + ids, truncated at 512 tokens (BOS included);
//  - Jina gets the user prompt only (official training behaviour), or the full Gemma text in
//    "ComfyUI-compatible" mode;
//  - the negative prompt is empty by default (Gemma "" -> [BOS], Jina "" -> [<s>, </s>]); a
//    non-empty negative gets the same system prompt as the positive (NB demo.py).
// XML prompts are passed verbatim; nothing here parses or rewrites them.
//
// Thread-safety: free functions over const Tokenizers; safe from several threads.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/tokenizer.h"

namespace newbie::text {

struct SystemPromptPreset {
  std::string name;         ///< stable id used by the CLI / settings
  std::string text;         ///< verbatim, including any trailing space or newline
  std::string description;  ///< where it comes from
};

/// The presets, in display order:
///  "xml"            NB finetune.py, XML captions (trailing space) — the default for XML prompts
///  "tags"           NB finetune.py, other captions (tags / natural language; trailing space)
///  "lora_trainer"   NewBie LoRA trainer default (no trailing space)
///  "comfy_xml"      Comfy-Org workflow positive ("...xml format textual prompts. <Prompt Start>\n")
///  "comfy_negative" Comfy-Org workflow negative
///  "lumina"         diffusers PR12803 default (Lumina2 prompt + " <Prompt Start> ")
///  "none"           empty system prompt
const std::vector<SystemPromptPreset>& systemPromptPresets();
/// nullptr when `name` is not a preset.
const SystemPromptPreset* findSystemPromptPreset(std::string_view name);

/// True when the prompt, after leading whitespace, starts with a NewBie XML root tag
/// (`<character_`, `<general_tags`, `<caption`, `<image`, `<danbooru_tags`, `<style`).
bool looksLikeNewBieXml(std::string_view prompt);

/// Resolves a preset name or "auto" ("xml" for XML prompts, else "tags") to its text.
/// Throws std::invalid_argument for an unknown name (the message lists the valid ones).
const SystemPromptPreset& resolveSystemPreset(std::string_view presetOrAuto, std::string_view prompt);

struct PromptOptions {
  std::string systemPreset = "auto";              ///< preset name or "auto"
  std::optional<std::string> customSystemPrompt;  ///< when set, used verbatim instead of the preset
  /// Negative: "same" = the positive's system prompt (default), else a preset name ("none", ...).
  std::string negativeSystemPreset = "same";
  bool comfyCompatible = false;  ///< Jina gets the full Gemma text (system prompt included)
  int maxGemmaTokens = 512;      ///< BOS included
  int maxJinaTokens = 2048;      ///< <s> and </s> included
};

struct EncoderInputs {
  std::vector<int64_t> gemmaIds;       ///< [BOS] + ids, truncated to maxGemmaTokens
  std::vector<int64_t> jinaIds;        ///< <s> ids </s>, truncated to maxJinaTokens (</s> kept)
  int gemmaTokensBeforeTruncation = 0;  ///< BOS included
  bool truncated = false;              ///< Gemma input was cut at maxGemmaTokens
  bool jinaTruncated = false;
  std::string gemmaText, jinaText;     ///< the exact strings that were tokenized
  std::string systemPrompt;            ///< the system prompt used ("" for an empty negative)
  std::string systemPreset;            ///< its preset name, "custom" or "none"
};

/// Positive prompt.
EncoderInputs buildPositiveInputs(const Tokenizer& gemma, const Tokenizer& jina, std::string_view prompt,
                                  const PromptOptions& opt = {});
/// Negative prompt; `positivePrompt` is needed to resolve "auto" the same way as the positive.
/// An empty negative gives Gemma "" ([BOS]) and Jina "" ([<s>, </s>]) whatever the options.
EncoderInputs buildNegativeInputs(const Tokenizer& gemma, const Tokenizer& jina, std::string_view negative,
                                  std::string_view positivePrompt, const PromptOptions& opt = {});

/// Cheap live counter for the editor: Gemma tokens (BOS included) of system prompt + prompt
/// for `preset` ("auto", a preset name, or "custom" with `customSystemPrompt`), no truncation.
int countGemmaTokens(const Tokenizer& gemma, std::string_view prompt, std::string_view preset = "auto",
                     std::string_view customSystemPrompt = {});

}  // namespace newbie::text
