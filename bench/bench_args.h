#pragma once
// Command lines of the benchmarks, read by Boost.Program_options, so that every bench takes
// options alike: typed values (a count that is no number is an error, not 0), `--help`, and
// a clear message for an unknown or incomplete option. Main thread only.
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <string>

namespace winnow::bench {

namespace po = boost::program_options;

// Reads `argv` against `options`, storing into the variables the options point at.
// `--help` prints "usage: NAME [options]", `options` and exits 0; a bad command line prints
// what is wrong and the same usage to standard error and exits 2.
void parse_args(int argc, char** argv, const std::string& name, po::options_description& options);

// Exits 2 with "NAME: MESSAGE" on standard error when `ok` is false: a value out of range.
void require(bool ok, const std::string& name, const std::string& message);

}  // namespace winnow::bench
