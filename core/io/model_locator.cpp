// Layout detection and component assembly for locateModel() (model_locator.h).
#include "io/model_locator.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "log/log.h"

namespace fs = std::filesystem;

namespace newbie::io {

namespace {

const char* kAccepted =
    "Accepted layouts: (1) the official NewBie-AI/NewBie-image-Exp0.1 folder (model_index.json, transformer/, "
    "text_encoder/ with the Gemma tokenizer, clip_model/ with the Jina tokenizer, vae/); (2) a diffusers folder "
    "(transformer/, text_encoder/, tokenizer/, text_encoder_2/, tokenizer_2/, vae/, scheduler/ optional); "
    "(3) ComfyUI single files given as files, as one folder or as a ComfyUI models/ folder (diffusion_models/, "
    "text_encoders/, vae/): the NewBie diffusion model, gemma_3_4b_it, jina_clip_v2 and the FLUX ae.safetensors, "
    "recognised by their tensor names. Weights must be .safetensors (single files or *.safetensors.index.json "
    "with shards).";

const char* humanName(ComponentKind k) {
  switch (k) {
    case ComponentKind::Transformer: return "transformer (NextDiT_CLIP)";
    case ComponentKind::Gemma: return "Gemma-3 text encoder";
    case ComponentKind::Jina: return "Jina CLIP v2 text tower";
    case ComponentKind::Vae: return "VAE (FLUX AutoencoderKL)";
  }
  return "?";
}

const char* expectedKeys(ComponentKind k) {
  switch (k) {
    case ComponentKind::Transformer:
      return "tensors x_embedder.weight + cap_embedder.* + clip_text_pooled_proj.* (or diffusers time_caption_embed.*)";
    case ComponentKind::Gemma: return "tensors *layers.0.self_attn.q_norm.weight + *embed_tokens.weight";
    case ComponentKind::Jina: return "tensors *encoder.layers.0.mixer.Wqkv.* + *embeddings.word_embeddings.*";
    case ComponentKind::Vae: return "tensors decoder.conv_in.weight + decoder.mid_block.* or decoder.mid.block_1.*";
  }
  return "?";
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isPickleName(const fs::path& p) {
  try {
    refusePickle(p);
    return false;
  } catch (const SafetensorsError&) {
    return true;
  }
}

nlohmann::json readJson(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw ModelLocateError(p.string() + ": cannot be read");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw ModelLocateError(p.string() + ": not valid JSON: " + e.what());
  }
}

std::vector<fs::path> sortedEntries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string joinPaths(const std::vector<fs::path>& ps) {
  std::string s;
  for (const auto& p : ps) s += (s.empty() ? "" : ", ") + p.string();
  return s;
}

/// The weights in a component folder: a *.safetensors.index.json (first by name) or every
/// *.safetensors file. Returns false (and a reason) when there is none.
bool openFolderWeights(const fs::path& dir, WeightsComponent& c, std::string& why) {
  if (!fs::is_directory(dir)) {
    why = dir.string() + " does not exist";
    return false;
  }
  std::vector<fs::path> files, indexes, pickles;
  for (const auto& p : sortedEntries(dir)) {
    if (!fs::is_regular_file(p)) continue;
    const std::string n = p.filename().string();
    if (endsWith(n, ".safetensors.index.json")) indexes.push_back(p);
    else if (endsWith(n, ".safetensors")) files.push_back(p);
    else if (isPickleName(p) || endsWith(n, ".bin.index.json")) pickles.push_back(p);
  }
  if (!indexes.empty()) {
    c.index = indexes.front();
    c.store = TensorStore::open(c.index);
    for (const auto& f : c.store.files()) c.files.push_back(f->path());
    return true;
  }
  if (!files.empty()) {
    c.store = TensorStore::openFiles(files);
    c.files = files;
    return true;
  }
  why = "no .safetensors file in " + dir.string();
  if (!pickles.empty())
    why += " (only pickle checkpoints: " + joinPaths(pickles) + "; they are never loaded, use the .safetensors version)";
  return false;
}

void findTokenizerFiles(const fs::path& dir, TokenizerComponent& t) {
  if (dir.empty() || !fs::is_directory(dir)) return;
  auto pick = [&](fs::path& slot, std::initializer_list<const char*> names) {
    if (!slot.empty()) return;
    for (const char* n : names)
      if (fs::is_regular_file(dir / n)) {
        slot = dir / n;
        return;
      }
  };
  pick(t.tokenizerJson, {"tokenizer.json"});
  pick(t.sentencepieceModel, {"tokenizer.model", "sentencepiece.bpe.model", "spiece.model"});
  pick(t.tokenizerConfig, {"tokenizer_config.json"});
}

void findEmbeddedTokenizer(const WeightsComponent& c, TokenizerComponent& t) {
  if (!c.present || !t.embeddedIn.empty()) return;
  for (const auto& f : c.store.files())
    if (f->contains("spiece_model")) {
      t.embeddedIn = f->path();
      t.embeddedTensor = "spiece_model";
      return;
    }
}

void finishTokenizer(TokenizerComponent& t) {
  t.present = !t.tokenizerJson.empty() || !t.sentencepieceModel.empty() || !t.embeddedIn.empty();
}

std::string describeFound(const ModelLocation& loc) {
  std::ostringstream os;
  bool any = false;
  for (auto k : {ComponentKind::Transformer, ComponentKind::Gemma, ComponentKind::Jina, ComponentKind::Vae}) {
    const auto& c = loc.component(k);
    if (!c.present) continue;
    os << (any ? "; " : "") << humanName(k) << " [" << namingName(c.naming) << "] in "
       << (c.index.empty() ? joinPaths(c.files) : c.index.string());
    any = true;
  }
  for (const auto* t : {&loc.gemmaTokenizer, &loc.jinaTokenizer}) {
    if (!t->present) continue;
    os << (any ? "; " : "") << (t == &loc.gemmaTokenizer ? "Gemma" : "Jina") << " tokenizer ("
       << t->preferredSource() << ")";
    any = true;
  }
  return any ? os.str() : "nothing usable";
}

std::string inputsText(const std::vector<fs::path>& in) { return joinPaths(in); }

/// One message for everything missing or inconsistent; returns normally when complete.
void validate(const ModelLocation& loc, const std::map<ComponentKind, std::string>& whyMissing) {
  std::vector<std::string> missing;
  for (auto k : {ComponentKind::Transformer, ComponentKind::Gemma, ComponentKind::Jina, ComponentKind::Vae}) {
    if (loc.component(k).present) continue;
    auto it = whyMissing.find(k);
    missing.push_back(std::string(humanName(k)) + " (" + (it != whyMissing.end() ? it->second : expectedKeys(k)) + ")");
  }
  if (!loc.gemmaTokenizer.present)
    missing.push_back("Gemma tokenizer (tokenizer.json or tokenizer.model, or an embedded spiece_model tensor)");
  if (!loc.jinaTokenizer.present)
    missing.push_back("Jina tokenizer (tokenizer.json or sentencepiece.bpe.model, or an embedded spiece_model tensor)");

  std::vector<std::string> bad;
  const auto& dit = loc.transformer.config;
  auto mismatch = [&](const WeightsComponent& a, const char* ak, const WeightsComponent& b, const char* bk) {
    if (!a.present || !b.present || !a.config.contains(ak) || !b.config.contains(bk)) return;
    if (a.config[ak] != b.config[bk])
      bad.push_back(std::string("the transformer expects ") + ak + " = " + a.config[ak].dump() + " but the " +
                    humanName(b.kind) + " has " + bk + " = " + b.config[bk].dump());
  };
  if (dit.is_object()) {
    mismatch(loc.transformer, "cap_feat_dim", loc.gemma, "hidden_size");
    mismatch(loc.transformer, "clip_text_dim", loc.jina, "hidden_size");
    mismatch(loc.transformer, "in_channels", loc.vae, "latent_channels");
  }
  if (missing.empty() && bad.empty()) return;

  std::ostringstream os;
  os << "No complete NewBie-image-Exp0.1 model at " << inputsText(loc.inputs) << " (layout looked like "
     << layoutName(loc.layout) << "). Found: " << describeFound(loc) << ".";
  if (!missing.empty()) {
    os << " Missing: ";
    for (std::size_t i = 0; i < missing.size(); ++i) os << (i ? "; " : "") << missing[i];
    os << ".";
  }
  if (!bad.empty()) {
    os << " Inconsistent: ";
    for (std::size_t i = 0; i < bad.size(); ++i) os << (i ? "; " : "") << bad[i];
    os << " (components from different models?).";
  }
  os << " " << kAccepted;
  throw ModelLocateError(os.str());
}

void detectDemo(ModelLocation& loc, const nlohmann::json& modelIndex) {
  if (!loc.root.empty() && fs::is_regular_file(loc.root / "newbie_demo.json")) loc.isDemo = true;
  if (modelIndex.is_object()) {
    auto it = modelIndex.find("_newbie_demo");
    if (it != modelIndex.end() && it->is_boolean() && it->get<bool>()) loc.isDemo = true;
  }
}

// ---- folder layouts (official, diffusers) -------------------------------------------------

bool looksLikeFolderLayout(const fs::path& dir) {
  return fs::is_regular_file(dir / "model_index.json") || fs::is_directory(dir / "transformer");
}

/// Subfolder named by model_index.json for `key` (["folder", "Class"]), else `fallback`.
fs::path componentDir(const fs::path& root, const nlohmann::json& index, const char* key, const char* fallback) {
  if (index.is_object()) {
    auto it = index.find(key);
    if (it != index.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) {
      const fs::path p = root / (*it)[0].get<std::string>();
      if (fs::is_directory(p)) return p;
    }
  }
  return root / fallback;
}

void locateFolder(ModelLocation& loc, const fs::path& root) {
  loc.root = root;
  nlohmann::json index;
  if (fs::is_regular_file(root / "model_index.json")) {
    loc.modelIndex = root / "model_index.json";
    index = readJson(loc.modelIndex);
  }
  auto indexHas = [&](const char* k) { return index.is_object() && index.contains(k); };
  const bool diffusers = fs::is_directory(root / "text_encoder_2") || indexHas("text_encoder_2");
  loc.layout = diffusers ? Layout::Diffusers : Layout::Official;

  struct Slot {
    WeightsComponent* c;
    fs::path dir;
  };
  const Slot slots[] = {
      {&loc.transformer, componentDir(root, index, "transformer", "transformer")},
      {&loc.gemma, componentDir(root, index, "text_encoder", "text_encoder")},
      {&loc.jina, diffusers ? componentDir(root, index, "text_encoder_2", "text_encoder_2")
                            : componentDir(root, index, "clip_model", "clip_model")},
      {&loc.vae, componentDir(root, index, "vae", "vae")},
  };
  std::map<ComponentKind, std::string> why;
  for (const auto& s : slots) {
    WeightsComponent& c = *s.c;
    std::string reason;
    if (!openFolderWeights(s.dir, c, reason)) {
      why[c.kind] = reason;
      continue;
    }
    DetectedRole role{c.kind, Naming::Unknown, ""};
    bool found = false;
    std::string others;
    for (const auto& r : detectRoles(c.store)) {
      if (r.kind == c.kind) {
        role = r;
        found = true;
      } else {
        others += std::string(others.empty() ? "" : ", ") + humanName(r.kind);
      }
    }
    if (!found) {
      const auto names = c.store.names();
      why[c.kind] = (c.index.empty() ? joinPaths(c.files) : c.index.string()) + " does not hold a " +
                    humanName(c.kind) + (others.empty() ? "" : " (it looks like: " + others + ")") +
                    "; first tensor: '" + (names.empty() ? std::string("none") : names.front()) + "'; expected " +
                    expectedKeys(c.kind);
      c.store = TensorStore();
      c.files.clear();
      c.index.clear();
      continue;
    }
    nlohmann::json cfg;
    if (fs::is_regular_file(s.dir / "config.json")) {
      c.configFile = s.dir / "config.json";
      cfg = readJson(c.configFile);
    }
    describeComponent(c, role, cfg);
  }
  // Tokenizers: the folders model_index.json names, the conventional folders, then the
  // proto embedded in the weights.
  if (diffusers) {
    findTokenizerFiles(componentDir(root, index, "tokenizer", "tokenizer"), loc.gemmaTokenizer);
    findTokenizerFiles(componentDir(root, index, "tokenizer_2", "tokenizer_2"), loc.jinaTokenizer);
    findTokenizerFiles(componentDir(root, index, "text_encoder", "text_encoder"), loc.gemmaTokenizer);
    findTokenizerFiles(componentDir(root, index, "text_encoder_2", "text_encoder_2"), loc.jinaTokenizer);
  } else {
    findTokenizerFiles(componentDir(root, index, "tokenizer", "text_encoder"), loc.gemmaTokenizer);
    findTokenizerFiles(componentDir(root, index, "clip_tokenizer", "clip_model"), loc.jinaTokenizer);
  }
  findEmbeddedTokenizer(loc.gemma, loc.gemmaTokenizer);
  findEmbeddedTokenizer(loc.jina, loc.jinaTokenizer);
  finishTokenizer(loc.gemmaTokenizer);
  finishTokenizer(loc.jinaTokenizer);
  const fs::path sched = componentDir(root, index, "scheduler", "scheduler") / "scheduler_config.json";
  if (fs::is_regular_file(sched)) loc.schedulerConfig = sched;
  detectDemo(loc, index);
  validate(loc, why);
}

// ---- ComfyUI single files ---------------------------------------------------------------

struct Candidate {
  std::shared_ptr<TensorStore> store;
  fs::path file;
  DetectedRole role;
  bool explicitFile;
};

bool isComfyModelsFolder(const fs::path& dir) {
  for (const char* sub : {"diffusion_models", "unet", "text_encoders", "clip", "vae", "checkpoints"})
    if (fs::is_directory(dir / sub)) return true;
  return false;
}

void scanFolder(const fs::path& dir, std::vector<std::pair<fs::path, bool>>& files) {
  std::vector<fs::path> roots;
  if (isComfyModelsFolder(dir)) {
    for (const char* sub : {"diffusion_models", "unet", "checkpoints", "text_encoders", "clip", "vae"})
      if (fs::is_directory(dir / sub)) roots.push_back(dir / sub);
  } else {
    roots.push_back(dir);
  }
  for (const auto& r : roots) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(r, fs::directory_options::follow_directory_symlink, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it.depth() > 2) it.disable_recursion_pending();
      const std::string n = it->path().filename().string();
      if (!it->is_regular_file()) continue;
      if (endsWith(n, ".safetensors.index.json")) found.push_back(it->path());
      else if (endsWith(n, ".safetensors")) {
        // Shards listed by an index in the same folder are reached through the index.
        bool shard = n.find("-of-") != std::string::npos;
        bool hasIndex = false;
        for (const auto& e : sortedEntries(it->path().parent_path()))
          if (endsWith(e.filename().string(), ".safetensors.index.json")) hasIndex = true;
        if (!(shard && hasIndex)) found.push_back(it->path());
      }
    }
    std::sort(found.begin(), found.end());
    for (auto& f : found) files.emplace_back(f, false);
  }
}

