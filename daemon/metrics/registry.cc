#include "daemon/metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace winnow::metrics {

namespace detail {

struct HistogramCell {
  explicit HistogramCell(const std::vector<double>& b) : bounds(b), buckets(new std::atomic<std::uint64_t>[b.size() + 1]) {
    for (std::size_t i = 0; i <= b.size(); ++i) buckets[i].store(0, std::memory_order_relaxed);
  }
  const std::vector<double>& bounds;  // the family's
  // Not cumulative: each observation counts once, in the first bucket whose bound holds it
  // (the last one is +Inf). render() sums them up.
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets;
  std::atomic<double> sum{0};
};

}  // namespace detail

namespace {

bool is_name_char(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool is_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!is_name_char(name[i], i == 0, colon)) return false;
  return true;
}

// HELP text: backslash and newline escaped (the format says so; quotes stay).
void append_help(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

// `{a="x",b="y"}` (with `extra` as a last label, for `le`), or nothing without labels.
void append_labels(std::string& out, const std::vector<std::string>& names, const LabelValues& values,
                   std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   const std::vector<std::string>& label_names, const LabelValues& values, std::string_view value,
                   std::string_view extra_name = {}, std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  append_labels(out, label_names, values, extra_name, extra_value);
  out += ' ';
  out += value;
  out += '\n';
}

void check_names(const std::string& name, const std::vector<std::string>& label_names, bool histogram) {
  if (!is_metric_name(name)) throw std::invalid_argument("metrics: bad metric name: " + name);
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const std::string& l = label_names[i];
    if (!is_label_name(l)) throw std::invalid_argument("metrics: bad label name " + l + " for " + name);
    if (histogram && l == "le") throw std::invalid_argument("metrics: a histogram cannot have the label le: " + name);
    if (std::find(label_names.begin(), label_names.begin() + std::ptrdiff_t(i), l) != label_names.begin() + std::ptrdiff_t(i))
      throw std::invalid_argument("metrics: label " + l + " twice for " + name);
  }
}

std::vector<double> checked_bounds(const std::string& name, std::vector<double> bounds) {
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity()) bounds.pop_back();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1])))
      throw std::invalid_argument("metrics: histogram buckets must be finite and increasing: " + name);
  }
  return bounds;
}

}  // namespace

// ---- text format helpers ----------------------------------------------------------------

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Integral values as integers (a counter of bytes reads "1048576", not "1.048576e+06"),
  // as long as a double holds them exactly.
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) return std::to_string(static_cast<std::int64_t>(v));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest that reads back the same
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

bool is_metric_name(std::string_view name) { return is_name(name, true); }

bool is_label_name(std::string_view name) { return is_name(name, false) && !name.starts_with("__"); }

// ---- handles ----------------------------------------------------------------------------

void Histogram::observe(double v) const noexcept {
  if (!cell_) return;
  const auto& bounds = cell_->bounds;
  // Buckets are "less than or equal": v == bound counts in that bucket. NaN goes to +Inf.
  const std::size_t i = std::size_t(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
  cell_->buckets[i].fetch_add(1, std::memory_order_relaxed);
  cell_->sum.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const noexcept {
  if (!cell_) return 0;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i <= cell_->bounds.size(); ++i) n += cell_->buckets[i].load(std::memory_order_relaxed);
  return n;
}

double Histogram::sum() const noexcept { return cell_ ? cell_->sum.load(std::memory_order_relaxed) : 0; }

// ---- families ---------------------------------------------------------------------------

void Family::check_arity(const LabelValues& values) const {
  if (values.size() != label_names_.size())
    throw std::invalid_argument("metrics: " + name_ + " takes " + std::to_string(label_names_.size()) +
                                " label values, not " + std::to_string(values.size()));
}

Counter CounterFamily::with(const LabelValues& values) {
  check_arity(values);
  std::lock_guard lock(mutex_);
  auto& cell = series_[values];
  if (!cell) cell = std::make_unique<std::atomic<std::uint64_t>>(0);
  return Counter(cell.get());
}

void CounterFamily::render_samples(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [values, cell] : series_)
    append_sample(out, name_, "", label_names_, values, std::to_string(cell->load(std::memory_order_relaxed)));
}

