#include "daemon/archive/postgres/tsquery.h"

#include <optional>
#include <vector>

#include "daemon/archive/archive.h"

namespace winnow::archive::postgres {
namespace {

enum class Tok { word, string, and_, or_, not_, near, lparen, rparen, star, plus, colon, caret, minus, lbrace,
                 rbrace, comma, end };

struct Token {
  Tok kind;
  std::string text;  // a word's or a string's characters
};

bool is_bareword_char(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == 0x1a;
}

[[noreturn]] void refuse(const std::string& why) { throw BadSearchQuery("fts5: " + why); }

std::vector<Token> tokenize(std::string_view in) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < in.size()) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '\0') refuse("a NUL byte in the query");
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '"') {
      std::string text;
      ++i;
      for (;;) {
        if (i >= in.size()) refuse("unterminated string");
        if (in[i] == '"') {
          if (i + 1 < in.size() && in[i + 1] == '"') {
            text += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (in[i] == '\0') refuse("a NUL byte in the query");
        text += in[i++];
      }
      out.push_back({Tok::string, std::move(text)});
    } else if (is_bareword_char(c)) {
      std::size_t end = i;
      while (end < in.size() && is_bareword_char(static_cast<unsigned char>(in[end]))) ++end;
      std::string word(in.substr(i, end - i));
      i = end;
      Tok kind = Tok::word;
      if (word == "AND") kind = Tok::and_;
      else if (word == "OR") kind = Tok::or_;
      else if (word == "NOT") kind = Tok::not_;
      else if (word == "NEAR" && i < in.size() && in[i] == '(') kind = Tok::near;
      out.push_back({kind, std::move(word)});
    } else {
      Tok kind;
      switch (c) {
        case '(': kind = Tok::lparen; break;
        case ')': kind = Tok::rparen; break;
        case '*': kind = Tok::star; break;
        case '+': kind = Tok::plus; break;
        case ':': kind = Tok::colon; break;
        case '^': kind = Tok::caret; break;
        case '-': kind = Tok::minus; break;
        case '{': kind = Tok::lbrace; break;
        case '}': kind = Tok::rbrace; break;
        case ',': kind = Tok::comma; break;
        default: refuse("syntax error near \"" + std::string(1, static_cast<char>(c)) + "\"");
      }
      out.push_back({kind, std::string(1, static_cast<char>(c))});
      ++i;
    }
  }
  out.push_back({Tok::end, ""});
  return out;
}

// Which weights a subtree may match: bit 0 the title (A), bit 1 the text (B).
constexpr int kAllColumns = 3;

// True when `text` holds something the parser makes a word of (not only punctuation).
bool has_word_char(const std::string& text) {
  for (unsigned char c : text)
    if (is_bareword_char(c)) return true;
  return false;
}

// A quoted tsquery lexeme: ' and \ doubled and escaped.
std::string lexeme(const std::string& text, bool prefix, int columns) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  const bool weighted = columns != kAllColumns;
  if (prefix || weighted) {
    out += ':';
    if (prefix) out += '*';
    if (weighted && (columns & 1)) out += 'A';
    if (weighted && (columns & 2)) out += 'B';
  }
  return out;
}

// An empty optional: a subtree without any word (it matches nothing; its neighbours decide).
using Node = std::optional<std::string>;

