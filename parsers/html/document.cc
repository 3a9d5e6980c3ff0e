#include "parsers/html/document.h"

#include "base/ascii.h"
#include "parsers/html/elide.h"
#include "parsers/html/nesting.h"
#include "parsers/html/repair.h"

#include <csetjmp>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <ctime>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <new>
#include <optional>
#include <vector>

namespace winnow::parsers {

namespace {

void free_nothing(void*, void*) {}  // everything goes with the arena

// How a parse left Gumbo early: the values siglongjmp carries back to guarded_parse.
enum Escape : int { kGumboAborted = 1, kOutOfMemory = 2, kOutOfTime = 3 };

// Set while this thread is inside Gumbo: where a failed assertion in Gumbo, or a parse past
// its limits, jumps back to. Only guarded_parse sets it, and clears it on every way out.
thread_local sigjmp_buf* gumbo_escape = nullptr;

[[noreturn]] void leave_gumbo(Escape why) {
  if (sigjmp_buf* escape = gumbo_escape) siglongjmp(*escape, why);
  throw std::bad_alloc();  // not inside Gumbo (cannot happen: only Gumbo allocates from an arena)
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

}  // namespace

// Gumbo allocates each node, attribute and string on its own and frees them one by one:
// malloc and free were a sixth of the extraction time. A bump allocator per document makes
// both nearly free, and the tree goes in one step with the document. Gumbo 0.10.1 also
// leaks the strings of a DOCTYPE token it ignores; here they go with the rest.
// Standard-size chunks go back to a small cache of the thread that frees them, so that the
// next page does not fault fresh pages in (without it parsing was 20% slower, not faster).
// The arena is also where a parse's limits are kept: Gumbo cannot be told to stop, but every
// step of its tree builder allocates, so the allocator leaves Gumbo (leave_gumbo) once the
// tree passes its memory limit or the parse its CPU time. Gumbo's C code never sees a
// failed allocation and no exception ever crosses it.
class HtmlDocument::Arena {
 public:
  Arena(std::size_t max_bytes, double cpu_deadline) : max_bytes_(max_bytes), cpu_deadline_(cpu_deadline) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (Chunk& c : chunks_)
      if (c.bytes == kChunkBytes && cache().size() < kCachedChunks) cache().push_back(std::move(c.memory));
  }

  std::size_t used() const { return used_; }

  void* allocate(std::size_t bytes) {
    bytes = (bytes + kAlign - 1) / kAlign * kAlign;
    if (++calls_ % kCallsPerClockCheck == 0 && thread_cpu_seconds() > cpu_deadline_) leave_gumbo(kOutOfTime);
    if (bytes <= left_) {
      void* out = next_;
      next_ += bytes;
      left_ -= bytes;
      return out;
    }
    const std::size_t chunk = bytes > kChunkBytes / 4 ? bytes : kChunkBytes;  // a large block: a chunk of its own
    if (used_ + chunk > max_bytes_) leave_gumbo(kOutOfMemory);
    std::unique_ptr<std::max_align_t[]> memory;
    if (chunk == kChunkBytes && !cache().empty()) {
      memory = std::move(cache().back());
      cache().pop_back();
    } else {
      memory.reset(new (std::nothrow) std::max_align_t[chunk / kAlign]);
      if (!memory) leave_gumbo(kOutOfMemory);
    }
    if (chunks_.size() == chunks_.capacity()) {  // grow here, where a failure cannot throw into Gumbo
      bool grown = true;
      try {
        chunks_.reserve(2 * chunks_.size() + 8);
      } catch (const std::bad_alloc&) {
        grown = false;
      }
      if (!grown) leave_gumbo(kOutOfMemory);
    }
    chunks_.push_back({std::move(memory), chunk});
    used_ += chunk;
    if (chunk != kChunkBytes) return chunks_.back().memory.get();  // the current chunk stays
    next_ = reinterpret_cast<std::byte*>(chunks_.back().memory.get()) + bytes;
    left_ = kChunkBytes - bytes;
    return chunks_.back().memory.get();
  }

