// Option handling shared by the sub-commands.
#include <fstream>
#include <iterator>

#include "args.h"

namespace newbie::cli {

std::string readTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::filesystem::path> modelPathsFromArgs(const ArgParser& a) {
  std::vector<std::filesystem::path> models;
  for (const auto& m : a.all("--model")) models.emplace_back(m);
  for (const auto& m : a.positional()) models.emplace_back(m);
  if (models.empty()) throw std::invalid_argument("--model is required (a model folder or ComfyUI files)");
  return models;
}

void promptFromArgs(const ArgParser& a, GenerationParams& p) {
  if (a.has("--prompt-file") == a.has("--prompt"))
    throw std::invalid_argument("give exactly one of --prompt-file F or --prompt TEXT");
  p.prompt = a.has("--prompt") ? a.get("--prompt") : readTextFile(a.get("--prompt-file"));
  if (a.has("--negative-file")) p.negativePrompt = readTextFile(a.get("--negative-file"));
  if (a.has("--negative")) p.negativePrompt = a.get("--negative");
  if (a.has("--system-prompt")) p.systemPrompt = a.get("--system-prompt");
  p.systemPreset = a.get("--system-preset", "auto");
  p.comfyCompatible = a.has("--comfy-compatible");
}

LoadOptions loadOptionsFromArgs(const ArgParser& a) {
  LoadOptions lo;
  lo.device = a.get("--device", "cpu");
  const auto prec = parsePrecision(a.get("--precision", lo.device == "cpu" ? "fp32" : "bf16"));
  if (!prec) throw std::invalid_argument("--precision '" + a.get("--precision") + "' is not bf16, fp16, fp32 or fp8");
  lo.precision = *prec;
  const std::string enc = a.get("--encoders", "device");
  if (enc == "device" || enc == "gpu") lo.encoderPlacement = EncoderPlacement::Device;
  else if (enc == "cpu") lo.encoderPlacement = EncoderPlacement::CPU;
  else if (enc == "free") lo.encoderPlacement = EncoderPlacement::FreeAfterUse;
  else throw std::invalid_argument("--encoders '" + enc + "' is not device, cpu or free");
  return lo;
}

}  // namespace newbie::cli