void locateComfy(ModelLocation& loc, const std::vector<fs::path>& paths) {
  loc.layout = Layout::ComfyUI;
  std::vector<std::pair<fs::path, bool>> files;  // (path, given explicitly)
  for (const auto& p : paths) {
    if (fs::is_directory(p)) {
      if (paths.size() == 1) loc.root = p;
      scanFolder(p, files);
    } else {
      refusePickle(p);
      const std::string n = p.filename().string();
      if (!endsWith(n, ".safetensors") && !endsWith(n, ".safetensors.index.json"))
        throw ModelLocateError(p.string() + ": not a .safetensors file (or *.safetensors.index.json). " + kAccepted);
      files.emplace_back(p, true);
    }
  }
  std::vector<Candidate> cands;
  std::vector<fs::path> unrecognised;
  for (const auto& [f, explicitFile] : files) {
    std::shared_ptr<TensorStore> store;
    try {
      store = std::make_shared<TensorStore>(TensorStore::open(f));
    } catch (const SafetensorsError& e) {
      if (explicitFile) throw;
      loc.notes.push_back(std::string("skipped unreadable file: ") + e.what());
      continue;
    }
    const auto roles = detectRoles(*store);
    if (roles.empty()) {
      if (explicitFile) unrecognised.push_back(f);
      else loc.notes.push_back("ignored " + f.string() + ": not a NewBie component");
    }
    for (const auto& r : roles) cands.push_back({store, f, r, explicitFile});
  }
  if (!unrecognised.empty())
    throw ModelLocateError("not recognised as a NewBie-image-Exp0.1 component (by tensor names): " +
                           joinPaths(unrecognised) + ". " + kAccepted);

  // Describe every candidate, then choose one per role; several candidates are narrowed
  // down by compatibility with the others (hidden sizes, latent channels), then by being
  // given explicitly.
  struct Choice {
    WeightsComponent w;
    bool explicitFile;
  };
  std::map<ComponentKind, std::vector<Choice>> byKind;
  for (const auto& c : cands) {
    WeightsComponent w;
    w.kind = c.role.kind;
    w.store = *c.store;
    if (endsWith(c.file.filename().string(), ".index.json")) w.index = c.file;
    for (const auto& f : c.store->files()) w.files.push_back(f->path());
    describeComponent(w, c.role, nlohmann::json());
    byKind[c.role.kind].push_back({std::move(w), c.explicitFile});
  }
  auto compatible = [](const WeightsComponent& w, const std::vector<Choice>& dits) {
    if (dits.size() != 1) return true;
    const auto& d = dits.front().w.config;
    auto eq = [&](const char* dk, const char* wk) {
      return !d.contains(dk) || !w.config.contains(wk) || d[dk] == w.config[wk];
    };
    switch (w.kind) {
      case ComponentKind::Gemma: return eq("cap_feat_dim", "hidden_size");
      case ComponentKind::Jina: return eq("clip_text_dim", "hidden_size");
      case ComponentKind::Vae: return eq("in_channels", "latent_channels");
      default: return true;
    }
  };
  std::vector<std::string> ambiguous;
  for (auto k : {ComponentKind::Transformer, ComponentKind::Gemma, ComponentKind::Jina, ComponentKind::Vae}) {
    auto& list = byKind[k];
    if (list.size() > 1 && k != ComponentKind::Transformer) {
      std::vector<Choice> keep;
      for (auto& c : list)
        if (compatible(c.w, byKind[ComponentKind::Transformer])) keep.push_back(c);
        else loc.notes.push_back("not used: " + joinPaths(c.w.files) + " (" + humanName(k) + " of another size)");
      if (!keep.empty()) list = keep;
    }
    if (list.size() > 1) {
      std::vector<Choice> given;
      for (auto& c : list)
        if (c.explicitFile) given.push_back(c);
      if (given.size() == 1) list = given;
    }
    if (list.size() > 1) {
      std::vector<fs::path> ps;
      for (const auto& c : list) ps.push_back(c.w.index.empty() ? c.w.files.front() : c.w.index);
      ambiguous.push_back(std::string(humanName(k)) + ": " + joinPaths(ps));
      continue;
    }
    if (list.size() == 1) {
      WeightsComponent& dst = k == ComponentKind::Transformer ? loc.transformer
                              : k == ComponentKind::Gemma     ? loc.gemma
                              : k == ComponentKind::Jina      ? loc.jina
                                                              : loc.vae;
      dst = list.front().w;
    }
  }
  if (!ambiguous.empty()) {
    std::string m = "Several candidates for one component at " + inputsText(paths) + " — ";
    for (std::size_t i = 0; i < ambiguous.size(); ++i) m += (i ? "; " : "") + ambiguous[i];
    m += ". Pass the files you want explicitly (e.g. newbie-cli inspect DIT.safetensors GEMMA.safetensors "
         "JINA.safetensors AE.safetensors).";
    throw ModelLocateError(m);
  }
  findEmbeddedTokenizer(loc.gemma, loc.gemmaTokenizer);
  findEmbeddedTokenizer(loc.jina, loc.jinaTokenizer);
  // HF-style text-encoder files without an embedded proto: a tokenizer next to the file.
  if (loc.gemma.present && loc.gemmaTokenizer.embeddedIn.empty())
    findTokenizerFiles(loc.gemma.files.front().parent_path(), loc.gemmaTokenizer);
  if (loc.jina.present && loc.jinaTokenizer.embeddedIn.empty())
    findTokenizerFiles(loc.jina.files.front().parent_path(), loc.jinaTokenizer);
  finishTokenizer(loc.gemmaTokenizer);
  finishTokenizer(loc.jinaTokenizer);
  detectDemo(loc, nlohmann::json());
  validate(loc, {});
}