Node combine(const Node& left, const char* op, const Node& right) {
  if (!left) return right;
  if (!right) return left;
  return "(" + *left + " " + op + " " + *right + ")";
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Node parse() {
    Node node = or_expr(kAllColumns);
    if (peek() != Tok::end) refuse("syntax error near \"" + tokens_[pos_].text + "\"");
    return node;
  }

 private:
  Tok peek(std::size_t ahead = 0) const {
    return pos_ + ahead < tokens_.size() ? tokens_[pos_ + ahead].kind : Tok::end;
  }
  const Token& take() { return tokens_[pos_++]; }
  void expect(Tok kind, const char* what) {
    if (peek() != kind) refuse(std::string("expected ") + what + (peek() == Tok::end ? " at the end" : " near \"" + tokens_[pos_].text + "\""));
    ++pos_;
  }

  // True when the next tokens start a query (what an implicit AND joins).
  bool starts_query() const {
    switch (peek()) {
      case Tok::word: case Tok::string: case Tok::lparen: case Tok::near: case Tok::caret: case Tok::minus:
      case Tok::lbrace:
        return true;
      default:
        return false;
    }
  }

  Node or_expr(int columns) {
    Node node = and_expr(columns);
    while (peek() == Tok::or_) {
      ++pos_;
      node = combine(node, "|", and_expr(columns));
    }
    return node;
  }

  Node and_expr(int columns) {
    Node node = not_expr(columns);
    for (;;) {
      if (peek() == Tok::and_) {
        ++pos_;
      } else if (!starts_query()) {
        return node;
      }
      node = combine(node, "&", not_expr(columns));
    }
  }

  Node not_expr(int columns) {
    Node node = primary(columns);
    while (peek() == Tok::not_) {
      ++pos_;
      Node right = primary(columns);
      if (node && right) node = "(" + *node + " & !" + *right + ")";
    }
    return node;
  }

  static int column_bit(const std::string& name) {
    if (name == "title") return 1;
    if (name == "text") return 2;
    refuse("no such column: " + name);
  }

  Node primary(int columns) {
    // [-] colspec ':'
    const bool negated = peek() == Tok::minus;
    const std::size_t after_minus = negated ? 1 : 0;
    const Tok first = peek(after_minus);
    if ((first == Tok::word || first == Tok::string) && peek(after_minus + 1) == Tok::colon) {
      pos_ += after_minus;
      int named = column_bit(take().text);
      ++pos_;  // ':'
      return primary_body(columns & (negated ? kAllColumns & ~named : named));
    }
    if (first == Tok::lbrace) {
      pos_ += after_minus + 1;
      int named = 0;
      while (peek() == Tok::word || peek() == Tok::string) named |= column_bit(take().text);
      expect(Tok::rbrace, "}");
      expect(Tok::colon, ":");
      return primary_body(columns & (negated ? kAllColumns & ~named : named));
    }
    if (negated) refuse("syntax error near \"-\"");
    return primary_body(columns);
  }

  Node primary_body(int columns) {
    if (columns == 0) columns = -1;  // no column left: nothing can match
    switch (peek()) {
      case Tok::lparen: {
        // The parser recurses per bracket: a bound keeps a query of 10,000 "(" off the
        // stack. FTS5 refuses past the same depth (SQLITE_FTS5_MAX_EXPR_DEPTH).
        if (++depth_ > kMaxDepth) refuse("the query is nested more than " + std::to_string(kMaxDepth) + " deep");
        ++pos_;
        Node node = or_expr(columns);
        expect(Tok::rparen, ")");
        --depth_;
        return columns < 0 ? Node() : node;
      }
      case Tok::near: {
        // NEAR(a b c, N): matched as a AND b AND c.
        pos_ += 2;
        Node node;
        int phrases = 0;
        while (peek() == Tok::word || peek() == Tok::string) {
          node = combine(node, "&", phrase(columns));
          ++phrases;
        }
        if (phrases == 0) refuse("NEAR without phrases");
        if (peek() == Tok::comma) {
          ++pos_;
          if (peek() != Tok::word) refuse("expected a distance after , in NEAR");
          for (char c : take().text)
            if (c < '0' || c > '9') refuse("expected a distance after , in NEAR");
        }
        expect(Tok::rparen, ")");
        return columns < 0 ? Node() : node;
      }
      case Tok::caret:
        refuse("^ (first token) is not supported on PostgreSQL");
      case Tok::word:
      case Tok::string: {
        Node node = phrase(columns);
        return columns < 0 ? Node() : node;
      }
      default:
        refuse(peek() == Tok::end ? "syntax error: the query ends where a phrase should be"
                                  : "syntax error near \"" + tokens_[pos_].text + "\"");
    }
  }

  // string [*] ( + string [*] )*: one phrase, its words adjacent.
  Node phrase(int columns) {
    std::vector<std::string> words;
    for (;;) {
      if (peek() != Tok::word && peek() != Tok::string) refuse("expected a phrase after +");
      std::string text = take().text;
      const bool prefix = peek() == Tok::star;
      if (prefix) ++pos_;
      if (has_word_char(text)) words.push_back(lexeme(text, prefix, columns < 0 ? kAllColumns : columns));
      if (peek() != Tok::plus) break;
      ++pos_;
    }
    if (words.empty()) return Node();
    std::string out = words.front();
    for (std::size_t i = 1; i < words.size(); ++i) out += " <-> " + words[i];
    return words.size() == 1 ? out : "(" + out + ")";
  }

  static constexpr int kMaxDepth = 256;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;  // brackets open
};

}  // namespace

std::string tsquery_from_fts5(std::string_view fts5) {
  Parser parser(tokenize(fts5));
  return parser.parse().value_or("");
}

std::string loose_tsquery(std::string_view tsquery) {
  std::string out;
  out.reserve(tsquery.size());
  std::size_t i = 0;
  while (i < tsquery.size()) {
    const char c = tsquery[i];
    if (c == '\'') {  // a lexeme, copied as it is: '' and \' inside do not end it
      const std::size_t start = i++;
      while (i < tsquery.size()) {
        if (tsquery[i] == '\\' && i + 1 < tsquery.size()) {
          i += 2;
        } else if (tsquery[i] == '\'') {
          if (i + 1 < tsquery.size() && tsquery[i + 1] == '\'') {
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
      out.append(tsquery.substr(start, i - start));
    } else if (c == '!') {
      return std::string(tsquery);
    } else if (c == '<') {  // <-> or <N>
      const std::size_t end = tsquery.find('>', i);
      if (end == std::string_view::npos) return std::string(tsquery);
      out += '&';
      i = end + 1;
    } else if (c == ':') {  // :*, :A, :*AB ...: the prefix only
      ++i;
      bool prefix = false;
      while (i < tsquery.size() && (tsquery[i] == '*' || (tsquery[i] >= 'A' && tsquery[i] <= 'D'))) {
        prefix = prefix || tsquery[i] == '*';
        ++i;
      }
      if (prefix) out += ":*";
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace winnow::archive::postgres
