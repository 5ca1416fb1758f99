#include "text/prompt.h"

#include <stdexcept>

namespace newbie::text {

const std::vector<SystemPromptPreset>& systemPromptPresets() {
  static const std::vector<SystemPromptPreset> presets = {
      {"xml",
       "You are an assistant designed to generate high-quality anime images based on xml format prompts. "
       "<Prompt Start> ",
       "NewBie finetune.py, XML captions"},
      {"tags",
       "You are an assistant designed to generate high-quality anime images with the highest degree of image-text "
       "alignment based on textual prompts. <Prompt Start> ",
       "NewBie finetune.py, tag / natural-language captions"},
      {"lora_trainer",
       "You are an assistant designed to generate high-quality anime images with the highest degree of image-text "
       "alignment based on textual prompts. <Prompt Start>",
       "NewBie LoRA trainer default (no trailing space)"},
      {"comfy_xml",
       "You are an assistant designed to generate high-quality anime images with the highest degree of image-text "
       "alignment based on xml format textual prompts. <Prompt Start>\n",
       "Comfy-Org workflow, positive"},
      {"comfy_negative",
       "You are an assistant designed to generate low-quality images based on textual prompts. <Prompt Start>",
       "Comfy-Org workflow, negative"},
      {"lumina",
       "You are an assistant designed to generate superior images with the superior degree of image-text alignment "
       "based on textual prompts or user prompts. <Prompt Start> ",
       "diffusers NewbiePipeline (PR12803) default, the Lumina2 prompt"},
      {"none", "", "no system prompt"},
  };
  return presets;
}

const SystemPromptPreset* findSystemPromptPreset(std::string_view name) {
  for (const auto& p : systemPromptPresets())
    if (p.name == name) return &p;
  return nullptr;
}

bool looksLikeNewBieXml(std::string_view prompt) {
  size_t i = 0;
  while (i < prompt.size() && (prompt[i] == ' ' || prompt[i] == '\t' || prompt[i] == '\n' || prompt[i] == '\r'))
    ++i;
  const std::string_view rest = prompt.substr(i);
  for (std::string_view tag : {"<character_", "<general_tags", "<caption", "<image", "<danbooru_tags", "<style"}) {
    if (rest.substr(0, tag.size()) != tag) continue;
    if (rest.size() == tag.size()) return true;
    const char c = rest[tag.size()];
    // "<character_" is followed by a number; the others by '>' or whitespace (attributes).
    if (tag == "<character_" || c == '>' || c == ' ' || c == '\n' || c == '\t' || c == '/') return true;
  }
  return false;
}

const SystemPromptPreset& resolveSystemPreset(std::string_view presetOrAuto, std::string_view prompt) {
  if (presetOrAuto.empty() || presetOrAuto == "auto")
    return *findSystemPromptPreset(looksLikeNewBieXml(prompt) ? "xml" : "tags");
  if (const auto* p = findSystemPromptPreset(presetOrAuto)) return *p;
  std::string names = "auto";
  for (const auto& p : systemPromptPresets()) names += ", " + p.name;
  throw std::invalid_argument("unknown system prompt preset '" + std::string(presetOrAuto) + "' (valid: " + names +
                              ")");
}

namespace {

EncoderInputs assemble(const Tokenizer& gemma, const Tokenizer& jina, std::string_view user,
                       const std::string& systemPrompt, const std::string& presetName, const PromptOptions& opt) {
  if (opt.maxGemmaTokens < 1) throw std::invalid_argument("maxGemmaTokens must be >= 1 (BOS)");
  if (opt.maxJinaTokens < 2) throw std::invalid_argument("maxJinaTokens must be >= 2 (<s> and </s>)");
  EncoderInputs in;
  in.systemPrompt = systemPrompt;
  in.systemPreset = presetName;
  in.gemmaText = systemPrompt + std::string(user);
  in.jinaText = opt.comfyCompatible ? in.gemmaText : std::string(user);
  in.gemmaIds = gemma.encodeForGemma(in.gemmaText);
  in.gemmaTokensBeforeTruncation = static_cast<int>(in.gemmaIds.size());
  if (static_cast<int>(in.gemmaIds.size()) > opt.maxGemmaTokens) {
    in.gemmaIds.resize(opt.maxGemmaTokens);
    in.truncated = true;
  }
  in.jinaIds = jina.encodeForJina(in.jinaText);
  if (static_cast<int>(in.jinaIds.size()) > opt.maxJinaTokens) {
    const int64_t eos = in.jinaIds.back();
    in.jinaIds.resize(opt.maxJinaTokens);
    in.jinaIds.back() = eos;  // HF truncation keeps the template's </s>
    in.jinaTruncated = true;
  }
  return in;
}

void positiveSystem(std::string_view prompt, const PromptOptions& opt, std::string& text, std::string& name) {
  if (opt.customSystemPrompt) {
    text = *opt.customSystemPrompt;
    name = "custom";
    return;
  }
  const auto& p = resolveSystemPreset(opt.systemPreset, prompt);
  text = p.text;
  name = p.name;
}

}  // namespace

EncoderInputs buildPositiveInputs(const Tokenizer& gemma, const Tokenizer& jina, std::string_view prompt,
                                  const PromptOptions& opt) {
  std::string sys, name;
  positiveSystem(prompt, opt, sys, name);
  return assemble(gemma, jina, prompt, sys, name, opt);
}

EncoderInputs buildNegativeInputs(const Tokenizer& gemma, const Tokenizer& jina, std::string_view negative,
                                  std::string_view positivePrompt, const PromptOptions& opt) {
  if (negative.empty()) return assemble(gemma, jina, "", "", "none", opt);
  std::string sys, name;
  if (opt.negativeSystemPreset.empty() || opt.negativeSystemPreset == "same") {
    positiveSystem(positivePrompt, opt, sys, name);
  } else {
    const auto& p = resolveSystemPreset(opt.negativeSystemPreset, negative);
    sys = p.text;
    name = p.name;
  }
  return assemble(gemma, jina, negative, sys, name, opt);
}

int countGemmaTokens(const Tokenizer& gemma, std::string_view prompt, std::string_view preset,
                     std::string_view customSystemPrompt) {
  std::string text;
  if (preset == "custom") text = std::string(customSystemPrompt);
  else text = resolveSystemPreset(preset, prompt).text;
  text.append(prompt);
  return static_cast<int>(gemma.countTokens(text)) + 1;  // + BOS
}

}  // namespace newbie::text