nlohmann::json pathOrNull(const fs::path& p) { return p.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.string()); }

nlohmann::json componentJson(const WeightsComponent& c) {
  nlohmann::json j;
  j["present"] = c.present;
  j["files"] = nlohmann::json::array();
  for (const auto& f : c.files) j["files"].push_back(f.string());
  j["index"] = pathOrNull(c.index);
  j["config_file"] = pathOrNull(c.configFile);
  j["naming"] = namingName(c.naming);
  j["naming_description"] = namingDescription(c.naming);
  j["key_prefix"] = c.keyPrefix;
  j["dtypes"] = c.dtypes;
  j["tensor_count"] = c.tensorCount;
  j["parameter_count"] = c.parameterCount;
  j["ignored_tensors"] = c.ignoredTensors;
  j["config"] = c.config;
  j["config_source"] = c.configSource;
  return j;
}

nlohmann::json tokenizerJson(const TokenizerComponent& t) {
  nlohmann::json j;
  j["present"] = t.present;
  j["preferred_source"] = t.preferredSource();
  j["tokenizer_json"] = pathOrNull(t.tokenizerJson);
  j["sentencepiece_model"] = pathOrNull(t.sentencepieceModel);
  j["tokenizer_config"] = pathOrNull(t.tokenizerConfig);
  j["embedded_in"] = pathOrNull(t.embeddedIn);
  j["embedded_tensor"] = t.embeddedTensor.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.embeddedTensor);
  return j;
}

}  // namespace

