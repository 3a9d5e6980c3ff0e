#include "daemon/archive/compactor.h"

#include <sched.h>
#include <time.h>

#include <algorithm>
#include <ctime>
#include <future>
#include <stdexcept>
#include <utility>
#include <vector>

#include "daemon/archive/archive_worker.h"
#include "daemon/archive/article_codec.h"
#include "daemon/archive/page_dictionaries.h"
#include "daemon/log.h"

namespace winnow::archive {
namespace {

// This thread's CPU time: what compaction costs, whatever else the machine runs.
double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

void add(Compactor::Stats& to, const Compactor::Stats& from) {
  to.pages_repacked += from.pages_repacked;
  to.bytes_before += from.bytes_before;
  to.bytes_after += from.bytes_after;
  to.pages_undecodable += from.pages_undecodable;
  to.pages_changed_meanwhile += from.pages_changed_meanwhile;
  to.dictionaries_learnt += from.dictionaries_learnt;
  to.dictionaries_refit += from.dictionaries_refit;
  to.hosts_locked_elsewhere += from.hosts_locked_elsewhere;
  to.hosts_failed += from.hosts_failed;
  to.cpu_s += from.cpu_s;
}

// The archive's dictionaries are cached by id; more than this and the cache starts over.
// Each is some 110 KiB, plus zstd's DDict (about as much) and, once packed with, a CDict at
// the compaction level (1.2 MB at level 9: ZSTD_estimateCDictSize), so 8 take 12 MB at most.
// A host's pages name its newest dictionary and a few older ones: 8 is plenty.
constexpr std::size_t kMaxCachedDictionaries = 8;

}  // namespace

Compactor::Compactor(std::string location, ArchiveWorker& writer, std::shared_ptr<PageDictionaries> dictionaries,
                     Options options)
    : location_(std::move(location)), writer_(writer), dictionaries_(std::move(dictionaries)), options_(options) {}

Compactor::~Compactor() { stop(); }

void Compactor::start() {
  thread_ = std::thread([this] { run(); });
}

void Compactor::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

void Compactor::stop() {
  request_stop();
  if (thread_.joinable()) thread_.join();
}

void Compactor::count(Stats& pass, const Stats& delta) {
  add(pass, delta);
  std::lock_guard lock(mutex_);
  add(totals_, delta);
}

Compactor::Stats Compactor::stats() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

void Compactor::run() {
  if (options_.idle_priority) {
    // Linux applies it to the calling thread only. SCHED_IDLE: the thread runs only when a
    // core has nothing else to run, so ingest's workers and the loop never wait for it.
    sched_param param{};
    if (sched_setscheduler(0, SCHED_IDLE, &param) != 0)
      log::warning("compactor cannot take idle priority; runs at normal priority", {});
  }
  log::info("compactor started", {{"level", options_.level}});
  while (!stopping()) {
    Stats pass;
    try {
      pass = run_pass();
    } catch (const std::exception& e) {
      log::warning("compaction pass failed", {{"error", e.what()}});
      reader_.reset();  // opened again next time
    }
    if (pass.pages_repacked > 0 || pass.dictionaries_learnt > 0)
      log::info("compaction pass", {{"pages", pass.pages_repacked},
                                    {"bytes_before", pass.bytes_before},
                                    {"bytes_after", pass.bytes_after},
                                    {"dictionaries_learnt", pass.dictionaries_learnt},
                                    {"cpu_s", pass.cpu_s}});
    // A pass that did something may have left more: go on at once, else wait.
    const bool more = pass.pages_repacked > 0 || pass.dictionaries_learnt > 0;
    std::unique_lock lock(mutex_);
    if (!more) wake_.wait_for(lock, options_.idle_wait, [this] { return stopping(); });
  }
}

Compactor::Stats Compactor::run_pass() {
  const double cpu_start = thread_cpu_s();
  Stats pass;
  if (!reader_) reader_ = Archive::open_read_only(location_);
  // Rows stored before the schema had hosts get them first, a batch a write.
  while (!stopping()) {
    std::int64_t filled = 0;
    if (!write([&filled](Archive& a) { filled = a.fill_raw_page_hosts(1000); }, "filling raw page hosts") ||
        filled == 0)
      break;
  }
  // Dictionaries stored before they were stored packed, a few a write: once, as this
  // winnow stores every new one packed (and the query reads each dictionary's bytes).
  while (!dictionaries_packed_ && !stopping()) {
    std::int64_t packed = 0;
    if (!write([&packed](Archive& a) { packed = a.pack_stored_page_dictionaries(8); }, "packing stored dictionaries"))
      break;
    if (packed == 0) dictionaries_packed_ = true;
    else log::info("page dictionaries stored before now stored packed", {{"dictionaries", packed}});
  }
  // Checks and tries older than their wait say nothing any more: the maps hold only hosts
  // worked on lately.
  const auto pass_start = std::chrono::steady_clock::now();
  std::erase_if(fit_checked_, [&](const auto& e) { return pass_start - e.second >= options_.refit_every; });
  std::erase_if(refit_tried_, [&](const auto& e) { return pass_start - e.second >= options_.refit_wait; });
  int failed_in_a_row = 0;
  for (const auto& host : reader_->raw_page_hosts_to_compact(options_.hosts_per_pass)) {
    if (stopping()) break;
    const auto now = std::chrono::steady_clock::now();
    if (auto failed = failed_until_.find(host); failed != failed_until_.end()) {
      if (now < failed->second) continue;
      failed_until_.erase(failed);
    }
    if (!reader_->try_lock_compaction(host)) {
      count(pass, {.hosts_locked_elsewhere = 1});
      continue;
    }
    try {
      compact_host(host, pass);
    } catch (const std::exception& e) {
      reader_->unlock_compaction(host);  // throws on when the archive itself fails
      // Two hosts failing one after the other is more likely the archive than the hosts:
      // the pass ends, and the next opens the archive again.
      if (++failed_in_a_row >= 2) throw;
      log::warning("compacting a host's raw pages failed; they stay as they are for a while",
                   {{"host", host}, {"error", e.what()}, {"retry_s", options_.failed_host_wait.count()}});
      failed_until_[host] = now + options_.failed_host_wait;
      count(pass, {.hosts_failed = 1});
      continue;
    }
    failed_in_a_row = 0;
    reader_->unlock_compaction(host);
  }
  Stats cpu;
  cpu.cpu_s = thread_cpu_s() - cpu_start;
  count(pass, cpu);
  return pass;
}

std::shared_ptr<const PageDictionary> Compactor::dictionary(std::int64_t id) {
  if (auto it = dictionary_cache_.find(id); it != dictionary_cache_.end()) return it->second;
  auto row = reader_->page_dictionary_by_id(id);
  if (!row) return nullptr;
  if (dictionary_cache_.size() >= kMaxCachedDictionaries) dictionary_cache_.clear();
  auto made = std::make_shared<const PageDictionary>(row->id, std::move(row->bytes));
  dictionary_cache_.emplace(id, made);
  return made;
}

std::string Compactor::unpack(const StoredRawPage& page) {
  const auto d = page.dictionary_id ? dictionary(*page.dictionary_id) : nullptr;
  if (page.dictionary_id && !d) throw std::runtime_error("no page dictionary " + std::to_string(*page.dictionary_id));
  const std::string article =
      page.codec == PageCodec::zstd_article ? article_body_plain(page.article_body, page.article_text) : std::string();
  return unpack_page(page.codec, page.bytes, page.plain_bytes, d.get(), article);
}

void Compactor::yield_to_writer() {
  const auto until = std::chrono::steady_clock::now() + options_.max_yield;
  std::unique_lock lock(mutex_);
  while (!stopping() && writer_.pending() > 0 && std::chrono::steady_clock::now() < until)
    wake_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stopping(); });
}