Gauge GaugeFamily::with(const LabelValues& values) {
  check_arity(values);
  std::lock_guard lock(mutex_);
  auto& cell = series_[values];
  if (!cell) cell = std::make_unique<std::atomic<double>>(0.0);
  return Gauge(cell.get());
}

void GaugeFamily::render_samples(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [values, cell] : series_)
    append_sample(out, name_, "", label_names_, values, format_value(cell->load(std::memory_order_relaxed)));
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                                 std::vector<double> bounds)
    : Family(std::move(name), std::move(help), std::move(label_names)), bounds_(std::move(bounds)) {}

Histogram HistogramFamily::with(const LabelValues& values) {
  check_arity(values);
  std::lock_guard lock(mutex_);
  auto& cell = series_[values];
  if (!cell) cell = std::make_unique<detail::HistogramCell>(bounds_);
  return Histogram(cell.get());
}

void HistogramFamily::render_samples(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [values, cell] : series_) {
    // Cumulative, and _count is the +Inf bucket's, so the two agree however observations
    // race with the render.
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += cell->buckets[i].load(std::memory_order_relaxed);
      append_sample(out, name_, "_bucket", label_names_, values, std::to_string(cumulative), "le",
                    i < bounds_.size() ? format_value(bounds_[i]) : "+Inf");
    }
    append_sample(out, name_, "_sum", label_names_, values, format_value(cell->sum.load(std::memory_order_relaxed)));
    append_sample(out, name_, "_count", label_names_, values, std::to_string(cumulative));
  }
}

// A family whose samples a callback gives at each render. Its fields are guarded by the
// Registry's lock, which render() holds throughout.
struct Registry::CallbackFamily final : Family {
  CallbackFamily(const char* t, std::string name, std::string help, std::vector<std::string> label_names)
      : Family(std::move(name), std::move(help), std::move(label_names)), type_(t) {}
  const char* type() const override { return type_; }
  void render_samples(std::string& out) const override {
    if (!collect) return;
    std::vector<Sample> samples;
    try {
      samples = collect();
    } catch (...) {  // the contract says it must not throw; a scrape is no reason to die
      return;
    }
    for (const auto& s : samples) {
      if (s.labels.size() != label_names_.size()) continue;  // a bug in the callback: skipped
      append_sample(out, name_, "", label_names_, s.labels, format_value(s.value));
    }
  }
  const char* const type_;
  Collect collect;
};

// ---- the registry -----------------------------------------------------------------------

Registry::Registry() = default;
Registry::~Registry() = default;

template <class F, class Make>
F& Registry::add(const std::string& name, const std::vector<std::string>& label_names,
                 const std::function<bool(const F&)>& same, Make make) {
  std::lock_guard lock(mutex_);
  for (auto& f : families_) {
    if (f->name() != name) continue;
    auto* existing = dynamic_cast<F*>(f.get());
    if (!existing || existing->label_names_ != label_names || !same(*existing))
      throw std::invalid_argument("metrics: " + name + " registered again differently");
    return *existing;
  }
  families_.push_back(make());
  return static_cast<F&>(*families_.back());
}

CounterFamily& Registry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  check_names(name, label_names, false);
  const std::string key = name;
  const auto labels = label_names;
  // Not make_unique: the constructors are private, Registry their friend.
  return add<CounterFamily>(key, labels, [](const CounterFamily&) { return true; }, [&] {
    return std::unique_ptr<Family>(new CounterFamily(std::move(name), std::move(help), std::move(label_names)));
  });
}

