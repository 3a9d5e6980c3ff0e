#define BOOST_TEST_MODULE fetch
#include <boost/test/unit_test.hpp>