std::string TokenizerComponent::preferredSource() const {
  if (!tokenizerJson.empty()) return "tokenizer.json";
  if (!sentencepieceModel.empty()) return "sentencepiece";
  if (!embeddedIn.empty()) return "embedded " + embeddedTensor;
  return "none";
}

const WeightsComponent& ModelLocation::component(ComponentKind k) const {
  switch (k) {
    case ComponentKind::Transformer: return transformer;
    case ComponentKind::Gemma: return gemma;
    case ComponentKind::Jina: return jina;
    case ComponentKind::Vae: return vae;
  }
  return transformer;
}

ModelLocation locateModel(const std::vector<fs::path>& paths) {
  ModelLocation loc;
  loc.inputs = paths;
  if (paths.empty()) throw ModelLocateError(std::string("no model path given. ") + kAccepted);
  for (const auto& p : paths)
    if (!fs::exists(p)) throw ModelLocateError(p.string() + ": no such file or folder. " + kAccepted);
  if (paths.size() == 1 && fs::is_directory(paths.front())) {
    fs::path dir = paths.front();
    // A ComfyUI installation root: use its models/ folder.
    if (!looksLikeFolderLayout(dir) && !isComfyModelsFolder(dir) && fs::is_directory(dir / "models") &&
        isComfyModelsFolder(dir / "models"))
      dir = dir / "models";
    if (looksLikeFolderLayout(dir)) locateFolder(loc, dir);
    else locateComfy(loc, {dir});
  } else {
    locateComfy(loc, paths);
  }
  newbie::log::info("model: {} layout at {}{}", layoutName(loc.layout), joinPaths(paths), loc.isDemo ? " (demo model)" : "");
  for (const auto& n : loc.notes) newbie::log::info("model: {}", n);
  return loc;
}

nlohmann::json toJson(const ModelLocation& loc) {
  nlohmann::json j;
  j["layout"] = layoutName(loc.layout);
  j["inputs"] = nlohmann::json::array();
  for (const auto& p : loc.inputs) j["inputs"].push_back(p.string());
  j["root"] = pathOrNull(loc.root);
  j["model_index"] = pathOrNull(loc.modelIndex);
  j["scheduler_config"] = pathOrNull(loc.schedulerConfig);
  j["is_demo"] = loc.isDemo;
  j["components"] = nlohmann::json::object();
  for (auto k : {ComponentKind::Transformer, ComponentKind::Gemma, ComponentKind::Jina, ComponentKind::Vae})
    j["components"][componentName(k)] = componentJson(loc.component(k));
  j["tokenizers"] = {{"gemma", tokenizerJson(loc.gemmaTokenizer)}, {"jina", tokenizerJson(loc.jinaTokenizer)}};
  j["notes"] = loc.notes;
  return j;
}

}  // namespace newbie::io