GaugeFamily& Registry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  check_names(name, label_names, false);
  const std::string key = name;
  const auto labels = label_names;
  return add<GaugeFamily>(key, labels, [](const GaugeFamily&) { return true; }, [&] {
    return std::unique_ptr<Family>(new GaugeFamily(std::move(name), std::move(help), std::move(label_names)));
  });
}

HistogramFamily& Registry::histogram(std::string name, std::string help, std::vector<double> bounds,
                                     std::vector<std::string> label_names) {
  check_names(name, label_names, true);
  bounds = checked_bounds(name, std::move(bounds));
  const std::string key = name;
  const auto labels = label_names;
  return add<HistogramFamily>(key, labels, [&](const HistogramFamily& f) { return f.bounds() == bounds; }, [&] {
    return std::unique_ptr<Family>(
        new HistogramFamily(std::move(name), std::move(help), std::move(label_names), std::move(bounds)));
  });
}

Registration Registry::add_callback(const char* type, std::string name, std::string help,
                                    std::vector<std::string> label_names, Collect collect) {
  check_names(name, label_names, false);
  std::lock_guard lock(mutex_);
  CallbackFamily* family = nullptr;
  for (auto& f : families_) {
    if (f->name() != name) continue;
    family = dynamic_cast<CallbackFamily*>(f.get());
    if (!family || family->type_ != std::string_view(type) || family->label_names_ != label_names)
      throw std::invalid_argument("metrics: " + name + " registered again differently");
    if (family->collect) throw std::invalid_argument("metrics: " + name + " has a callback already");
  }
  if (!family) {
    families_.push_back(std::make_unique<CallbackFamily>(type, name, std::move(help), std::move(label_names)));
    family = static_cast<CallbackFamily*>(families_.back().get());
  }
  family->collect = std::move(collect);
  return Registration(this, std::move(name));
}

Registration Registry::gauge_callback(std::string name, std::string help, std::function<double()> value) {
  return add_callback("gauge", std::move(name), std::move(help), {},
                      [value = std::move(value)] { return std::vector<Sample>{{{}, value()}}; });
}

Registration Registry::gauge_callback(std::string name, std::string help, std::vector<std::string> label_names,
                                      Collect collect) {
  return add_callback("gauge", std::move(name), std::move(help), std::move(label_names), std::move(collect));
}

Registration Registry::counter_callback(std::string name, std::string help, std::function<double()> value) {
  return add_callback("counter", std::move(name), std::move(help), {},
                      [value = std::move(value)] { return std::vector<Sample>{{{}, value()}}; });
}

void Registry::remove_callback(const std::string& name) noexcept {
  std::lock_guard lock(mutex_);  // waits for a render that may be running the callback
  for (auto& f : families_) {
    if (f->name() != name) continue;
    if (auto* family = dynamic_cast<CallbackFamily*>(f.get())) family->collect = nullptr;
  }
}

std::string Registry::render() const {
  std::string out, samples;
  std::lock_guard lock(mutex_);
  for (const auto& f : families_) {
    samples.clear();
    f->render_samples(samples);
    if (samples.empty()) continue;  // no series yet: the family is left out, as client_golang does
    out += "# HELP ";
    out += f->name_;
    out += ' ';
    append_help(out, f->help_);
    out += "\n# TYPE ";
    out += f->name_;
    out += ' ';
    out += f->type();
    out += '\n';
    out += samples;
  }
  return out;
}

std::vector<double> Registry::exponential_buckets(double start, double factor, int count) {
  std::vector<double> bounds;
  for (double b = start; int(bounds.size()) < count; b *= factor) bounds.push_back(b);
  return bounds;
}

// ---- registrations ----------------------------------------------------------------------

Registration::Registration(Registration&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), name_(std::move(other.name_)) {}

Registration& Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::exchange(other.registry_, nullptr);
    name_ = std::move(other.name_);
  }
  return *this;
}

Registration::~Registration() { reset(); }

void Registration::reset() {
  if (registry_) std::exchange(registry_, nullptr)->remove_callback(name_);
}

}  // namespace winnow::metrics
