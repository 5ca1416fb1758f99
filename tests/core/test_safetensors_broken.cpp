// Corpus of deliberately broken safetensors files, written by the tests themselves.
// Every case asserts that opening fails with a SafetensorsError whose message names the
// file and the offending tensor / value, and that nothing crashes.
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "golden.h"

using namespace newbie;
namespace fs = std::filesystem;

namespace {

fs::path dir() {
  static const fs::path d = test::tempDir("broken");
  return d;
}

void writeRaw(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return s;
}

/// [len][header][dataBytes zero bytes]
fs::path makeFile(const std::string& name, const std::string& header, std::size_t dataBytes) {
  const fs::path p = dir() / name;
  writeRaw(p, le64(header.size()) + header + std::string(dataBytes, '\0'));
  return p;
}

std::string entry(const std::string& dtype, const std::string& shape, uint64_t b, uint64_t e) {
  return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + std::to_string(b) + "," +
         std::to_string(e) + "]}";
}

/// Opening `p` (as a single file or through TensorStore) must fail and mention every needle.
void expectRejected(const fs::path& p, std::initializer_list<std::string> needles, bool viaStore = false) {
  SCOPED_TRACE(p.string());
  try {
    if (viaStore) io::TensorStore::open(p);
    else io::SafetensorsFile::open(p);
    ADD_FAILURE() << "opening " << p << " should have failed";
  } catch (const io::SafetensorsError& e) {
    const std::string m = e.what();
    for (const auto& n : needles) EXPECT_NE(m.find(n), std::string::npos) << "message lacks '" << n << "': " << m;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

}  // namespace

TEST(SafetensorsBroken, HeaderLengthLargerThanFile) {
  const auto p = dir() / "len_gt_file.safetensors";
  writeRaw(p, le64(1000) + "{}");
  expectRejected(p, {p.string(), "header length 1000", "larger than the file (10 bytes)"});
}

TEST(SafetensorsBroken, HeaderLengthOver100MB) {
  const auto p = dir() / "len_huge.safetensors";
  writeRaw(p, le64(100000001ull) + "{}");
  expectRejected(p, {p.string(), "100000001", "100 MB"});
  const auto q = dir() / "len_max.safetensors";
  writeRaw(q, le64(~0ull) + "{}");
  expectRejected(q, {q.string(), "18446744073709551615", "100 MB"});
}

TEST(SafetensorsBroken, InvalidJson) {
  expectRejected(makeFile("bad_json.safetensors", "{\"a\": {\"dtype\": ", 0),
                 {"bad_json.safetensors", "not valid JSON"});
  expectRejected(makeFile("bad_utf8.safetensors", "{\"\xff\xfe\":{}}", 0), {"bad_utf8.safetensors", "not valid JSON"});
  expectRejected(makeFile("nul.safetensors", std::string("{\0}", 3), 0), {"nul.safetensors", "not valid JSON"});
}

TEST(SafetensorsBroken, NonObjectHeader) {
  expectRejected(makeFile("array.safetensors", "[1, 2, 3]", 0), {"array.safetensors", "not an object"});
  expectRejected(makeFile("string.safetensors", "\"F32\"    ", 0), {"string.safetensors", "not an object"});
  expectRejected(makeFile("entry_not_obj.safetensors", "{\"w\": 5}", 0),
                 {"entry_not_obj.safetensors", "'w'", "not an object"});
}

TEST(SafetensorsBroken, UnknownDtype) {
  const auto p = makeFile("dtype.safetensors", "{\"weight\":" + entry("F7", "[2]", 0, 2) + "}", 2);
  expectRejected(p, {p.string(), "'weight'", "unknown dtype 'F7'"});
  const auto q = makeFile("dtype_missing.safetensors", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
  expectRejected(q, {q.string(), "'w'", "dtype"});
  const auto r = makeFile("dtype_num.safetensors", "{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
  expectRejected(r, {r.string(), "'w'", "dtype"});
}

TEST(SafetensorsBroken, ShapeTimesDtypeNotEqualByteRange) {
  const auto p = makeFile("size.safetensors", "{\"a.weight\":" + entry("F32", "[2,3]", 0, 20) + "}", 20);
  expectRejected(p, {p.string(), "'a.weight'", "[2,3]", "F32", "needs 24 bytes", "span 20"});
  const auto q = makeFile("neg_shape.safetensors", "{\"n\":" + entry("F32", "[-1,3]", 0, 12) + "}", 12);
  expectRejected(q, {q.string(), "'n'", "-1", "non-negative"});
  const auto r = makeFile("float_shape.safetensors", "{\"f\":" + entry("F32", "[1.5]", 0, 4) + "}", 4);
  expectRejected(r, {r.string(), "'f'", "1.5"});
  const auto s = makeFile("huge_shape.safetensors",
                          "{\"h\":" + entry("U8", "[4294967296,4294967296]", 0, 0) + "}", 0);
  expectRejected(s, {s.string(), "'h'", "4294967296", "64 bits"});
  const auto t = makeFile("no_shape.safetensors", "{\"s\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4);
  expectRejected(t, {t.string(), "'s'", "shape"});
}

TEST(SafetensorsBroken, OffsetsOutsideDataSection) {
  const auto p = makeFile("outside.safetensors",
                          "{\"ok\":" + entry("F32", "[1]", 0, 4) + ",\"far\":" + entry("F32", "[2]", 4, 12) + "}", 8);
  expectRejected(p, {p.string(), "'far'", "end 12", "outside the data section (8 bytes)"});
  const auto q = makeFile("offs_bad.safetensors", "{\"o\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4);
  expectRejected(q, {q.string(), "'o'", "data_offsets"});
  const auto r = makeFile("offs_neg.safetensors", "{\"o\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4);
  expectRejected(r, {r.string(), "'o'", "data_offsets"});
}

TEST(SafetensorsBroken, OverlappingRanges) {
  const auto p = makeFile("overlap.safetensors",
                          "{\"first\":" + entry("F32", "[2]", 0, 8) + ",\"second\":" + entry("F32", "[2]", 4, 12) + "}", 12);
  expectRejected(p, {p.string(), "'second'", "[4, 12)", "overlaps tensor 'first'", "[0, 8)"});
  // Same range twice.
  const auto q = makeFile("alias.safetensors",
                          "{\"x\":" + entry("F32", "[2]", 0, 8) + ",\"y\":" + entry("F32", "[2]", 0, 8) + "}", 8);
  expectRejected(q, {q.string(), "overlaps tensor"});
}

TEST(SafetensorsBroken, ReversedOffsets) {
  const auto p = makeFile("reversed.safetensors", "{\"r\":" + entry("F32", "[1]", 8, 4) + "}", 8);
  expectRejected(p, {p.string(), "'r'", "[8, 4]", "reversed"});
}

TEST(SafetensorsBroken, DuplicateNames) {
  const auto p = makeFile("dup.safetensors",
                          "{\"w\":" + entry("F32", "[1]", 0, 4) + ",\"w\":" + entry("F32", "[1]", 4, 8) + "}", 8);
  expectRejected(p, {p.string(), "'w'", "more than once"});
}

TEST(SafetensorsBroken, NonStringMetadata) {
  const auto p = makeFile("meta.safetensors", "{\"__metadata__\":{\"format\":\"pt\",\"steps\":5}}", 0);
  expectRejected(p, {p.string(), "'steps'", "not a string"});
  const auto q = makeFile("meta_arr.safetensors", "{\"__metadata__\":[\"pt\"]}", 0);
  expectRejected(q, {q.string(), "__metadata__", "not an object"});
}

TEST(SafetensorsBroken, TruncatedFile) {
  // A real golden file cut inside its data section and inside its header.
  const auto src = test::goldenDir() / "dtypes/all_dtypes.safetensors";
  std::ifstream in(src, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 2200u);
  const auto p = dir() / "truncated_data.safetensors";
  writeRaw(p, bytes.substr(0, bytes.size() - 3));
  expectRejected(p, {p.string(), "tensor '", "outside the data section", "truncated"});
  const auto q = dir() / "truncated_header.safetensors";
  writeRaw(q, bytes.substr(0, 100));
  expectRejected(q, {q.string(), "larger than the file (100 bytes)"});
  const auto r = dir() / "truncated_len.safetensors";
  writeRaw(r, bytes.substr(0, 5));
  expectRejected(r, {r.string(), "5 bytes", "too short"});
}

TEST(SafetensorsBroken, EmptyFile) {
  const auto p = dir() / "empty.safetensors";
  writeRaw(p, "");
  expectRejected(p, {p.string(), "0 bytes", "too short"});
}

TEST(SafetensorsBroken, MissingFileAndDirectory) {
  expectRejected(dir() / "does_not_exist.safetensors", {"does_not_exist.safetensors", "cannot open"});
  const auto d = dir() / "a_folder.safetensors";
  fs::create_directories(d);
  expectRejected(d, {d.string(), "not a regular file"});
}

TEST(SafetensorsBroken, PickleCheckpointsAreRefused) {
  for (const char* ext : {".ckpt", ".pt", ".pth", ".bin", ".CKPT", ".Bin"}) {
    // The file even holds a valid safetensors image: the extension alone decides, nothing is read.
    const auto p = dir() / (std::string("model") + ext);
    writeRaw(p, le64(8) + "{}      ");
    expectRejected(p, {p.string(), "pickle", "safetensors"});
    expectRejected(p, {p.string(), "pickle", "safetensors"}, /*viaStore=*/true);
  }
  // A pickle index (pytorch_model.bin.index.json) leads to pickle shards: refused as well.
  const auto idx = dir() / "pytorch_model.bin.index.json";
  writeRaw(dir() / "pytorch_model-00001-of-00001.bin", "junk");
  writeRaw(idx, R"({"weight_map": {"w": "pytorch_model-00001-of-00001.bin"}})");
  expectRejected(idx, {"pytorch_model-00001-of-00001.bin", "pickle", "safetensors"}, true);
}

TEST(SafetensorsBroken, ShardMissingFromIndex) {
  const auto d = test::tempDir("index_missing");
  io::saveSafetensors(d / "model-00001-of-00002.safetensors", {{"a", torch::zeros({2})}});
  writeRaw(d / "model.safetensors.index.json",
           R"({"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})");
  expectRejected(d / "model.safetensors.index.json",
                 {"model.safetensors.index.json", "shard 'model-00002-of-00002.safetensors'", "missing"}, true);
}

TEST(SafetensorsBroken, TensorListedInIndexButNotInShard) {
  const auto d = test::tempDir("index_tensor");
  io::saveSafetensors(d / "model-00001-of-00001.safetensors", {{"a", torch::zeros({2})}});
  writeRaw(d / "model.safetensors.index.json",
           R"({"weight_map": {"a": "model-00001-of-00001.safetensors", "ghost.weight": "model-00001-of-00001.safetensors"}})");
  expectRejected(d / "model.safetensors.index.json",
                 {"model-00001-of-00001.safetensors", "'ghost.weight'", "model.safetensors.index.json", "not present"}, true);
}

TEST(SafetensorsBroken, MalformedIndex) {
  const auto d = test::tempDir("index_bad");
  writeRaw(d / "a.safetensors.index.json", "{ not json");
  expectRejected(d / "a.safetensors.index.json", {"a.safetensors.index.json", "not valid JSON"}, true);
  writeRaw(d / "b.safetensors.index.json", R"({"metadata": {}})");
  expectRejected(d / "b.safetensors.index.json", {"b.safetensors.index.json", "weight_map"}, true);
  writeRaw(d / "c.safetensors.index.json", R"({"weight_map": {"w": 3}})");
  expectRejected(d / "c.safetensors.index.json", {"c.safetensors.index.json", "'w'"}, true);
  writeRaw(d / "d.safetensors.index.json", R"({"weight_map": {"w": "../../../etc/passwd.safetensors"}})");
  expectRejected(d / "d.safetensors.index.json", {"d.safetensors.index.json", "passwd"}, true);
}

TEST(SafetensorsBroken, AcceptsEdgeCasesThatAreValid) {
  // Empty header object, trailing padding spaces, zero-size tensors and a header length that
  // is not a multiple of 8 (misaligned data: returned as an aligned copy with the right values).
  EXPECT_NO_THROW(io::SafetensorsFile::open(makeFile("empty_obj.safetensors", "{}", 0)));
  const auto p = makeFile("zero.safetensors", "{\"z\":" + entry("F32", "[0,5]", 0, 0) + "}   ", 0);
  EXPECT_EQ(io::SafetensorsFile::open(p)->tensor("z").sizes().vec(), (std::vector<int64_t>{0, 5}));
  std::string header = "{\"v\":" + entry("F32", "[2]", 0, 8) + "}";
  if (header.size() % 4 == 0) header += " ";  // force misalignment of the data section
  const auto q = dir() / "misaligned.safetensors";
  float vals[2] = {1.5f, -3.0f};
  std::string data(reinterpret_cast<const char*>(vals), 8);
  writeRaw(q, le64(header.size()) + header + data);
  auto t = io::SafetensorsFile::open(q)->tensor("v");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data_ptr()) % alignof(float), 0u);
  EXPECT_EQ(t[0].item<float>(), 1.5f);
  EXPECT_EQ(t[1].item<float>(), -3.0f);
}
