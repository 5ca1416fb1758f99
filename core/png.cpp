#include "png.h"

// Our own header is also called png.h and core/ is on the include path: name libpng's explicitly.
#if __has_include(<libpng16/png.h>)
#include <libpng16/png.h>
#elif __has_include(<libpng/png.h>)
#include <libpng/png.h>
#else
#error "libpng headers (libpng16/png.h) not found"
#endif
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <cctype>
#include <sstream>

#include <nlohmann/json.hpp>

#include "log/log.h"

namespace fs = std::filesystem;

namespace newbie {

// ---- text helpers ------------------------------------------------------------------------

namespace {

// UTF-8 -> Latin-1; false when a code point is > 0xFF or the input is not valid UTF-8.
bool utf8ToLatin1(const std::string& s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
      const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      if (cp > 0xFF || cp < 0x80) return false;
      out += static_cast<char>(cp);
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

// Strict UTF-8 validity; `multi` tells whether a multi-byte sequence occurred.
bool validUtf8(const std::string& s, bool& multi) {
  multi = false;
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (len == 0 || i + len > n) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    if (len > 1) multi = true;
    i += len;
  }
  return true;
}

std::string latin1ToUtf8(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) out += ch;
    else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// A1111's quote(): JSON-quote values that would break the "k: v, k: v" line.
std::string quoteValue(const std::string& v) {
  if (v.find_first_of(",:\n\"") == std::string::npos) return v;
  return nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string unquoteValue(const std::string& v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    try {
      return nlohmann::json::parse(v).get<std::string>();
    } catch (const std::exception&) {
      return v;
    }
  }
  return v;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// The "k: v, k: v" settings line, as A1111's re_param
//   \s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)
// matches it, written as a scanner (std::regex recurses per character and can overflow the
// stack on long prompt lines).
std::vector<std::pair<std::string, std::string>> parseSettingsLine(const std::string& line) {
  auto isWord = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) || c == '_' || c >= 0x80;
  };
  std::vector<std::pair<std::string, std::string>> out;
  const size_t n = line.size();
  size_t pos = 0;
  while (pos < n) {
    while (pos < n && std::isspace(static_cast<unsigned char>(line[pos]))) ++pos;
    if (pos >= n) break;
    size_t k = pos;
    bool ok = isWord(line[k]);
    if (ok) {
      ++k;
      while (k < n && (isWord(line[k]) || line[k] == ' ' || line[k] == '-' || line[k] == '/')) ++k;
      ok = k < n && line[k] == ':' && k - pos >= 2;
    }
    if (!ok) {  // not a pair here: skip to the next comma
      const auto c = line.find(',', pos);
      if (c == std::string::npos) break;
      pos = c + 1;
      continue;
    }
    std::string key = trim(line.substr(pos, k - pos));
    size_t v = k + 1;
    while (v < n && std::isspace(static_cast<unsigned char>(line[v]))) ++v;
    std::string value;
    size_t next = std::string::npos;
    if (v < n && line[v] == '"') {
      size_t q = v + 1;
      while (q < n && line[q] != '"') q += line[q] == '\\' ? 2 : 1;
      if (q < n) {
        size_t after = q + 1;
        while (after < n && line[after] == ' ') ++after;
        if (after >= n || line[after] == ',') {
          value = unquoteValue(line.substr(v, q + 1 - v));
          next = after >= n ? n : after + 1;
        }
      }
    }
    if (next == std::string::npos) {
      const auto c = line.find(',', v);
      value = trim(line.substr(v, c == std::string::npos ? std::string::npos : c - v));
      next = c == std::string::npos ? n : c + 1;
    }
    out.emplace_back(std::move(key), std::move(value));
    pos = next;
  }
  return out;
}

}  // namespace

std::optional<std::string> A1111Params::get(const std::string& key) const {
  for (const auto& kv : extra)
    if (kv.first == key) return kv.second;
  return std::nullopt;
}

