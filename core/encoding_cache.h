#pragma once
// LRU cache of text-encoder outputs, keyed by the exact encoder inputs (token ids of both
// encoders) + model identity + precision + device. Re-generating with another seed, step
// count, CFG or size therefore skips both encoders.
//
// Thread-safety: all methods lock an internal mutex; cached tensors are never modified.

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <torch/torch.h>

namespace newbie {

struct EncodedText {
  torch::Tensor capFeats;  ///< [1, L, C] Gemma penultimate hidden states (valid tokens only)
  torch::Tensor pooled;    ///< [1, P] Jina pooled embedding
};

class EncodingCache {
 public:
  explicit EncodingCache(std::size_t capacity = 32) : capacity_(capacity) {}

  /// Key from everything the encoders see plus what changes their numbers.
  static std::string makeKey(const std::vector<int64_t>& gemmaIds, const std::vector<int64_t>& jinaIds,
                             const std::string& modelIdentity, const std::string& precision, const std::string& device);

  std::optional<EncodedText> get(const std::string& key);
  void put(const std::string& key, EncodedText value);
  void clear();
  std::size_t size() const;
  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }
  void setCapacity(std::size_t c);

 private:
  void evictLocked();
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::list<std::pair<std::string, EncodedText>> order_;  // front = most recent
  std::unordered_map<std::string, std::list<std::pair<std::string, EncodedText>>::iterator> map_;
  std::size_t hits_ = 0, misses_ = 0;
};

}  // namespace newbie
