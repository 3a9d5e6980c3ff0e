#pragma once
// Metrics for Prometheus: counters, gauges and histograms kept in memory, rendered in the
// text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/)
// for `GET /metrics`. Written here rather than taken from prometheus-cpp: Debian 12's
// prometheus-cpp-dev (1.0.1) pulls civetweb, a second HTTP server beside Beast, and has no
// scrape-time callbacks without a hand-written Collectable; what we need fits in one file.
//
// Use: register a family once (start-up), look its labelled series up once, keep the handle,
// and update the handle on the hot path (one relaxed atomic operation):
//
//   metrics::Registry registry;
//   auto& fetches = registry.counter("winnow_fetches_total", "Fetches.", {"kind", "outcome"});
//   metrics::Counter feed_ok = fetches.with({"feed", "ok"});
//   feed_ok.inc();
//   auto backlog = registry.gauge_callback("winnow_webhook_backlog", "...", [&] { return queue.size(); });
//   std::string body = registry.render();  // served with kContentType
//
// Threads: every member function of Registry and of the families is thread-safe; handles
// (Counter, Gauge, Histogram) are lock-free and may be used from any thread at once. A
// family lives as long as its Registry and is never removed, so handles stay valid until the
// Registry is destroyed: the Registry must outlive every handle's use and every Registration.
// A default-constructed handle is valid and does nothing (metrics off).
//
// Callbacks run inside render(), on the thread that calls it, one at a time, with the
// Registry's lock held: they must be quick, must not throw, and must not call the Registry.
// They stay registered while their Registration lives; destroying it waits for a render
// under way, so after that the callback never runs again and what it captured may go.
//
// Names are checked at registration (metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]* not starting with "__", no "le" on a histogram): a bad one, or a
// name registered again with another type, labels or buckets, throws std::invalid_argument
// (a bug, found at start-up). Registering the same family again returns the existing one.
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace winnow::metrics {

// The Content-Type of render()'s output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

using LabelValues = std::vector<std::string>;

// A counter series: only goes up.
class Counter {
 public:
  Counter() = default;
  void inc(std::uint64_t n = 1) const noexcept {
    if (cell_) cell_->fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t value() const noexcept { return cell_ ? cell_->load(std::memory_order_relaxed) : 0; }

 private:
  friend class CounterFamily;
  explicit Counter(std::atomic<std::uint64_t>* cell) : cell_(cell) {}
  std::atomic<std::uint64_t>* cell_ = nullptr;
};

// A gauge series: set, or moved up and down.
class Gauge {
 public:
  Gauge() = default;
  void set(double v) const noexcept {
    if (cell_) cell_->store(v, std::memory_order_relaxed);
  }
  void add(double v) const noexcept {
    if (cell_) cell_->fetch_add(v, std::memory_order_relaxed);
  }
  double value() const noexcept { return cell_ ? cell_->load(std::memory_order_relaxed) : 0; }

 private:
  friend class GaugeFamily;
  explicit Gauge(std::atomic<double>* cell) : cell_(cell) {}
  std::atomic<double>* cell_ = nullptr;
};

namespace detail {
struct HistogramCell;
}

// A histogram series: observations counted into fixed buckets, with their sum.
class Histogram {
 public:
  Histogram() = default;
  void observe(double v) const noexcept;
  std::uint64_t count() const noexcept;
  double sum() const noexcept;

 private:
  friend class HistogramFamily;
  explicit Histogram(detail::HistogramCell* cell) : cell_(cell) {}
  detail::HistogramCell* cell_ = nullptr;
};

// What every family has: a name, a help text, label names, series by label values.
class Family {
 public:
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;
  const std::string& name() const { return name_; }

 protected:
  Family(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  // Throws std::invalid_argument unless `values` has one value per label name.
  void check_arity(const LabelValues& values) const;

 private:
  friend class Registry;
  virtual const char* type() const = 0;
  // Appends the samples (without HELP and TYPE), under the family's lock.
  virtual void render_samples(std::string& out) const = 0;

 protected:
  const std::string name_, help_;
  const std::vector<std::string> label_names_;
  mutable std::mutex mutex_;  // guards the series maps; never held while a handle is used
};

class CounterFamily final : public Family {
 public:
  // The series with these label values (one per label name, in order), created at zero.
  Counter with(const LabelValues& values = {});

 private:
  friend class Registry;
  using Family::Family;
  const char* type() const override { return "counter"; }
  void render_samples(std::string& out) const override;
  std::map<LabelValues, std::unique_ptr<std::atomic<std::uint64_t>>> series_;
};

class GaugeFamily final : public Family {
 public:
  Gauge with(const LabelValues& values = {});

 private:
  friend class Registry;
  using Family::Family;
  const char* type() const override { return "gauge"; }
  void render_samples(std::string& out) const override;
  std::map<LabelValues, std::unique_ptr<std::atomic<double>>> series_;
};

class HistogramFamily final : public Family {
 public:
  Histogram with(const LabelValues& values = {});
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  friend class Registry;
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds);
  const char* type() const override { return "histogram"; }
  void render_samples(std::string& out) const override;
  const std::vector<double> bounds_;  // upper bounds, increasing, +Inf implied
  std::map<LabelValues, std::unique_ptr<detail::HistogramCell>> series_;
};

// One sample a callback reports: its label values (one per label name) and its value.
struct Sample {
  LabelValues labels;
  double value = 0;
};
using Collect = std::function<std::vector<Sample>()>;

class Registry;

// Keeps a callback registered; destroying it (or reset()) unregisters it, waiting for a
// render under way. Move-only. detach() leaves the callback for the Registry's lifetime.
class Registration {
 public:
  Registration() = default;
  Registration(Registration&& other) noexcept;
  Registration& operator=(Registration&& other) noexcept;
  ~Registration();
  void reset();
  void detach() { registry_ = nullptr; }

 private:
  friend class Registry;
  Registration(Registry* registry, std::string name) : registry_(registry), name_(std::move(name)) {}
  Registry* registry_ = nullptr;
  std::string name_;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  // `bounds`: upper bounds of the buckets, strictly increasing and finite (a last +Inf is
  // dropped: it is always there).
  HistogramFamily& histogram(std::string name, std::string help, std::vector<double> bounds,
                             std::vector<std::string> label_names = {});

  // A gauge (or counter) whose value is asked for at each render. A name has at most one
  // callback at a time: registering a second while the first lives throws
  // std::invalid_argument. NaN from a callback is rendered as NaN.
  [[nodiscard]] Registration gauge_callback(std::string name, std::string help, std::function<double()> value);
  [[nodiscard]] Registration gauge_callback(std::string name, std::string help, std::vector<std::string> label_names,
                                            Collect collect);
  [[nodiscard]] Registration counter_callback(std::string name, std::string help, std::function<double()> value);

  // Every family with at least one series, in the order they were registered; series in
  // the order of their label values. Text format 0.0.4, ends with a newline (or is empty).
  std::string render() const;

  // Upper bounds from `start`, each `factor` times the one before, `count` of them.
  static std::vector<double> exponential_buckets(double start, double factor, int count);

 private:
  friend class Registration;
  struct CallbackFamily;
  // The family `name`, made by `make` unless registered already (then it must be an F with
  // these labels for which `same` holds).
  template <class F, class Make>
  F& add(const std::string& name, const std::vector<std::string>& label_names,
         const std::function<bool(const F&)>& same, Make make);
  Registration add_callback(const char* type, std::string name, std::string help,
                            std::vector<std::string> label_names, Collect collect);
  void remove_callback(const std::string& name) noexcept;

  mutable std::mutex mutex_;  // families_, and every callback's run and removal
  std::vector<std::unique_ptr<Family>> families_;
};

// Text-format helpers, exposed for tests. A value as Prometheus reads it: an integral value
// without a fraction ("3"), others in the shortest form that reads back the same ("0.0025"),
// "+Inf", "-Inf", "NaN".
std::string format_value(double v);
// A label value with backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view v);
bool is_metric_name(std::string_view name);
bool is_label_name(std::string_view name);

}  // namespace winnow::metrics
