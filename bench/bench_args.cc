#include "bench/bench_args.h"

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/variables_map.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace winnow::bench {

void parse_args(int argc, char** argv, const std::string& name, po::options_description& options) {
  options.add_options()("help,h", "print this help");
  const auto usage = [&](std::ostream& out) { out << "usage: " << name << " [options]\n" << options; };
  po::variables_map values;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), values);
    if (values.count("help")) {
      usage(std::cout);
      std::exit(0);
    }
    po::notify(values);
  } catch (const po::error& e) {
    std::cerr << name << ": " << e.what() << "\n";
    usage(std::cerr);
    std::exit(2);
  }
}

void require(bool ok, const std::string& name, const std::string& message) {
  if (ok) return;
  std::fprintf(stderr, "%s: %s\n", name.c_str(), message.c_str());
  std::exit(2);
}

}  // namespace winnow::bench
