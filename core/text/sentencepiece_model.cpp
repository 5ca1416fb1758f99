#include "text/sentencepiece_model.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace newbie::text {
namespace {

// Protobuf wire-format cursor over a byte range.
class Reader {
 public:
  Reader(const uint8_t* p, size_t n, size_t base, const std::string& origin, const char* msg)
      : p_(p), n_(n), base_(base), origin_(origin), msg_(msg) {}
  bool done() const { return pos_ >= n_; }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= n_) fail("truncated varint");
      const uint8_t b = p_[pos_++];
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint longer than 10 bytes");
    return 0;
  }
  // Returns {field, wiretype}.
  std::pair<uint32_t, uint32_t> tag() {
    const uint64_t t = varint();
    const uint32_t field = static_cast<uint32_t>(t >> 3), wt = static_cast<uint32_t>(t & 7);
    if (field == 0) fail("field number 0");
    if (wt != 0 && wt != 1 && wt != 2 && wt != 5) fail("unsupported wire type " + std::to_string(wt));
    return {field, wt};
  }
  // Length-delimited payload: {pointer, length, absolute offset}.
  const uint8_t* bytes(size_t& len, size_t& absOffset) {
    const uint64_t l = varint();
    if (l > n_ - pos_) fail("length-delimited field of " + std::to_string(l) + " bytes runs past the end");
    len = static_cast<size_t>(l);
    absOffset = base_ + pos_;
    const uint8_t* q = p_ + pos_;
    pos_ += len;
    return q;
  }
  std::string string() {
    size_t len, off;
    const uint8_t* q = bytes(len, off);
    return std::string(reinterpret_cast<const char*>(q), len);
  }
  float fixed32Float() {
    if (n_ - pos_ < 4) fail("truncated fixed32");
    uint32_t u = 0;
    for (int i = 0; i < 4; ++i) u |= static_cast<uint32_t>(p_[pos_ + i]) << (8 * i);
    pos_ += 4;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  void skip(uint32_t wt) {
    size_t len, off;
    switch (wt) {
      case 0: varint(); break;
      case 1:
        if (n_ - pos_ < 8) fail("truncated fixed64");
        pos_ += 8;
        break;
      case 2: bytes(len, off); break;
      case 5:
        if (n_ - pos_ < 4) fail("truncated fixed32");
        pos_ += 4;
        break;
      default: fail("unsupported wire type");
    }
  }
  void expect(uint32_t wt, uint32_t want, const char* field) {
    if (wt != want)
      fail(std::string("field ") + field + " has wire type " + std::to_string(wt) + ", expected " +
           std::to_string(want));
  }
  [[noreturn]] void fail(const std::string& what) const {
    std::ostringstream os;
    os << origin_ << ": not a valid SentencePiece model proto (" << msg_ << ", byte offset " << (base_ + pos_)
       << "): " << what;
    throw TokenizerError(os.str());
  }
  size_t absPos() const { return base_ + pos_; }

 private:
  const uint8_t* p_;
  size_t n_, pos_ = 0, base_;
  const std::string& origin_;
  const char* msg_;
};