bool Compactor::write(const std::function<void(Archive&)>& job, const char* what) {
  std::promise<std::exception_ptr> done;
  auto result = done.get_future();
  writer_.post(job, [&done](std::exception_ptr error) { done.set_value(error); });
  if (const auto error = result.get()) {
    log::warning("compaction write failed", {{"what", what}, {"error", log::describe(error)}});
    return false;
  }
  return true;
}

void Compactor::compact_host(const std::string& host, Stats& pass) {
  // 1. The host's dictionary, learnt now from its stored pages when it has none.
  std::shared_ptr<const PageDictionary> newest;
  std::optional<PageDictionaryRow> stored = reader_->newest_page_dictionary(host);
  if (stored) {
    newest = dictionary(stored->id);
  } else {
    auto samples = reader_->newest_raw_pages(host, options_.pages_to_train);
    auto tried = unlearnable_.find(host);
    const bool worth_trying = samples.size() >= options_.pages_to_train &&
                              (tried == unlearnable_.end() || samples.back().article_id > tried->second);
    if (worth_trying) {
      std::vector<std::string> plain;
      for (const auto& s : samples) {
        try {
          plain.push_back(unpack(s));
        } catch (const std::exception&) {
          // Undecodable: not a sample; step 3 marks and reports it.
        }
      }
      std::reverse(plain.begin(), plain.end());  // oldest first: the newest end the dictionary
      std::string bytes = plain.size() >= options_.pages_to_train
                              ? make_page_dictionary(plain, options_.dictionary_bytes)
                              : std::string();
      if (bytes.empty()) {
        unlearnable_[host] = samples.front().article_id;
        log::info("no page dictionary learnt for host", {{"host", host}, {"pages", plain.size()}});
      } else {
        std::int64_t id = 0;
        if (write([&](Archive& a) { id = a.add_page_dictionary(host, bytes); }, "storing a page dictionary") &&
            id > 0) {
          unlearnable_.erase(host);
          newest = std::make_shared<const PageDictionary>(id, std::move(bytes));
          dictionary_cache_.emplace(id, newest);
          count(pass, {.dictionaries_learnt = 1});
          log::info("page dictionary learnt from stored pages",
                    {{"host", host}, {"id", id}, {"bytes", newest->bytes().size()}});
        }
      }
    }
  }
  if (stopping()) return;

  // 2. Ingest packs the host's next pages with its dictionary: a copy of its own, so that
  // ingest's holds only the level-1 CDict it makes, not the compaction level's.
  if (newest && dictionaries_) {
    const auto held = dictionaries_->find(host);
    if (!held || held->id() < newest->id())
      dictionaries_->add(host, std::make_shared<const PageDictionary>(newest->id(), newest->bytes()));
  }

  // 3. Its pages not done yet, a batch at a time; the first batch also tells whether a
  // stored dictionary still fits them (step 1's refit).
  std::optional<std::int64_t> newest_id = newest ? std::optional(newest->id()) : std::nullopt;
  std::int64_t after = 0;
  bool first_batch = true;
  while (!stopping()) {
    if (options_.max_yield.count() > 0) yield_to_writer();
    auto pages = reader_->raw_pages_to_compact(host, newest_id, options_.level, after, options_.batch_pages);
    if (pages.empty()) break;
    if (first_batch && stored && newest) {
      if (auto refitted = refit(host, *stored, pages, pass)) {
        newest = std::move(refitted);
        newest_id = newest->id();
        if (dictionaries_) dictionaries_->add(host, std::make_shared<const PageDictionary>(newest->id(), newest->bytes()));
      }
      if (stopping()) return;
    }
    first_batch = false;
    after = pages.back().article_id;
    const bool last = pages.size() < options_.batch_pages;
    std::vector<RawPageRepack> batch;
    std::int64_t before_bytes = 0, after_bytes = 0, undecodable = 0;
    for (auto& page : pages) {
      if (stopping()) return;  // the batch is dropped unwritten
      std::string plain, article;
      try {
        plain = unpack(page);
      } catch (const std::exception& e) {
        log::warning("raw page undecodable; left as stored",
                     {{"article_id", page.article_id}, {"host", host}, {"error", e.what()}});
        ++undecodable;
        batch.push_back(RawPageRepack{std::move(page), std::nullopt, options_.level});
        continue;
      }
      try {
        if (!page.article_body.empty()) article = article_body_plain(page.article_body, page.article_text);
      } catch (const std::exception&) {
        // A damaged body (reading the article reports it): the page is packed without it.
      }
      PackedPage repacked = pack_page(plain, newest.get(), options_.level, article);
      // Byte-exact or not at all: the new packing must give the page back as it was.
      if (unpack_page(repacked.codec, repacked.bytes, repacked.plain_bytes, newest.get(), article) != plain) {
        log::error("repacked raw page does not unpack to the page; left as stored",
                   {{"article_id", page.article_id}, {"host", host}});
        continue;
      }
      before_bytes += static_cast<std::int64_t>(page.bytes.size());
      after_bytes += static_cast<std::int64_t>(repacked.bytes.size());
      batch.push_back(RawPageRepack{std::move(page), std::move(repacked), options_.level});
    }
    if (stopping()) return;
    std::int64_t written = 0;
    if (!write([&](Archive& a) { written = a.repack_raw_pages(batch); }, "repacking raw pages")) return;
    const auto expected = static_cast<std::int64_t>(batch.size());
    if (written == expected) {
      count(pass, {.pages_repacked = expected - undecodable,
                   .bytes_before = before_bytes,
                   .bytes_after = after_bytes,
                   .pages_undecodable = undecodable});
    } else {
      // Some pages were replaced meanwhile: which ones is not known here, so the sizes are
      // left out of the totals; the next pass sees the new pages.
      count(pass, {.pages_repacked = written, .pages_changed_meanwhile = expected - written});
    }
    if (last) break;
  }
}

