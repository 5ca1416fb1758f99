#pragma once
// Memory-mapped safetensors reader.
//
// Tensors returned by SafetensorsFile::tensor() are zero-copy CPU views over the mapping;
// each view holds a reference to the mapping, so it stays valid after the file object is
// dropped. The mapping is private copy-on-write: writing into a view never changes the
// file. Data is copied only when the caller moves it to another device or dtype.
// F8 tensors: LibTorch >= 2.1 has float8 dtypes and gets views; older LibTorch gets a
// decoded float32 copy (documented exception to zero-copy). A tensor whose bytes are not
// aligned to its element size (only possible with a header length that is not a multiple of
// 8, which standard writers never produce) is also returned as an aligned copy.
//
// Thread-safety: a SafetensorsFile / TensorStore is immutable after open() and may be read
// from several threads.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "io/safetensors_header.h"

namespace newbie::io {

/// Refuses pickle-based checkpoints (.ckpt .pt .pth .bin) with a message that points to
/// safetensors. Throws SafetensorsError; returns normally for any other extension.
void refusePickle(const std::filesystem::path& p);

class SafetensorsFile {
 public:
  /// Maps and validates the file. Throws SafetensorsError with the path and the problem.
  static std::shared_ptr<const SafetensorsFile> open(const std::filesystem::path& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return header_.tensors; }
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }
  uint64_t fileSize() const { return size_; }
  /// nullptr when absent.
  const TensorInfo* find(const std::string& name) const;
  bool contains(const std::string& name) const { return find(name) != nullptr; }
  /// Zero-copy CPU view (see file comment). Throws SafetensorsError when absent.
  torch::Tensor tensor(const std::string& name) const;
  /// The raw bytes of one tensor inside the mapping.
  const uint8_t* rawData(const TensorInfo& t) const;
  /// Start of the whole mapped file (fileSize() bytes).
  const uint8_t* mappedBytes() const { return base_; }
  /// Length N of the JSON header (the data section starts at 8 + N).
  uint64_t headerLength() const { return header_.headerLength; }

 private:
  SafetensorsFile() = default;
  std::filesystem::path path_;
  SafetensorsHeader header_;
  std::map<std::string, std::size_t> index_;
  std::shared_ptr<void> mapping_;  // owns the mmap; shared with the tensor views
  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

/// torch dtype for a safetensors dtype; F8 maps to the float8 types when LibTorch has them.
/// Returns false when this LibTorch cannot represent it natively.
bool torchDType(DType d, c10::ScalarType& out);

/// A set of tensors spread over one or more safetensors files: a single file, a sharded set
/// described by `*.safetensors.index.json`, or several files given explicitly.
class TensorStore {
 public:
  TensorStore() = default;
  /// `path` is a .safetensors file or a *.safetensors.index.json file. Shards listed in an
  /// index must all exist (the message names the missing one) and hold the listed tensors.
  static TensorStore open(const std::filesystem::path& path);
  /// Several files; a tensor name present in two files is an error.
  static TensorStore openFiles(const std::vector<std::filesystem::path>& files);

  std::vector<std::string> names() const;  ///< sorted
  bool contains(const std::string& name) const { return where_.count(name) != 0; }
  const TensorInfo& info(const std::string& name) const;
  torch::Tensor tensor(const std::string& name) const;
  const SafetensorsFile& fileOf(const std::string& name) const;
  const std::vector<std::shared_ptr<const SafetensorsFile>>& files() const { return files_; }
  std::size_t size() const { return where_.size(); }
  /// Sum of element counts of all tensors (for "parameter count" reports).
  int64_t totalElements() const;

 private:
  void add(std::shared_ptr<const SafetensorsFile> f);
  std::vector<std::shared_ptr<const SafetensorsFile>> files_;
  std::map<std::string, std::size_t> where_;  // name -> index into files_
};

/// Writes tensors to a safetensors file (used by the CLI, the demo model and tests).
/// Tensors may live on any device; each is copied to a contiguous CPU tensor just before it
/// is written (one at a time, so host memory never holds all of them). Names are written in
/// sorted order. The file appears atomically (written as `<path>.tmp`, then renamed).
void saveSafetensors(const std::filesystem::path& path, const std::map<std::string, torch::Tensor>& tensors,
                     const std::map<std::string, std::string>& metadata = {});

/// "[a, b, c]" for messages (io, models and sampling errors all print shapes this way).
std::string shapeString(c10::IntArrayRef shape);

/// Decodes a float8 value (bit pattern) to float. Used where LibTorch lacks float8.
float decodeF8E4M3(uint8_t v);
float decodeF8E5M2(uint8_t v);

}  // namespace newbie::io