 private:
  static constexpr std::size_t kAlign = alignof(std::max_align_t);
  // 256 KiB: a dev-set page's tree takes 1-2 MB once its script and style text is elided.
  static constexpr std::size_t kChunkBytes = 256 * 1024;
  static constexpr std::size_t kCachedChunks = 16;  // 4 MiB per thread at most
  // A clock read costs about as much as 50 bump allocations; 1,024 keep it out of sight.
  static constexpr unsigned kCallsPerClockCheck = 1024;

  struct Chunk {
    std::unique_ptr<std::max_align_t[]> memory;
    std::size_t bytes;
  };
  static std::vector<std::unique_ptr<std::max_align_t[]>>& cache() {
    thread_local std::vector<std::unique_ptr<std::max_align_t[]>> chunks;
    return chunks;
  }

  std::vector<Chunk> chunks_;
  std::byte* next_ = nullptr;
  std::size_t left_ = 0;
  std::size_t used_ = 0;  // bytes of the chunks held
  unsigned calls_ = 0;
  const std::size_t max_bytes_;
  const double cpu_deadline_;  // on this thread's CPU clock
};

void* HtmlDocument::allocate(void* arena, std::size_t bytes) { return static_cast<Arena*>(arena)->allocate(bytes); }

HtmlDocument::HtmlDocument() = default;
HtmlDocument::HtmlDocument(HtmlDocument&&) noexcept = default;
HtmlDocument& HtmlDocument::operator=(HtmlDocument&&) noexcept = default;
HtmlDocument::~HtmlDocument() = default;

std::size_t HtmlDocument::memory_used() const { return arena_ ? arena_->used() : 0; }

namespace {

struct sigaction previous_abort_action;

extern "C" void on_abort(int signal) {
  if (gumbo_escape) leave_gumbo(kGumboAborted);
  // Not from Gumbo: whatever was there before (the default: end the process).
  sigaction(SIGABRT, &previous_abort_action, nullptr);
  raise(signal);
}

// Checked on every parse, not once: whoever installed a SIGABRT handler since (a test
// framework does, per test case) is kept as the one to hand other aborts to.
void install_abort_guard() {
  static std::mutex mutex;
  struct sigaction current {};
  sigaction(SIGABRT, nullptr, &current);
  if (current.sa_handler == on_abort) return;
  std::lock_guard lock(mutex);
  sigaction(SIGABRT, nullptr, &current);
  if (current.sa_handler == on_abort) return;
  struct sigaction action {};
  action.sa_handler = on_abort;
  sigemptyset(&action.sa_mask);
  sigaction(SIGABRT, &action, &previous_abort_action);
}

struct Parsed {
  GumboOutput* output = nullptr;  // nullptr when Gumbo was left early
  int escape = 0;                 // why (Escape), or 0
};

// gumbo_parse_with_options, left early when Gumbo aborts (its assert() calls abort(), which
// raises SIGABRT on this thread after releasing its own lock (glibc), and the handler jumps
// back here) or when the arena says the parse is past its limits. Every byte Gumbo allocated
// is in the caller's arena; only C frames of Gumbo are skipped. Nothing between here and
// the jump may throw: the arena does not, and Gumbo is C.
Parsed guarded_parse(const GumboOptions& options, const std::string& bytes) {
  install_abort_guard();
  sigjmp_buf escape;
  switch (sigsetjmp(escape, 1)) {  // 1: restore the signal mask (SIGABRT is blocked in the handler)
    case 0:
      break;
    case kOutOfMemory:
      gumbo_escape = nullptr;
      return {nullptr, kOutOfMemory};
    case kOutOfTime:
      gumbo_escape = nullptr;
      return {nullptr, kOutOfTime};
    default:
      gumbo_escape = nullptr;
      return {nullptr, kGumboAborted};
  }
  gumbo_escape = &escape;
  GumboOutput* output = gumbo_parse_with_options(&options, bytes.data(), bytes.size());
  gumbo_escape = nullptr;
  return {output, 0};
}

}  // namespace

HtmlDocument HtmlDocument::parse(std::string html, Options parse_options) {
  if (parse_options.repair) close_unclosed_title(html);
  if (parse_options.elide) elide_unread_text(html);
  const std::size_t max_memory =
      parse_options.max_memory
          ? parse_options.max_memory
          : std::min(kMemoryCap, kMemoryBase + kMemoryPerByte * html.size());
  const double max_cpu = parse_options.max_cpu_seconds
                             ? parse_options.max_cpu_seconds
                             : kCpuBaseSeconds + kCpuSecondsPerMiB * double(html.size()) / (1 << 20);
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // parse errors are recorded one allocation each; we never read them
  options.allocator = &HtmlDocument::allocate;
  options.deallocator = free_nothing;

  // First as the page is (with its depth bounded), then, past a limit, with the tight bounds.
  // Nesting 64 deep and 4 open formatting elements still keep every word of the page.
  constexpr NestingBounds kTight{.max_depth = 64, .max_open_formatting = 4};
  HtmlDocument doc;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string bytes;
    if (attempt == 0) {
      std::optional<std::string> bounded;
      if (parse_options.bound_depth) bounded = bound_nesting(html, NestingBounds{.max_depth = kMaxDepth});
      doc.depth_limited_ = bounded.has_value();
      bytes = bounded ? std::move(*bounded) : std::move(html);
    } else if (attempt == 1) {  // from the bytes of the first parse, still there
      std::optional<std::string> bounded = bound_nesting(*doc.bytes_, kTight);
      doc.depth_limited_ = true;
      bytes = bounded ? std::move(*bounded) : *doc.bytes_;
    } else {
      doc.parse_failed_ = true;  // the document of an empty page instead
    }
    doc.bytes_ = std::make_unique<const std::string>(std::move(bytes));
    // The empty page's parse is tiny: no limit, so that it cannot fail.
    doc.arena_ = attempt == 2 ? std::make_unique<Arena>(SIZE_MAX, HUGE_VAL)
                              : std::make_unique<Arena>(max_memory, thread_cpu_seconds() + max_cpu);
    options.userdata = doc.arena_.get();
    Parsed parsed = guarded_parse(options, *doc.bytes_);
    if (parsed.output) {
      doc.output_ = parsed.output;
      break;
    }
    if (parsed.escape == kGumboAborted) {
      attempt = 1;  // the page itself trips Gumbo: straight to the empty one
      doc.parse_failed_ = true;
      continue;
    }
    if (attempt == 0) doc.limit_hit_ = parsed.escape == kOutOfTime ? Limit::time : Limit::memory;
  }
  return doc;
}