int32_t asInt32(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

SpmPiece parsePiece(const uint8_t* p, size_t n, size_t base, const std::string& origin) {
  Reader r(p, n, base, origin, "SentencePiece message");
  SpmPiece sp;
  bool havePiece = false;
  while (!r.done()) {
    auto [f, wt] = r.tag();
    if (f == 1) {
      r.expect(wt, 2, "piece");
      sp.piece = r.string();
      havePiece = true;
    } else if (f == 2) {
      r.expect(wt, 5, "score");
      sp.score = r.fixed32Float();
    } else if (f == 3) {
      r.expect(wt, 0, "type");
      const uint64_t t = r.varint();
      if (t < 1 || t > 6) r.fail("piece type " + std::to_string(t) + " is not 1..6");
      sp.type = static_cast<PieceType>(t);
    } else {
      r.skip(wt);
    }
  }
  if (!havePiece) r.fail("piece without a string");
  return sp;
}

void parseTrainer(const uint8_t* p, size_t n, size_t base, const std::string& origin, SpmTrainerSpec& t) {
  Reader r(p, n, base, origin, "TrainerSpec");
  while (!r.done()) {
    auto [f, wt] = r.tag();
    auto vint = [&](const char* name) {
      r.expect(wt, 0, name);
      return r.varint();
    };
    switch (f) {
      case 3: {
        const uint64_t m = vint("model_type");
        if (m < 1 || m > 4) r.fail("model_type " + std::to_string(m) + " is not 1..4");
        t.modelType = static_cast<SpmModelType>(m);
        break;
      }
      case 4: t.vocabSize = asInt32(vint("vocab_size")); break;
      case 35: t.byteFallback = vint("byte_fallback") != 0; break;
      case 25: t.splitDigits = vint("split_digits") != 0; break;
      case 24: t.treatWhitespaceAsSuffix = vint("treat_whitespace_as_suffix") != 0; break;
      case 40: t.unkId = asInt32(vint("unk_id")); break;
      case 41: t.bosId = asInt32(vint("bos_id")); break;
      case 42: t.eosId = asInt32(vint("eos_id")); break;
      case 43: t.padId = asInt32(vint("pad_id")); break;
      case 45: r.expect(wt, 2, "unk_piece"); t.unkPiece = r.string(); break;
      case 46: r.expect(wt, 2, "bos_piece"); t.bosPiece = r.string(); break;
      case 47: r.expect(wt, 2, "eos_piece"); t.eosPiece = r.string(); break;
      case 48: r.expect(wt, 2, "pad_piece"); t.padPiece = r.string(); break;
      default: r.skip(wt);
    }
  }
}

void parseNormalizer(const uint8_t* p, size_t n, size_t base, const std::string& origin, SpmNormalizerSpec& s) {
  Reader r(p, n, base, origin, "NormalizerSpec");
  while (!r.done()) {
    auto [f, wt] = r.tag();
    switch (f) {
      case 1: r.expect(wt, 2, "name"); s.name = r.string(); break;
      case 2: r.expect(wt, 2, "precompiled_charsmap"); s.precompiledCharsmap = r.string(); break;
      case 3: r.expect(wt, 0, "add_dummy_prefix"); s.addDummyPrefix = r.varint() != 0; break;
      case 4: r.expect(wt, 0, "remove_extra_whitespaces"); s.removeExtraWhitespaces = r.varint() != 0; break;
      case 5: r.expect(wt, 0, "escape_whitespaces"); s.escapeWhitespaces = r.varint() != 0; break;
      default: r.skip(wt);
    }
  }
}

}  // namespace

SentencePieceModel SentencePieceModel::parse(const uint8_t* data, size_t size, const std::string& origin) {
  if (size == 0) throw TokenizerError(origin + ": not a valid SentencePiece model proto: empty input");
  SentencePieceModel m;
  Reader r(data, size, 0, origin, "ModelProto");
  bool haveTrainer = false;
  while (!r.done()) {
    auto [f, wt] = r.tag();
    if (f == 1 || f == 2 || f == 3) {
      r.expect(wt, 2, f == 1 ? "pieces" : f == 2 ? "trainer_spec" : "normalizer_spec");
      size_t len, off;
      const uint8_t* q = r.bytes(len, off);
      if (f == 1) m.pieces.push_back(parsePiece(q, len, off, origin));
      else if (f == 2) { parseTrainer(q, len, off, origin, m.trainer); haveTrainer = true; }
      else parseNormalizer(q, len, off, origin, m.normalizer);
    } else {
      r.skip(wt);
    }
  }
  if (m.pieces.empty())
    throw TokenizerError(origin + ": not a valid SentencePiece model proto: it contains no pieces");
  if (!haveTrainer)
    throw TokenizerError(origin + ": not a valid SentencePiece model proto: it has no trainer_spec");
  const int n = static_cast<int>(m.pieces.size());
  auto checkId = [&](int32_t id, const char* what, bool optional) {
    if (optional && id < 0) return;
    if (id < 0 || id >= n)
      throw TokenizerError(origin + ": SentencePiece " + what + " = " + std::to_string(id) + " is outside 0.." +
                           std::to_string(n - 1));
  };
  checkId(m.trainer.unkId, "unk_id", false);
  checkId(m.trainer.bosId, "bos_id", true);
  checkId(m.trainer.eosId, "eos_id", true);
  checkId(m.trainer.padId, "pad_id", true);
  if (m.pieces[m.trainer.unkId].type != PieceType::Unknown)
    throw TokenizerError(origin + ": SentencePiece unk_id " + std::to_string(m.trainer.unkId) + " (piece '" +
                         m.pieces[m.trainer.unkId].piece + "') is not of type UNKNOWN");
  return m;
}

SentencePieceModel SentencePieceModel::loadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError("cannot open SentencePiece model file " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(bytes, path);
}

}  // namespace newbie::text
