#define BOOST_TEST_MODULE feeds
#include <boost/test/unit_test.hpp>