std::string formatA1111(const A1111Params& p) {
  std::string s = p.prompt;
  if (!p.negativePrompt.empty()) s += "\nNegative prompt: " + p.negativePrompt;
  std::vector<std::string> kv;
  if (p.steps) kv.push_back(log::format("Steps: {}", *p.steps));
  if (!p.sampler.empty()) kv.push_back("Sampler: " + quoteValue(p.sampler));
  if (p.cfgScale) kv.push_back(log::format("CFG scale: {}", *p.cfgScale));
  if (p.seed) kv.push_back(log::format("Seed: {}", *p.seed));
  if (p.width > 0 && p.height > 0) kv.push_back(log::format("Size: {}x{}", p.width, p.height));
  if (!p.model.empty()) kv.push_back("Model: " + quoteValue(p.model));
  for (const auto& e : p.extra) kv.push_back(e.first + ": " + quoteValue(e.second));
  if (!kv.empty()) {
    s += "\n";
    for (size_t i = 0; i < kv.size(); ++i) s += (i ? ", " : "") + kv[i];
  }
  return s;
}

A1111Params parseA1111(const std::string& textIn) {
  std::string text = textIn;
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  A1111Params p;
  std::vector<std::pair<std::string, std::string>> settings;
  if (!lines.empty()) {
    auto kv = parseSettingsLine(lines.back());
    if (kv.size() >= 3) {
      settings = std::move(kv);
      lines.pop_back();
    }
  }
  bool negative = false;
  bool firstNeg = true, firstPrompt = true;
  for (auto line : lines) {
    if (!negative && line.rfind("Negative prompt:", 0) == 0) {
      negative = true;
      line = line.substr(16);
      if (!line.empty() && line.front() == ' ') line.erase(0, 1);
    }
    std::string& dst = negative ? p.negativePrompt : p.prompt;
    bool& first = negative ? firstNeg : firstPrompt;
    dst += (first ? "" : "\n") + line;
    first = false;
  }
  for (auto& [k, v] : settings) {
    try {
      if (k == "Steps") p.steps = std::stoi(v);
      else if (k == "Sampler") p.sampler = v;
      else if (k == "CFG scale") p.cfgScale = std::stod(v);
      else if (k == "Seed") p.seed = static_cast<uint64_t>(std::stoll(v));
      else if (k == "Size") {
        const auto x = v.find('x');
        if (x == std::string::npos) throw std::invalid_argument("size");
        p.width = std::stoi(v.substr(0, x));
        p.height = std::stoi(v.substr(x + 1));
      } else if (k == "Model") p.model = v;
      else p.extra.emplace_back(k, v);
    } catch (const std::exception&) {
      p.extra.emplace_back(k, v);  // unparsable basic value: keep it verbatim
    }
  }
  return p;
}

A1111Params a1111FromRecord(const std::string& recordJson) {
  nlohmann::json r;
  try {
    r = nlohmann::json::parse(recordJson);
  } catch (const std::exception& e) {
    throw PngError(std::string("metadata record is not valid JSON: ") + e.what());
  }
  auto find = [&](const char* key) -> const nlohmann::json* {
    if (r.contains(key)) return &r[key];
    if (r.contains("params") && r["params"].is_object() && r["params"].contains(key)) return &r["params"][key];
    return nullptr;
  };
  auto str = [&](const char* key) -> std::string {
    const auto* v = find(key);
    if (!v) return {};
    if (v->is_string()) return v->get<std::string>();
    if (v->is_object()) {
      for (const char* k : {"name", "identity", "id"})
        if (v->contains(k) && (*v)[k].is_string()) return (*v)[k].get<std::string>();
      return {};
    }
    return v->is_null() ? std::string() : v->dump();
  };
  A1111Params p;
  p.prompt = str("prompt");
  p.negativePrompt = str("negative_prompt");
  if (const auto* v = find("steps"); v && v->is_number_integer()) p.steps = v->get<int>();
  p.sampler = str("sampler");
  const auto* cfg = find("cfg_scale");
  if (!cfg) cfg = find("cfg");
  if (cfg && cfg->is_number()) p.cfgScale = cfg->get<double>();
  if (const auto* v = find("seed"); v && v->is_number_integer()) p.seed = v->get<uint64_t>();
  if (const auto* v = find("width"); v && v->is_number_integer()) p.width = v->get<int>();
  if (const auto* v = find("height"); v && v->is_number_integer()) p.height = v->get<int>();
  p.model = str("model");
  const std::pair<const char*, const char*> extras[] = {{"schedule", "Schedule"},   {"shift", "Shift"},
                                                        {"cfg_trunc", "CFG trunc"}, {"renorm", "Renorm"},
                                                        {"precision", "Precision"}, {"app_version", "Version"}};
  for (const auto& [key, label] : extras) {
    const auto* v = find(key);
    if (!v || v->is_null() || v->is_object() || v->is_array()) continue;
    p.extra.emplace_back(label, v->is_string() ? v->get<std::string>() : v->dump());
  }
  return p;
}

