#include "daemon/archive/page_dictionaries.h"

#include <utility>

#include "daemon/archive/archive.h"

namespace winnow::archive {

PageDictionaries::PageDictionaries(Limits limits) : limits_(limits) {}

std::shared_ptr<const PageDictionary> PageDictionaries::find(std::string_view host) const {
  std::lock_guard lock(mutex_);
  auto it = hosts_.find(std::string(host));
  if (it == hosts_.end() || !it->second.dictionary) return nullptr;
  held_.splice(held_.begin(), held_, it->second.held);
  return it->second.dictionary;
}

void PageDictionaries::add(const std::string& host, std::shared_ptr<const PageDictionary> dictionary) {
  std::lock_guard lock(mutex_);
  Host& h = hosts_[host];
  if (h.dictionary && h.dictionary->id() >= dictionary->id()) return;
  if (!h.dictionary && !h.learning && !h.let_go) ++dictionaries_;
  if (h.dictionary) {
    held_.splice(held_.begin(), held_, h.held);
    held_bytes_ -= h.dictionary->bytes().size();
  } else {
    held_.push_front(host);
    h.held = held_.begin();
  }
  h.dictionary = std::move(dictionary);
  held_bytes_ += h.dictionary->bytes().size();
  // The least recently used go past the budget, never the one just added.
  while (held_bytes_ > limits_.max_held_bytes && held_.size() > 1) {
    Host& oldest = hosts_.at(held_.back());
    held_bytes_ -= oldest.dictionary->bytes().size();
    oldest.dictionary.reset();
    oldest.let_go = true;
    held_.pop_back();
  }
  for (const auto& s : h.samples) kept_bytes_ -= s.size();
  h.samples.clear();
  h.samples.shrink_to_fit();
}

void PageDictionaries::load(Archive& archive) {
  // The newest first, so that the budget keeps them: add() lets the least recently added go.
  auto rows = archive.newest_page_dictionaries(limits_.max_held_bytes);
  for (auto it = rows.rbegin(); it != rows.rend(); ++it)
    add(it->host, std::make_shared<const PageDictionary>(it->id, std::move(it->bytes)));
}

std::vector<std::string> PageDictionaries::keep_sample(std::string_view host, std::string_view page) {
  if (!limits_.learn_from_samples) return {};  // before the map: no entry per host seen
  std::lock_guard lock(mutex_);
  Host& h = hosts_[std::string(host)];
  if (h.dictionary || h.learning || h.let_go || dictionaries_ >= limits_.max_dictionaries) return {};
  if (kept_bytes_ + page.size() > limits_.max_kept_bytes) return {};
  h.samples.emplace_back(page);
  kept_bytes_ += page.size();
  if (h.samples.size() < limits_.pages_to_train) return {};
  h.learning = true;
  ++dictionaries_;
  for (const auto& s : h.samples) kept_bytes_ -= s.size();
  return std::exchange(h.samples, {});
}

}  // namespace winnow::archive
