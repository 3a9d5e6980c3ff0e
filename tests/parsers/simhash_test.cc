// SimHash must put syndicated copies of one story within kNearDuplicateBits and keep
// different stories on the same topic apart.
#include <boost/test/unit_test.hpp>

#include <string>

#include "parsers/fingerprint/simhash.h"

using namespace winnow::parsers;

namespace {

const std::string kWire =
    "China's President Xi Jinping pledged self-reliance and self-strengthening to develop artificial "
    "intelligence in China, as the country faces increased competition from the United States. Speaking at a "
    "Politburo meeting study session on Friday, Xi said China should leverage its new whole national system to "
    "push forward the development of AI. We must recognise the gaps and redouble our efforts to comprehensively "
    "advance technological innovation, industrial development, and AI-empowered applications, Xi said. Xi noted "
    "policy support would be provided in areas such as government procurement, intellectual property rights, "
    "research and talent cultivation. Some experts say China has narrowed the AI development gap with the "
    "United States over the past years. The Chinese AI startup DeepSeek drew global attention when it launched "
    "an AI reasoning model in January that it said was trained at a fraction of the cost of rival models.";

const std::string kOther =
    "The city council voted on Tuesday to expand the bus network into the northern suburbs, a plan that has "
    "been debated for more than four years. Supporters said the new routes would cut commuting times for "
    "thousands of residents who currently depend on cars to reach jobs in the city centre. Opponents argued "
    "that the cost, estimated at 40 million dollars over a decade, would strain a budget already stretched by "
    "rising pension obligations. The first of the new routes is expected to open next spring.";

}  // namespace

BOOST_AUTO_TEST_SUITE(simhash)

BOOST_AUTO_TEST_CASE(identical_text_identical_hash) {
  BOOST_TEST(winnow::parsers::simhash(kWire) == winnow::parsers::simhash(kWire));
  BOOST_TEST(winnow::parsers::simhash(kWire) != 0u);
}

BOOST_AUTO_TEST_CASE(case_and_punctuation_do_not_matter) {
  std::string shouted = kWire;
  for (char& c : shouted) c = char(std::toupper(static_cast<unsigned char>(c)));
  BOOST_TEST(hamming_distance(winnow::parsers::simhash(kWire), winnow::parsers::simhash(shouted)) == 0);
}

BOOST_AUTO_TEST_CASE(syndicated_copy_with_dateline_and_credit_is_near) {
  std::string copy = "HONG KONG, April 26 (Reuters) - " + kWire + " (Reporting by James Pomfret; Editing by Kate Mayberry)";
  BOOST_TEST(hamming_distance(winnow::parsers::simhash(kWire), winnow::parsers::simhash(copy)) <= kNearDuplicateBits);
}

BOOST_AUTO_TEST_CASE(different_stories_are_far) {
  BOOST_TEST(hamming_distance(winnow::parsers::simhash(kWire), winnow::parsers::simhash(kOther)) > 10);
}

BOOST_AUTO_TEST_CASE(cjk_text_is_shingled_by_character) {
  std::string a = "市议会周二投票决定将公交网络扩展到北部郊区，这一计划已经讨论了四年多。支持者表示新线路将缩短通勤时间。";
  std::string b = "央行周三宣布下调存款准备金率，以支持经济增长并稳定金融市场，这是今年第二次降准。";
  BOOST_TEST(winnow::parsers::simhash(a) != 0u);
  BOOST_TEST(hamming_distance(winnow::parsers::simhash(a), winnow::parsers::simhash(b)) > 10);
  BOOST_TEST(hamming_distance(winnow::parsers::simhash(a), winnow::parsers::simhash(a + "。")) <= kNearDuplicateBits);
}

BOOST_AUTO_TEST_CASE(empty_text_hashes_to_zero) { BOOST_TEST(winnow::parsers::simhash("") == 0u); }

BOOST_AUTO_TEST_SUITE_END()