// ---- libpng glue (C style: no C++ objects with destructors live across setjmp) ----------

namespace {

struct ErrCtx {
  char msg[256] = {0};
};

void onError(png_structp png, png_const_charp msg) {
  auto* e = static_cast<ErrCtx*>(png_get_error_ptr(png));
  if (e) std::snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : "unknown libpng error");
  png_longjmp(png, 1);
}
void onWarning(png_structp, png_const_charp) {}

void writeToVector(png_structp png, png_bytep data, png_size_t n) {
  auto* v = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  v->insert(v->end(), data, data + n);
}
void flushNothing(png_structp) {}

bool encodeRaw(const RGBImage* img, png_text* texts, int ntexts, int level, std::vector<uint8_t>* out, ErrCtx* err) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, err, onError, onWarning);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, writeToVector, flushNothing);
  png_set_compression_level(png, level);
  png_set_IHDR(png, info, static_cast<png_uint_32>(img->width), static_cast<png_uint_32>(img->height), 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (ntexts > 0) png_set_text(png, info, texts, ntexts);
  png_write_info(png, info);
  for (int y = 0; y < img->height; ++y)
    png_write_row(png, const_cast<png_bytep>(img->rgb.data() + static_cast<size_t>(y) * img->width * 3));
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

struct MemReader {
  const uint8_t* data;
  size_t size;
  size_t pos;
};

void readFromMemory(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<MemReader*>(png_get_io_ptr(png));
  if (r->pos + n > r->size) png_error(png, "unexpected end of file (the PNG is truncated)");
  std::memcpy(out, r->data + r->pos, n);
  r->pos += n;
}

struct Decoder {
  png_structp png = nullptr;
  png_infop info = nullptr;
  png_infop end = nullptr;
  ErrCtx err;
  MemReader rd{nullptr, 0, 0};
  ~Decoder() {
    if (png) png_destroy_read_struct(&png, info ? &info : nullptr, end ? &end : nullptr);
  }
};

bool readHeader(Decoder* d, png_uint_32* w, png_uint_32* h) {
  if (setjmp(png_jmpbuf(d->png))) return false;
  png_set_read_fn(d->png, &d->rd, readFromMemory);
  png_set_user_limits(d->png, 1 << 16, 1 << 16);
  png_read_info(d->png, d->info);
  int bitDepth = 0, colorType = 0, interlace = 0;
  png_get_IHDR(d->png, d->info, w, h, &bitDepth, &colorType, &interlace, nullptr, nullptr);
  if (colorType == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(d->png);
  if (colorType == PNG_COLOR_TYPE_GRAY && bitDepth < 8) png_set_expand_gray_1_2_4_to_8(d->png);
  if (bitDepth == 16) png_set_strip_16(d->png);
  if (colorType == PNG_COLOR_TYPE_GRAY || colorType == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(d->png);
  if (colorType & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(d->png);
  png_set_interlace_handling(d->png);
  png_read_update_info(d->png, d->info);
  if (png_get_rowbytes(d->png, d->info) != static_cast<size_t>(*w) * 3)
    png_error(d->png, "unsupported pixel layout after conversion to RGB8");
  return true;
}

bool readBody(Decoder* d, png_bytep* rows) {
  if (setjmp(png_jmpbuf(d->png))) return false;
  png_read_image(d->png, rows);
  png_read_end(d->png, d->end);
  return true;
}

void collectText(png_structp png, png_infop info, std::vector<PngTextChunk>& out) {
  png_textp t = nullptr;
  int n = 0;
  png_get_text(png, info, &t, &n);
  for (int i = 0; i < n; ++i) {
    PngTextChunk c;
    c.keyword = t[i].key ? t[i].key : "";
    const bool itxt = t[i].compression == PNG_ITXT_COMPRESSION_NONE || t[i].compression == PNG_ITXT_COMPRESSION_zTXt;
    c.kind = itxt ? PngTextChunk::Kind::iTXt
                  : t[i].compression == PNG_TEXT_COMPRESSION_zTXt ? PngTextChunk::Kind::zTXt : PngTextChunk::Kind::tEXt;
    const size_t len = itxt ? t[i].itxt_length : t[i].text_length;
    std::string raw(t[i].text ? t[i].text : "", t[i].text ? len : 0);
    if (itxt) {
      c.text = std::move(raw);
    } else {
      // tEXt is Latin-1 by the standard, but some tools store UTF-8 there: accept valid
      // multi-byte UTF-8 as UTF-8, convert anything else from Latin-1.
      bool multi = false;
      c.text = validUtf8(raw, multi) && multi ? raw : latin1ToUtf8(raw);
    }
    out.push_back(std::move(c));
  }
}

}  // namespace

std::vector<uint8_t> encodePng(const RGBImage& image, const PngWriteOptions& options) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgb.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3)
    throw PngError(log::format("PNG encode: bad RGB8 image {}x{} with {} bytes (expected width*height*3)", image.width,
                               image.height, image.rgb.size()));
  // Build the chunk list; strings must outlive encodeRaw.
  struct Chunk {
    std::string key, text;
    bool itxt;
  };
  std::vector<Chunk> chunks;
  auto add = [&](const std::string& key, const std::string& utf8, bool forceItxt) {
    if (key.empty() || key.size() > 79) throw PngError("PNG text keyword must be 1..79 characters: '" + key + "'");
    if (utf8.find('\0') != std::string::npos) throw PngError("PNG text '" + key + "' contains a NUL byte");
    std::string latin1;
    if (!forceItxt && utf8ToLatin1(utf8, latin1)) chunks.push_back({key, latin1, false});
    else chunks.push_back({key, utf8, true});
  };
  if (options.parameters) add("parameters", formatA1111(*options.parameters), false);
  if (!options.newbieRecordJson.empty()) add("newbie", options.newbieRecordJson, true);
  for (const auto& c : options.extraText) add(c.keyword, c.text, c.kind == PngTextChunk::Kind::iTXt);
  std::vector<png_text> texts(chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    std::memset(&texts[i], 0, sizeof(png_text));
    texts[i].key = const_cast<char*>(chunks[i].key.c_str());
    texts[i].text = const_cast<char*>(chunks[i].text.c_str());
    if (chunks[i].itxt) {
      texts[i].compression = chunks[i].text.size() > 4096 ? PNG_ITXT_COMPRESSION_zTXt : PNG_ITXT_COMPRESSION_NONE;
      texts[i].itxt_length = chunks[i].text.size();
      texts[i].lang = const_cast<char*>("");
      texts[i].lang_key = const_cast<char*>("");
    } else {
      texts[i].compression = PNG_TEXT_COMPRESSION_NONE;
      texts[i].text_length = chunks[i].text.size();
    }
  }
  std::vector<uint8_t> out;
  out.reserve(image.rgb.size() / 2 + 4096);
  ErrCtx err;
  if (!encodeRaw(&image, texts.data(), static_cast<int>(texts.size()), std::clamp(options.compressionLevel, 0, 9), &out,
                 &err))
    throw PngError(std::string("PNG encode failed: ") + err.msg);
  return out;
}

void writePng(const fs::path& path, const RGBImage& image, const PngWriteOptions& options) {
  std::vector<uint8_t> bytes;
  try {
    bytes = encodePng(image, options);
  } catch (const PngError& e) {
    throw PngError(path.string() + ": " + e.what());
  }
  static std::atomic<unsigned> counter{0};
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const fs::path tmp =
      dir / log::format(".{}.tmp-{}-{}", path.filename().string(), static_cast<long>(::getpid()), counter.fetch_add(1));
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw PngError(path.string() + ": cannot create temporary file " + tmp.string() + ": " + std::strerror(errno));
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() && std::fflush(f) == 0 &&
                  ::fsync(::fileno(f)) == 0;
  const int savedErrno = errno;
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw PngError(path.string() + ": write failed: " + std::strerror(savedErrno));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ec2;
    fs::remove(tmp, ec2);
    throw PngError(path.string() + ": cannot move the finished file into place: " + ec.message());
  }
  log::debug("wrote {} ({}x{}, {} bytes)", path.string(), image.width, image.height, bytes.size());
}

