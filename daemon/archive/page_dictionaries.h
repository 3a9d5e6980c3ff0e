#pragma once
// Which zstd dictionary each host's raw pages are packed with (compress.h), and the first
// pages of hosts that have none yet, kept to learn one from. Pages of one site share their
// template, which a dictionary learnt from a few of them holds, so the next pages pack to
// a fraction of their size alone.
//
// Thread-safe: the extraction workers look dictionaries up and keep samples, and the archive
// thread adds a dictionary once it is stored (a host's newest wins). Dictionaries are shared
// read-only (PageDictionary).
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/archive/compress.h"

namespace winnow::archive {

class Archive;

class PageDictionaries {
 public:
  struct Limits {
    // Pages of a host to learn from: 16 pages of the dev set's mean 170 KB are 2.7 MB, some
    // 25 times the dictionary (zstd's advice is at least 10 times).
    std::size_t pages_to_train = 16;
    std::size_t dictionary_bytes = 112'640;  // zstd's own default (110 KiB)
    // Kept samples of every host together, so that many new hosts cannot take the memory:
    // a host finding no room is not sampled (and packs without a dictionary).
    std::size_t max_kept_bytes = 64u << 20;
    // Hosts with a dictionary: each costs some 270 KB once used (its 110 KiB and zstd's
    // CDict of 160 KB, pack_bench), so 128 take 35 MB at most. Hosts past it are not
    // sampled: they pack without. Which hosts deserve one most (by pages a day) is for later.
    std::size_t max_dictionaries = 128;
    // Whether ingest learns dictionaries from samples at all: not when the compactor
    // (compactor.h) learns them from stored pages, which keeps no page in memory.
    bool learn_from_samples = true;
    // Dictionaries held (add), the least recently used let go past it; a host let go packs
    // alone until its dictionary is added again (the compactor does, when it next works on
    // the host) and is not sampled again.
    // 128: each costs some 270 KB once used (its 110 KiB and a level-1 CDict), 35 MB in all.
    std::size_t max_held = 128;
  };

  explicit PageDictionaries(Limits limits);
  PageDictionaries() : PageDictionaries(Limits{}) {}

  // The newest dictionary of `host` held, or nullptr.
  std::shared_ptr<const PageDictionary> find(std::string_view host) const;
  // Makes `dictionary` the one of `host` when it is newer (a higher id) than the one it has.
  void add(const std::string& host, std::shared_ptr<const PageDictionary> dictionary);
  // Every dictionary `archive` holds (Archive::page_dictionaries); the thread of `archive`.
  void load(Archive& archive);

  // Keeps a copy of `page` as a sample of `host` while the host has no dictionary and is not
  // learning one, if there is room. When the host has `pages_to_train` samples, returns them
  // and drops them: the caller learns the dictionary (train_page_dictionary) and stores it;
  // the host is sampled no more. Otherwise returns nothing.
  std::vector<std::string> keep_sample(std::string_view host, std::string_view page);

  const Limits& limits() const { return limits_; }

 private:
  struct Host {
    std::shared_ptr<const PageDictionary> dictionary;
    std::vector<std::string> samples;
    bool learning = false;  // the samples were handed out: no more are kept
    bool let_go = false;    // had a dictionary, let go past max_held: not sampled again
    std::list<std::string>::iterator held;  // in held_, while `dictionary` is set
  };

  const Limits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Host> hosts_;
  std::size_t kept_bytes_ = 0;
  std::size_t dictionaries_ = 0;  // hosts with one, or learning one
  mutable std::list<std::string> held_;  // hosts holding a dictionary, most recently used first
};

}  // namespace winnow::archive