std::string_view attribute(const GumboNode& element, const char* name) {
  if (element.type != GUMBO_NODE_ELEMENT && element.type != GUMBO_NODE_TEMPLATE) return {};
  const GumboAttribute* attr = gumbo_get_attribute(&element.v.element.attributes, name);
  return attr ? std::string_view(attr->value) : std::string_view();
}

bool is_element(const GumboNode& node, GumboTag tag) {
  return (node.type == GUMBO_NODE_ELEMENT || node.type == GUMBO_NODE_TEMPLATE) && node.v.element.tag == tag;
}

std::string_view tag_name(const GumboNode& element) {
  const GumboElement& e = element.v.element;
  if (e.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(e.tag);
  GumboStringPiece piece = e.original_tag;
  gumbo_tag_from_original_text(&piece);
  return {piece.data, piece.length};
}

std::string text_of(const GumboNode& node) {
  std::string out;
  std::vector<const GumboNode*> stack{&node};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA || n->type == GUMBO_NODE_WHITESPACE) {
      out += n->v.text.text;
    } else if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) {
      const GumboVector& c = n->v.element.children;
      for (unsigned i = c.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(c.data[i]));
    }
    if (out.size() > 4096) break;
  }
  return base::collapse_whitespace(out, base::kHtmlSpace);
}


}  // namespace winnow::parsers
