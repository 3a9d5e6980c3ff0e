#define BOOST_TEST_MODULE parsers
#include <boost/test/unit_test.hpp>