std::shared_ptr<const PageDictionary> Compactor::refit(const std::string& host, const PageDictionaryRow& current,
                                                       const std::vector<StoredRawPage>& batch, Stats& pass) {
  const auto now = std::chrono::steady_clock::now();
  const auto age = std::chrono::seconds(std::time(nullptr) - current.created_at);
  if (age < options_.refit_wait || fit_checked_.contains(host) || refit_tried_.contains(host)) return nullptr;
  fit_checked_[host] = now;
  const auto current_dictionary = dictionary(current.id);
  if (!current_dictionary) return nullptr;

  // Two of the newest pages to do, packed alone and with the dictionary.
  std::vector<std::string> samples;
  std::vector<std::int64_t> sample_ids;
  for (auto it = batch.rbegin(); it != batch.rend() && samples.size() < 2; ++it) {
    try {
      samples.push_back(unpack(*it));
      sample_ids.push_back(it->article_id);
    } catch (const std::exception&) {
      // Undecodable: step 3 marks it.
    }
  }
  if (samples.size() < 2) return nullptr;
  auto packed_size = [&](const PageDictionary* d) {
    std::size_t bytes = 0;
    for (const auto& s : samples) bytes += pack_page(s, d, options_.level).bytes.size();
    return double(bytes);
  };
  const double alone = packed_size(nullptr);
  const double with_current = packed_size(current_dictionary.get());
  // One learnt by zstd's trainer, as winnow did before 2026-12-03, is compared with one made
  // of the pages even while it fits: made ones pack a site's pages about 3 times smaller
  // (compress.h, make_page_dictionary).
  const bool learnt = !is_made_of_pages(current_dictionary->bytes());
  if (!learnt && alone >= options_.refit_gain * with_current) return nullptr;  // it fits

  // Learn from the host's newest pages but the two samples, so that the new dictionary is
  // judged on pages it did not learn from.
  refit_tried_[host] = now;
  std::vector<std::string> plain;
  for (const auto& s : reader_->newest_raw_pages(host, options_.pages_to_train + sample_ids.size())) {
    if (std::find(sample_ids.begin(), sample_ids.end(), s.article_id) != sample_ids.end()) continue;
    try {
      plain.push_back(unpack(s));
    } catch (const std::exception&) {
    }
  }
  if (plain.size() < options_.pages_to_train || stopping()) return nullptr;
  std::reverse(plain.begin(), plain.end());  // oldest first
  std::string bytes = make_page_dictionary(plain, options_.dictionary_bytes);
  if (bytes.empty()) return nullptr;
  const PageDictionary candidate(0, bytes);
  const double with_candidate = packed_size(&candidate);
  log::info("page dictionary checked against newer pages",
            {{"host", host}, {"id", current.id}, {"alone_bytes", std::int64_t(alone)},
             {"bytes", std::int64_t(with_current)}, {"new_dictionary_bytes", std::int64_t(with_candidate)}});
  if (with_current < options_.refit_gain * with_candidate) return nullptr;  // no better: kept
  std::int64_t id = 0;
  if (!write([&](Archive& a) { id = a.add_page_dictionary(host, bytes); }, "storing a page dictionary") || id <= 0)
    return nullptr;
  auto made = std::make_shared<const PageDictionary>(id, std::move(bytes));
  dictionary_cache_.emplace(id, made);
  count(pass, {.dictionaries_learnt = 1, .dictionaries_refit = 1});
  log::info(learnt ? "page dictionary made of the host's pages in place of one zstd's trainer learnt"
                    : "page dictionary learnt again: the host's pages changed",
            {{"host", host}, {"id", id}, {"replaces", current.id}});
  return made;
}

}  // namespace winnow::archive
