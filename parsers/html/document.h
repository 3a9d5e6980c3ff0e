#pragma once
// An HTML document parsed by Gumbo. Move-only; any thread may use a document it owns.
#include <gumbo.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace winnow::parsers {

class HtmlDocument {
 public:
  // Elements nested deeper than this are flattened before parsing (see nesting.h).
  // 512: ten times the deepest page of the dev set.
  static constexpr int kMaxDepth = 512;

  // What one parse may take. The tree Gumbo builds can be far larger than the page (the tree
  // builder re-opens formatting elements in every paragraph), and some structures make it
  // slow; past either limit Gumbo is left at once, and the page is parsed again with tight
  // bounds on nesting and formatting (nesting.h). Only when that fails too is it given up.
  static constexpr std::size_t kMemoryBase = 32u << 20;  // bytes of tree for any page
  static constexpr std::size_t kMemoryPerByte = 24;      // and per byte of the page
  static constexpr std::size_t kMemoryCap = 256u << 20;  // and never more (the dev sets: 9 MB at most)
  static constexpr double kCpuBaseSeconds = 1.0;          // CPU time for any page
  static constexpr double kCpuSecondsPerMiB = 1.0;        // and per MiB of the page

  struct Options {
    bool repair = true;       // close a <title> that is never closed (repair.h)
    bool elide = true;        // leave out the text of <script> (but JSON-LD), <style> and comments (elide.h)
    bool bound_depth = true;  // flatten elements nested deeper than kMaxDepth (nesting.h)
    std::size_t max_memory = 0;  // bytes of tree; 0: the limit above for the page's size
    double max_cpu_seconds = 0;  // CPU time of this thread in Gumbo; 0: the limit above
  };

  enum class Limit { none, memory, time };

  // Parses UTF-8 `html` (the document keeps it: Gumbo's tree points into it). Never fails:
  // HTML parsing recovers from any input, and when Gumbo itself gives up the document is
  // empty and says so (parse_failed). With the default options the text of <script> (but
  // JSON-LD), <style> and comments is left out before parsing: those elements are empty.
  static HtmlDocument parse(std::string html, Options options);
  static HtmlDocument parse(std::string html) { return parse(std::move(html), Options{}); }

  // True when the page nested deeper than kMaxDepth and was flattened.
  bool depth_limited() const { return depth_limited_; }

  // True when Gumbo failed one of its own assertions on this page (Gumbo 0.10.1, as Debian
  // builds it, aborts the process then: "<table><math><select><mi><select><tr>" is enough).
  // The parse runs under a guard that returns from such a failure instead, and the document
  // is that of an empty page. The guard is a SIGABRT handler (put back in place by each
  // parse if something replaced it) that acts only on a thread inside Gumbo and hands any
  // other abort to the handler it replaced.
  bool parse_failed() const { return parse_failed_; }

  // Which limit the first parse ran into (then the document is the tightly bounded parse, and
  // depth_limited() is true, or an empty one with parse_failed() when that failed as well).
  Limit limit_hit() const { return limit_hit_; }
  // Bytes Gumbo took for the tree.
  std::size_t memory_used() const;

  // The document node; its children include the <html> element.
  const GumboNode& document() const { return *output_->document; }
  // The <html> element.
  const GumboNode& root() const { return *output_->root; }
  std::string_view source() const { return *bytes_; }

  HtmlDocument(HtmlDocument&&) noexcept;
  HtmlDocument& operator=(HtmlDocument&&) noexcept;
  ~HtmlDocument();

 private:
  // Every allocation Gumbo makes for one parse, freed at once with the document (see .cc).
  class Arena;
  static void* allocate(void* arena, std::size_t bytes);

  HtmlDocument();

  // Declared before the tree, which points into both and must go first.
  std::unique_ptr<const std::string> bytes_;
  std::unique_ptr<Arena> arena_;
  GumboOutput* output_ = nullptr;  // lives in *arena_
  bool depth_limited_ = false;
  bool parse_failed_ = false;
  Limit limit_hit_ = Limit::none;
};

// Helpers over Gumbo nodes. `name` is lowercase ASCII.
std::string_view attribute(const GumboNode& element, const char* name);
bool is_element(const GumboNode& node, GumboTag tag);
// The tag name, also for elements Gumbo does not know (custom elements).
std::string_view tag_name(const GumboNode& element);
// All text under `node` (about the first 4 KiB of it), whitespace collapsed. Iterative.
std::string text_of(const GumboNode& node);

}  // namespace winnow::parsers
