#include "encoding_cache.h"

namespace newbie {

std::string EncodingCache::makeKey(const std::vector<int64_t>& gemmaIds, const std::vector<int64_t>& jinaIds,
                                   const std::string& modelIdentity, const std::string& precision,
                                   const std::string& device) {
  std::string k;
  k.reserve(16 * (gemmaIds.size() + jinaIds.size()) + 64);
  k += modelIdentity;
  k += '|';
  k += precision;
  k += '|';
  k += device;
  k += "|g";
  for (auto id : gemmaIds) {
    k += std::to_string(id);
    k += ',';
  }
  k += "|j";
  for (auto id : jinaIds) {
    k += std::to_string(id);
    k += ',';
  }
  return k;
}

std::optional<EncodedText> EncodingCache::get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) {
    ++misses_;
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, it->second);
  ++hits_;
  return it->second->second;
}

void EncodingCache::put(const std::string& key, EncodedText value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (capacity_ == 0) return;
  auto it = map_.find(key);
  if (it != map_.end()) {
    it->second->second = std::move(value);
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(key, std::move(value));
  map_[key] = order_.begin();
  evictLocked();
}

void EncodingCache::evictLocked() {
  while (order_.size() > capacity_) {
    map_.erase(order_.back().first);
    order_.pop_back();
  }
}

void EncodingCache::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  order_.clear();
  map_.clear();
}

std::size_t EncodingCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return order_.size();
}

void EncodingCache::setCapacity(std::size_t c) {
  std::lock_guard<std::mutex> lock(mu_);
  capacity_ = c;
  evictLocked();
}

}  // namespace newbie
