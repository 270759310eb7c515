#include "proxy/sse_parser.hpp"

#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "tests/mock/responses.hpp"
#include "tests/support/process.hpp"

namespace aibridge::proxy {
namespace {

using Events = std::vector<std::pair<std::string, std::string>>;

Events parse(const std::vector<std::string_view>& pieces, std::size_t max_event = 1 << 20,
             std::size_t* dropped = nullptr) {
  SseParser parser(max_event);
  Events events;
  for (std::string_view piece : pieces) {
    parser.feed(piece, [&](const SseEvent& event) {
      events.emplace_back(event.type, event.data);
      // The padding promise: bytes after the data are readable (ASan would object otherwise).
      volatile char after = event.data.data()[event.data.size() + kSsePadding - 1];
      (void)after;
    });
  }
  if (dropped != nullptr) {
    *dropped = parser.dropped_events();
  }
  return events;
}

Events parse_whole(std::string_view text) {
  return parse({text});
}

TEST(SseParser, SingleEvent) {
  EXPECT_EQ(parse_whole("event: ping\ndata: {}\n\n"), (Events{{"ping", "{}"}}));
}

TEST(SseParser, DefaultTypeIsMessage) {
  EXPECT_EQ(parse_whole("data: x\n\n"), (Events{{"message", "x"}}));
}

TEST(SseParser, MultiLineDataIsJoinedWithLf) {
  EXPECT_EQ(parse_whole("data: a\ndata: b\ndata:\ndata: c\n\n"),
            (Events{{"message", "a\nb\n\nc"}}));
}

TEST(SseParser, OnlyOneLeadingSpaceIsStripped) {
  EXPECT_EQ(parse_whole("data:x\n\ndata:  y\n\n"), (Events{{"message", "x"}, {"message", " y"}}));
}

TEST(SseParser, CommentsAreIgnored) {
  EXPECT_EQ(parse_whole(": keep-alive\ndata: x\n: t=1\n\n:\n\n"), (Events{{"message", "x"}}));
}

TEST(SseParser, AllThreeLineEndings) {
  const Events expected{{"a", "1"}, {"b", "2"}, {"c", "3"}};
  EXPECT_EQ(parse_whole("event: a\rdata: 1\r\revent: b\r\ndata: 2\r\n\r\nevent: c\ndata: 3\n\n"),
            expected);
}

TEST(SseParser, CrLfSplitAcrossReadsIsOneLineEnd) {
  EXPECT_EQ(parse({"data: 1\r", "\n\r", "\ndata: 2\r\n\r\n"}),
            (Events{{"message", "1"}, {"message", "2"}}));
}

TEST(SseParser, BomIsStrippedEvenWhenSplit) {
  EXPECT_EQ(parse_whole("\xEF\xBB\xBF"
                        "data: x\n\n"),
            (Events{{"message", "x"}}));
  EXPECT_EQ(parse({"\xEF", "\xBB",
                   "\xBF"
                   "data: x\n\n"}),
            (Events{{"message", "x"}}));
  EXPECT_EQ(parse({"\xEF\xBB", "data: x\n\n"}), (Events{}));  // not a BOM: a line of garbage
}

TEST(SseParser, EventsWithoutDataAreNotDispatched) {
  EXPECT_EQ(parse_whole("event: lonely\n\nevent: x\ndata: 1\n\n"), (Events{{"x", "1"}}));
}

TEST(SseParser, FieldsWithoutColonAndUnknownFieldsAreIgnoredSafely) {
  // WHATWG: a line without ':' is a field with an empty value; "da" and "ta" are unknown fields.
  EXPECT_EQ(parse_whole("event: e\nda\nta: { broken\n\ndata\n\nid: 7\nretry: 10\ndata: ok\n\n"),
            (Events{{"message", ""}, {"message", "ok"}}));
}

TEST(SseParser, IncompleteEventAtTheEndIsNotDispatched) {
  EXPECT_EQ(parse_whole("data: done\n\ndata: cut"), (Events{{"message", "done"}}));
}

TEST(SseParser, DoneSentinelIsOrdinaryData) {
  EXPECT_EQ(parse_whole("data: [DONE]\n\n"), (Events{{"message", "[DONE]"}}));
}

TEST(SseParser, EventTypeResetsBetweenEvents) {
  EXPECT_EQ(parse_whole("event: a\ndata: 1\n\ndata: 2\n\n"),
            (Events{{"a", "1"}, {"message", "2"}}));
}

TEST(SseParser, OversizedEventsAreDroppedAndCountedWithoutLosingTheNextOnes) {
  const std::string big(500, 'x');
  const std::string text = "data: small\n\ndata: " + big + "\n\ndata: " + big.substr(0, 50) +
                           "\ndata: " + big.substr(0, 60) + "\n\ndata: after\n\n";
  std::size_t dropped = 0;
  EXPECT_EQ(parse({text}, 100, &dropped), (Events{{"message", "small"}, {"message", "after"}}));
  EXPECT_EQ(dropped, 2U);
  // The same when the long line arrives in pieces.
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < text.size(); i += 7) {
    pieces.push_back(std::string_view(text).substr(i, 7));
  }
  EXPECT_EQ(parse(pieces, 100, &dropped), (Events{{"message", "small"}, {"message", "after"}}));
  EXPECT_EQ(dropped, 2U);
}

TEST(SseParser, KnowsWhetherItIsBetweenEvents) {
  SseParser parser(1024);
  const auto ignore = [](const SseEvent&) {};
  EXPECT_TRUE(parser.at_event_boundary());
  parser.feed("data: x", ignore);
  EXPECT_FALSE(parser.at_event_boundary());
  parser.feed("\n", ignore);
  EXPECT_FALSE(parser.at_event_boundary());
  parser.feed("\n", ignore);
  EXPECT_TRUE(parser.at_event_boundary());
}

// Every way of cutting the input gives the same events: each single split point, every pair of
// split points for short inputs, byte by byte, and seeded random cuts.
void expect_split_invariant(const std::string& text) {
  const Events whole = parse_whole(text);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    const std::string_view view(text);
    ASSERT_EQ(parse({view.substr(0, cut), view.substr(cut)}), whole) << "cut at " << cut;
  }
  if (text.size() <= 400) {
    for (std::size_t first = 1; first < text.size(); ++first) {
      for (std::size_t second = first; second < text.size(); ++second) {
        const std::string_view view(text);
        ASSERT_EQ(
            parse({view.substr(0, first), view.substr(first, second - first), view.substr(second)}),
            whole);
      }
    }
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bytes.push_back(std::string_view(text).substr(i, 1));
  }
  ASSERT_EQ(parse(bytes), whole);
  std::mt19937 random(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string_view> pieces;
    for (std::size_t pos = 0; pos < text.size();) {
      const std::size_t size = std::uniform_int_distribution<std::size_t>(1, 40)(random);
      pieces.push_back(std::string_view(text).substr(pos, size));
      pos += size;
    }
    ASSERT_EQ(parse(pieces), whole);
  }
}

