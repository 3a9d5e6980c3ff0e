#pragma once
// A Boost.Test precondition for the suites that mount file systems (mounts.h): the case runs
// only where this process may mount; elsewhere it is skipped with why, and what covers it.
#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/daemon/mounts.h"

namespace winnow::testing {

// `*when_mountable("the max_page_count case covers a full archive")` after a case's name.
inline boost::unit_test::precondition when_mountable(std::string covered_by) {
  return boost::unit_test::precondition([covered_by](boost::unit_test::test_unit_id) {
    std::string why;
    boost::test_tools::assertion_result result(may_mount(why));
    if (!result) result.message() << "skipped: " << why << "; " << covered_by;
    return result;
  });
}

}  // namespace winnow::testing
