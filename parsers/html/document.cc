#include "parsers/html/document.h"

#include "base/ascii.h"
#include "parsers/html/elide.h"
#include "parsers/html/nesting.h"
#include "parsers/html/repair.h"

#include <csetjmp>
#include <csignal>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <vector>

namespace winnow::parsers {

namespace {

void free_nothing(void*, void*) {}  // everything goes with the arena

}  // namespace

// Gumbo allocates each node, attribute and string on its own and frees them one by one:
// malloc and free were a sixth of the extraction time. A bump allocator per document makes
// both nearly free, and the tree goes in one step with the document. Gumbo 0.10.1 also
// leaks the strings of a DOCTYPE token it ignores; here they go with the rest.
// Standard-size chunks go back to a small cache of the thread that frees them, so that the
// next page does not fault fresh pages in (without it parsing was 20% slower, not faster).
class HtmlDocument::Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (Chunk& c : chunks_)
      if (c.bytes == kChunkBytes && cache().size() < kCachedChunks) cache().push_back(std::move(c.memory));
  }

  void* allocate(std::size_t bytes) {
    bytes = (bytes + kAlign - 1) / kAlign * kAlign;
    if (bytes <= left_) {
      void* out = next_;
      next_ += bytes;
      left_ -= bytes;
      return out;
    }
    if (bytes > kChunkBytes / 4) {  // a large block gets a chunk of its own; the current one stays
      chunks_.push_back({std::unique_ptr<std::max_align_t[]>(new std::max_align_t[bytes / kAlign]), bytes});
      return chunks_.back().memory.get();
    }
    std::unique_ptr<std::max_align_t[]> memory;
    if (!cache().empty()) {
      memory = std::move(cache().back());
      cache().pop_back();
    } else {
      memory.reset(new std::max_align_t[kChunkBytes / kAlign]);
    }
    chunks_.push_back({std::move(memory), kChunkBytes});
    next_ = reinterpret_cast<std::byte*>(chunks_.back().memory.get()) + bytes;
    left_ = kChunkBytes - bytes;
    return chunks_.back().memory.get();
  }

 private:
  static constexpr std::size_t kAlign = alignof(std::max_align_t);
  // 256 KiB: a dev-set page's tree takes 1-2 MB once its script and style text is elided.
  static constexpr std::size_t kChunkBytes = 256 * 1024;
  static constexpr std::size_t kCachedChunks = 16;  // 4 MiB per thread at most

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
};

void* HtmlDocument::allocate(void* arena, std::size_t bytes) { return static_cast<Arena*>(arena)->allocate(bytes); }

HtmlDocument::HtmlDocument() = default;
HtmlDocument::HtmlDocument(HtmlDocument&&) noexcept = default;
HtmlDocument& HtmlDocument::operator=(HtmlDocument&&) noexcept = default;
HtmlDocument::~HtmlDocument() = default;

namespace {

// Set while this thread is inside Gumbo: where a failed assertion in Gumbo jumps back to.
thread_local sigjmp_buf* gumbo_escape = nullptr;
struct sigaction previous_abort_action;

extern "C" void on_abort(int signal) {
  if (sigjmp_buf* escape = gumbo_escape) siglongjmp(*escape, 1);
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

// gumbo_parse_with_options, or nullptr when Gumbo aborted. Gumbo's assert() calls abort(),
// which raises SIGABRT on this thread after releasing its own lock (glibc), and the handler
// jumps back here. Every byte Gumbo allocated is in the caller's arena; only C frames of
// Gumbo are skipped.
GumboOutput* guarded_parse(const GumboOptions& options, const std::string& bytes) {
  install_abort_guard();
  sigjmp_buf escape;
  if (sigsetjmp(escape, 1) != 0) {  // 1: restore the signal mask (SIGABRT is blocked in the handler)
    gumbo_escape = nullptr;
    return nullptr;
  }
  gumbo_escape = &escape;
  GumboOutput* output = gumbo_parse_with_options(&options, bytes.data(), bytes.size());
  gumbo_escape = nullptr;
  return output;
}

}  // namespace

HtmlDocument HtmlDocument::parse(std::string html, Options parse_options) {
  if (parse_options.repair) close_unclosed_title(html);
  if (parse_options.elide) elide_unread_text(html);
  bool depth_limited = false;
  if (parse_options.bound_depth) {
    if (auto bounded = bound_nesting(html, kMaxDepth)) {
      html = std::move(*bounded);
      depth_limited = true;
    }
  }
  HtmlDocument doc;
  doc.depth_limited_ = depth_limited;
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // parse errors are recorded one allocation each; we never read them
  options.allocator = &HtmlDocument::allocate;
  options.deallocator = free_nothing;
  for (bool retry_empty : {false, true}) {
    doc.bytes_ = std::make_unique<const std::string>(retry_empty ? std::string() : std::move(html));
    doc.arena_ = std::make_unique<Arena>();
    options.userdata = doc.arena_.get();
    doc.output_ = guarded_parse(options, *doc.bytes_);
    if (doc.output_) break;
    doc.parse_failed_ = true;  // the document of an empty page instead
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
