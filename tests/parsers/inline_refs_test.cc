// Links and images of the kept blocks (parsers/extract/inline_refs.h, segment.h): where they
// sit in the text, how their URLs resolve, which are dropped, and that hostile pages stay
// linear. The blocks' text is the same with and without them.
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <string>

#include "parsers/extract/dom.h"
#include "parsers/extract/extract.h"
#include "parsers/extract/inline_refs.h"
#include "parsers/extract/segment.h"
#include "parsers/html/document.h"
#include "parsers/render/render.h"

using namespace winnow::parsers;

namespace {

const char* const kUrl = "https://news.example/world/2026/story.html";

const std::string kProse =
    "The city council voted on Tuesday to expand the bus network into the northern suburbs, a plan that has "
    "been debated for more than four years by everyone in the town.";

// A news page whose article holds `body` between two plain paragraphs.
std::string page(const std::string& body) {
  return "<html><head><title>Council expands bus network</title></head><body>"
         "<nav><a href=\"/\"><img src=\"/logo.png\" alt=\"City Times\"></a><a href=\"/news\">News</a></nav>"
         "<article><h1>Council expands bus network</h1><p>" + kProse + "</p>" + body + "<p>" + kProse +
         "</p></article><footer>Copyright City Times</footer></body></html>";
}

Article extract_page(const std::string& html, const std::string& url = kUrl) {
  ExtractOptions options;
  options.url = url;
  return extract(html, options);
}

// The block whose text contains `words`.
const Block& block_with(const Article& a, const std::string& words) {
  for (const Block& b : a.blocks)
    if (b.text.find(words) != std::string::npos) return b;
  BOOST_FAIL("no block holds: " << words);
  return a.blocks.front();
}

std::string link_text(const Block& b, std::size_t n) {
  return b.text.substr(b.links.at(n).begin, b.links.at(n).end - b.links.at(n).begin);
}

double cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

BOOST_AUTO_TEST_SUITE(inline_refs)

BOOST_AUTO_TEST_CASE(relative_links_resolve_against_the_page_url) {
  Article a = extract_page(page("<p>Read <a href=\"../2025/plan.html?a=1#top\">last year's plan</a> and "
                                "<a href=\"/about\">about us</a> before the vote. " + kProse + "</p>"));
  const Block& b = block_with(a, "last year's plan");
  BOOST_TEST_REQUIRE(b.links.size() == 2u);
  BOOST_TEST(link_text(b, 0) == "last year's plan");
  BOOST_TEST(b.links[0].url == "https://news.example/world/2025/plan.html?a=1#top");
  BOOST_TEST(link_text(b, 1) == "about us");
  BOOST_TEST(b.links[1].url == "https://news.example/about");
}

BOOST_AUTO_TEST_CASE(javascript_data_and_mailto_links_are_dropped_and_their_text_kept) {
  const std::string body = "<p>Click <a href=\"javascript:alert(1)\">here</a>, <a href=\" JavaScript:void(0)\">there</a>, "
                           "<a href=\"data:text/html,x\">data</a> or <a href=\"mailto:a@b.example\">mail</a> or "
                           "<a href=\"https://ok.example/\">ok</a>. " + kProse + "</p>";
  Article a = extract_page(page(body));
  const Block& b = block_with(a, "Click here, there, data or mail or ok.");
  BOOST_TEST_REQUIRE(b.links.size() == 1u);
  BOOST_TEST(link_text(b, 0) == "ok");
  BOOST_TEST(b.links[0].url == "https://ok.example/");
}

BOOST_AUTO_TEST_CASE(without_a_page_url_relative_links_stay_relative_and_other_schemes_go) {
  Article a = extract_page(page("<p>See <a href=\"plan.html\">the plan</a> and <a href=\"javascript:x()\">this</a>. " +
                                kProse + "</p>"),
                           "");
  const Block& b = block_with(a, "the plan");
  BOOST_TEST_REQUIRE(b.links.size() == 1u);
  BOOST_TEST(b.links[0].url == "plan.html");
}

BOOST_AUTO_TEST_CASE(nested_inline_markup_inside_a_link_is_one_link) {
  Article a = extract_page(page("<p>The <a href=\"/x\"><em>new</em> <strong>bus <i>routes</i></strong></a> open soon. " +
                                kProse + "</p>"));
  const Block& b = block_with(a, "new bus routes");
  BOOST_TEST_REQUIRE(b.links.size() == 1u);
  BOOST_TEST(link_text(b, 0) == "new bus routes");
  BOOST_TEST(to_markdown(a, {.links = true}).find("The [new bus routes](https://news.example/x) open soon.") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_link_spanning_a_whole_paragraph_covers_its_text) {
  HtmlDocument doc = HtmlDocument::parse("<body><p><a href=\"/all\">  The whole <b>paragraph</b>\n is a link.  </a></p>"
                                         "<p>Plain <a href=\"/a\">one</a><a href=\"/b\">two</a></p></body>");
  FlatDom dom = flatten(doc.root(), 10'000);
  std::vector<TextBlock> blocks = segment(dom, 0);
  BOOST_TEST_REQUIRE(blocks.size() == 2u);
  BOOST_TEST(blocks[0].text == "The whole paragraph is a link.");
  BOOST_TEST_REQUIRE(blocks[0].links.size() == 1u);
  BOOST_TEST(blocks[0].links[0].begin == 0);
  BOOST_TEST(blocks[0].links[0].end == std::int32_t(blocks[0].text.size()));
  // Two anchors side by side stay two links.
  BOOST_TEST(blocks[1].text == "Plain onetwo");
  BOOST_TEST_REQUIRE(blocks[1].links.size() == 2u);
  BOOST_TEST(blocks[1].links[0].end == blocks[1].links[1].begin);
  std::vector<InlineLink> links = block_links(dom, blocks[0], kUrl);
  BOOST_TEST_REQUIRE(links.size() == 1u);
  BOOST_TEST(links[0].url == "https://news.example/all");
}

BOOST_AUTO_TEST_CASE(block_text_is_the_same_as_without_links_and_images) {
  const std::string with = page("<p>The <a href=\"/x\">new <em>routes</em></a> open <img src=\"/bus.jpg\" alt=\"bus\"> soon, "
                                "<a href=\"/y\">said</a> the mayor. " + kProse + "</p>");
  const std::string without = page("<p>The <span>new <em>routes</em></span> open  soon, <span>said</span> the mayor. " +
                                   kProse + "</p>");
  // Link characters weigh in the extractor's scores; the text kept and its bytes are the same here.
  BOOST_TEST(to_plain_text(extract_page(with)) == to_plain_text(extract_page(without)));
}

BOOST_AUTO_TEST_CASE(images_keep_their_place_alt_and_lazy_source) {
  Article a = extract_page(page("<figure><img src=\"/img/bus.jpg\" alt=\"A  new\n bus\"><figcaption>Credit: City</figcaption></figure>"
                                "<p>Before <img data-src=\"inline.png\" src=\"/missing-image.svg\"> after, and "
                                "<img src=\"/pixel.gif\" width=\"1\" height=\"1\"> a pixel. " + kProse + "</p>"));
  // The figure's caption is dropped as a credit line; its image goes before the next kept block.
  const Block& b = block_with(a, "Before after");
  BOOST_TEST_REQUIRE(b.images.size() == 2u);  // the figure's, then the inline one; no pixel
  BOOST_TEST(b.images[0].at == 0u);
  BOOST_TEST(b.images[1].src == "https://news.example/world/2026/inline.png");
  BOOST_TEST(b.images[1].alt.empty());
  BOOST_TEST(b.text.substr(0, b.images[1].at) == "Before");
  // The figure's image, with its alt collapsed.
  bool found = false;
  for (const Block& block : a.blocks)
    for (const InlineImage& image : block.images)
      if (image.src == "https://news.example/img/bus.jpg") {
        found = true;
        BOOST_TEST(image.alt == "A new bus");
      }
  BOOST_TEST(found);
  // The navigation's logo is not the article's.
  for (const Block& block : a.blocks)
    for (const InlineImage& image : block.images) BOOST_TEST(image.src.find("logo") == std::string::npos);
  const std::string md = to_markdown(a, {.images = true});
  BOOST_TEST(md.find("![A new bus](https://news.example/img/bus.jpg)") != std::string::npos, md);
  BOOST_TEST(md.find("Before\n\n![](https://news.example/world/2026/inline.png)\n\nafter, and") != std::string::npos, md);
  // Without the switch, the Markdown is the text's.
  BOOST_TEST(to_markdown(a).find("![") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(picture_elements_give_their_img) {
  Article a = extract_page(page("<p>Photo <picture><source srcset=\"/big.webp\"><img src=\"/small.jpg\" alt=\"x\"></picture> here. " +
                                kProse + "</p>"));
  const Block& b = block_with(a, "Photo here");
  BOOST_TEST_REQUIRE(b.images.size() == 1u);
  BOOST_TEST(b.images[0].src == "https://news.example/small.jpg");
}

BOOST_AUTO_TEST_CASE(web_url_keeps_http_only) {
  BOOST_TEST(web_url(kUrl, "b.html") == "https://news.example/world/2026/b.html");
  BOOST_TEST(web_url(kUrl, "//cdn.example/a.png") == "https://cdn.example/a.png");
  BOOST_TEST(web_url(kUrl, "ftp://files.example/a") == "");
  BOOST_TEST(web_url(kUrl, "javascript:alert(1)") == "");
  BOOST_TEST(web_url(kUrl, "data:image/png;base64,AAAA") == "");
  BOOST_TEST(web_url(kUrl, "") == "");
  BOOST_TEST(web_url(kUrl, "a b.html") == "https://news.example/world/2026/a%20b.html");
}

BOOST_AUTO_TEST_CASE(a_megabyte_href_is_dropped_and_costs_linear_time) {
  const std::string huge = "https://news.example/" + std::string(1 << 20, 'a');
  const double start = cpu_seconds();
  Article a = extract_page(page("<p>A <a href=\"" + huge + "\">huge link</a> and <img src=\"" + huge + "\"> here. " +
                                kProse + "</p>"));
  const double spent = cpu_seconds() - start;
  const Block& b = block_with(a, "A huge link and here.");
  BOOST_TEST(b.links.empty());
  BOOST_TEST(b.images.empty());
  BOOST_TEST(spent < 2.0, spent << " s CPU");
}

BOOST_AUTO_TEST_CASE(ten_thousand_links_in_one_paragraph_cost_linear_time) {
  auto paragraph = [](int links) {
    std::string p = "<p>";
    for (int n = 0; n < links; ++n)
      p += "words before <a href=\"/p/" + std::to_string(n) + "?q=(x)\">link [" + std::to_string(n) +
           "]</a> and plain words after it, ";
    return p + "the end.</p>";
  };
  auto cost = [&](int links, Article& a) {
    const std::string html = page(paragraph(links));
    const double start = cpu_seconds();
    a = extract_page(html);
    std::string md = to_markdown(a, {.links = true, .images = true});
    BOOST_TEST(md.size() > html.size() / 2);
    return cpu_seconds() - start;
  };
  Article small, big;
  const double t1 = cost(10'000, small);
  const double t4 = cost(40'000, big);
  const Block& b = block_with(small, "link [9999]");
  BOOST_TEST(b.links.size() == 10'000u);
  BOOST_TEST(link_text(b, 9999) == "link [9999]");
  BOOST_TEST(b.links[9999].url == "https://news.example/p/9999?q=(x)");
  BOOST_TEST(block_with(big, "link [39999]").links.size() == 40'000u);
  // Four times the links, about four times the time: quadratic work would take sixteen.
  BOOST_TEST(t4 < 8 * t1 + 0.2, "10k links: " << t1 << " s, 40k links: " << t4 << " s");
  BOOST_TEST(t4 < 4.0, t4 << " s CPU");
}

BOOST_AUTO_TEST_SUITE_END()