TEST(SseParserGrind, HandWrittenStreams) {
  expect_split_invariant(
      "\xEF\xBB\xBF"
      "event: a\r\ndata: 1\r\ndata: 2\r\n\r\n: c\r\revent: b\rdata: x\r\r"
      "data: [DONE]\n\nda\nta: z\n\ndata\n\n");
  expect_split_invariant("event: message_start\ndata: {\"a\":1}\n\nevent: ping\ndata: {}\n\n");
}

TEST(SseParserGrind, EveryFixtureStream) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(AIBRIDGE_SOURCE_DIR) / "tests/fixtures/conformance/fixtures";
  int streams = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const auto section =
        mock::txtar_section(aibridge::testing::read_file(entry.path().string()), "streaming");
    if (section && !section->starts_with("HTTP/")) {
      SCOPED_TRACE(entry.path().string());
      expect_split_invariant(*section);
      ++streams;
    }
  }
  for (const mock::Api api :
       {mock::Api::kAnthropicMessages, mock::Api::kOpenAiChat, mock::Api::kOpenAiResponses}) {
    std::string stream;
    for (const std::string& event : mock::sse_events(api, 5)) {
      stream += event;
    }
    expect_split_invariant(stream);
  }
  EXPECT_GE(streams, 5);
}

}  // namespace
}  // namespace aibridge::proxy