void writePngWithRecord(const fs::path& path, const RGBImage& image, const std::string& recordJson) {
  PngWriteOptions o;
  try {
    o.parameters = a1111FromRecord(recordJson);
  } catch (const PngError& e) {
    throw PngError(path.string() + ": " + e.what());
  }
  o.newbieRecordJson = recordJson;
  writePng(path, image, o);
}

PngReadResult decodePng(const uint8_t* data, std::size_t size, const std::string& label, bool withPixels) {
  if (size < 8 || png_sig_cmp(const_cast<png_bytep>(data), 0, 8) != 0)
    throw PngError(label + ": not a PNG file (bad or missing PNG signature)");
  Decoder d;
  d.rd = MemReader{data, size, 0};
  d.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d.err, onError, onWarning);
  if (!d.png) throw PngError(label + ": libpng could not be initialised");
  d.info = png_create_info_struct(d.png);
  d.end = png_create_info_struct(d.png);
  if (!d.info || !d.end) throw PngError(label + ": libpng could not be initialised");
  png_uint_32 w = 0, h = 0;
  if (!readHeader(&d, &w, &h)) throw PngError(label + ": corrupt or truncated PNG: " + d.err.msg);
  PngReadResult r;
  r.image.width = static_cast<int>(w);
  r.image.height = static_cast<int>(h);
  r.image.rgb.resize(static_cast<size_t>(w) * h * 3);
  std::vector<png_bytep> rows(h);
  for (png_uint_32 y = 0; y < h; ++y) rows[y] = r.image.rgb.data() + static_cast<size_t>(y) * w * 3;
  if (!readBody(&d, rows.data())) throw PngError(label + ": corrupt or truncated PNG: " + d.err.msg);
  collectText(d.png, d.info, r.texts);
  collectText(d.png, d.end, r.texts);
  if (!withPixels) r.image = RGBImage{static_cast<int>(w), static_cast<int>(h), {}};
  for (const auto& t : r.texts) {
    if (t.keyword == "newbie" && !r.newbieRecordJson) r.newbieRecordJson = t.text;
    if (t.keyword == "parameters" && !r.parameters) r.parameters = parseA1111(t.text);
  }
  return r;
}

PngReadResult readPng(const fs::path& path, bool withPixels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PngError(path.string() + ": cannot open file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return decodePng(bytes.data(), bytes.size(), path.string(), withPixels);
}

}  // namespace newbie
