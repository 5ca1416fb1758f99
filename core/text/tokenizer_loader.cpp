// Tokenizer::fromSafetensors and Tokenizer::load (source selection for a component folder).
#include <algorithm>

#include "io/safetensors.h"
#include "text/tokenizer.h"

namespace newbie::text {
namespace fs = std::filesystem;

std::unique_ptr<Tokenizer> Tokenizer::fromSafetensors(const fs::path& path, TokenizerFlavor flavor) {
  auto file = io::SafetensorsFile::open(path);
  const io::TensorInfo* t = file->find("spiece_model");
  if (!t) throw TokenizerError(path.string() + ": has no 'spiece_model' tensor (no embedded SentencePiece proto)");
  if (t->dtype != io::DType::U8 && t->dtype != io::DType::I8)
    throw TokenizerError(path.string() + ": tensor 'spiece_model' is not uint8");
  const uint8_t* data = file->rawData(*t);
  const std::string bytes(reinterpret_cast<const char*>(data), static_cast<size_t>(t->end - t->begin));
  return fromSentencePiece(bytes, flavor, "tensor spiece_model in " + path.string());
}

namespace {

bool hasSpiece(const fs::path& p) {
  try {
    return io::SafetensorsFile::open(p)->contains("spiece_model");
  } catch (const std::exception&) {
    return false;
  }
}

std::unique_ptr<Tokenizer> tryFolder(const fs::path& dir, TokenizerFlavor flavor) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return nullptr;
  if (fs::is_regular_file(dir / "tokenizer.json", ec)) return Tokenizer::fromTokenizerJson(dir / "tokenizer.json");
  for (const char* name : {"tokenizer.model", "spiece.model", "sentencepiece.bpe.model"})
    if (fs::is_regular_file(dir / name, ec)) return Tokenizer::fromSentencePieceFile(dir / name, flavor);
  if (fs::is_regular_file(dir / "model.safetensors", ec) && hasSpiece(dir / "model.safetensors"))
    return Tokenizer::fromSafetensors(dir / "model.safetensors", flavor);
  std::vector<fs::path> st;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".safetensors") st.push_back(e.path());
  std::sort(st.begin(), st.end());
  for (const auto& p : st)
    if (hasSpiece(p)) return Tokenizer::fromSafetensors(p, flavor);
  return nullptr;
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::load(const fs::path& path, TokenizerFlavor flavor) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const fs::path& dir : {path, path / "tokenizer", path / "tokenizer_2"})
      if (auto t = tryFolder(dir, flavor)) return t;
    throw TokenizerError("no tokenizer found in " + path.string() +
                         " (looked for tokenizer.json, tokenizer.model, spiece.model, sentencepiece.bpe.model and a "
                         "'spiece_model' tensor in *.safetensors, also in tokenizer/ and tokenizer_2/)");
  }
  if (!fs::exists(path, ec)) throw TokenizerError("tokenizer path does not exist: " + path.string());
  const std::string ext = path.extension().string();
  if (ext == ".json") return fromTokenizerJson(path);
  if (ext == ".safetensors") return fromSafetensors(path, flavor);
  return fromSentencePieceFile(path, flavor);
}

}  // namespace newbie::text
