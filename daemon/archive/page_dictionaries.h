#pragma once
// Which zstd dictionary each host's raw pages are packed with (compress.h), and the first
// pages of hosts that have none yet, kept to make one from. Pages of one site share their
// template, which a dictionary made of a few of them holds, so the next pages pack to a
// fraction of their size alone.
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
    // Pages of a host a dictionary is made from (make_page_dictionary: the newest ones' own
    // bytes). One other page of the site already packs a page 3 times smaller
    // (bench/site_pack_bench, Zyte's two-page sites); 4, so that one odd page (an error page,
    // another section's layout) is not all a host's dictionary holds.
    std::size_t pages_to_train = 4;
    // 512 KiB: a Zyte dev-set page is 187 KB on average (median 115, one in ten over 289), so
    // 110 KiB held part of one page. Zyte's pages against their article, level 9 (bench/
    // site_pack_bench): 16.5 KB with 110 KiB, 10.1 with 256, 7.0 with 512, 4.4 with 1 MiB;
    // L3S-GN1's (2008, 44 KB a page): 2.4, 2.2, 2.0, 2.0. Memory: see max_held_bytes.
    std::size_t dictionary_bytes = 524'288;
    // Kept samples of every host together, so that many new hosts cannot take the memory:
    // a host finding no room is not sampled (and packs without a dictionary).
    std::size_t max_kept_bytes = 64u << 20;
    // Hosts sampled for a dictionary, or with one, while ingest makes them (learn_from_samples).
    // Hosts past it are not sampled: they pack without. Which hosts deserve one most (by
    // pages a day) is for later.
    std::size_t max_dictionaries = 128;
    // Whether ingest learns dictionaries from samples at all: not when the compactor
    // (compactor.h) learns them from stored pages, which keeps no page in memory.
    bool learn_from_samples = true;
    // Dictionaries held (add), the least recently used let go past it; a host let go packs
    // alone until its dictionary is added again (the compactor does, when it next works on
    // the host) and is not sampled again.
    // In dictionary bytes: each costs about twice its size once used (its bytes and zstd's
    // level-1 CDict: 605 KB for 512 KiB), so 24 MiB of them take some 50 MB; 48 hosts whose
    // pages fill 512 KiB, more with smaller pages.
    std::size_t max_held_bytes = 24u << 20;
  };

  explicit PageDictionaries(Limits limits);
  PageDictionaries() : PageDictionaries(Limits{}) {}

  // The newest dictionary of `host` held, or nullptr.
  std::shared_ptr<const PageDictionary> find(std::string_view host) const;
  // Makes `dictionary` the one of `host` when it is newer (a higher id) than the one it has.
  void add(const std::string& host, std::shared_ptr<const PageDictionary> dictionary);
  // The dictionaries `archive` holds, the newest of each host, as many of the most recently
  // stored as max_held_bytes holds (Archive::newest_page_dictionaries); the thread of
  // `archive`.
  void load(Archive& archive);

  // Keeps a copy of `page` as a sample of `host` while the host has no dictionary and is not
  // learning one, if there is room. When the host has `pages_to_train` samples, returns them
  // and drops them: the caller learns the dictionary (make_page_dictionary) and stores it;
  // the host is sampled no more. Otherwise returns nothing.
  std::vector<std::string> keep_sample(std::string_view host, std::string_view page);

  const Limits& limits() const { return limits_; }

 private:
  struct Host {
    std::shared_ptr<const PageDictionary> dictionary;
    std::vector<std::string> samples;
    bool learning = false;  // the samples were handed out: no more are kept
    bool let_go = false;    // had a dictionary, let go past max_held_bytes: not sampled again
    std::list<std::string>::iterator held;  // in held_, while `dictionary` is set
  };

  const Limits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Host> hosts_;
  std::size_t kept_bytes_ = 0;
  std::size_t dictionaries_ = 0;  // hosts with one, or learning one
  mutable std::list<std::string> held_;  // hosts holding a dictionary, most recently used first
  std::size_t held_bytes_ = 0;           // their dictionaries' bytes
};

}  // namespace winnow::archive
