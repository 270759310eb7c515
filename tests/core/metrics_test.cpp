#include "core/metrics.hpp"

#include <string>

#include <gtest/gtest.h>

namespace aibridge::core {
namespace {

TEST(Metrics, OneSeriesPerProviderAndModel) {
  Metrics metrics;
  const ModelSeries& first = metrics.series("openai", "gpt-4.1");
  EXPECT_EQ(&metrics.series("openai", "gpt-4.1"), &first);
  EXPECT_NE(&metrics.series("anthropic", "gpt-4.1"), &first);
  first.interceptions[ModelSeries::kCompleted]->Increment();
  EXPECT_NE(metrics.render().find(
                R"(interceptions_total{model="gpt-4.1",provider="openai",status="completed"} 1)"),
            std::string::npos)
      << metrics.render();
}

TEST(Metrics, AFloodOfModelNamesSharesTheOtherSeries) {
  Metrics metrics;
  for (std::size_t i = 0; i < Metrics::kMaxModels; ++i) {
    metrics.series("openai", "model-" + std::to_string(i));
  }
  // Past the cap, every new name (however many a client invents) lands on model "other".
  const ModelSeries& other = metrics.series("openai", "invented-1");
  EXPECT_EQ(&metrics.series("openai", "invented-2"), &other);
  EXPECT_EQ(&metrics.series("anthropic", "invented-3"), &metrics.series("anthropic", "x"));
  EXPECT_NE(&metrics.series("openai", "model-7"), &other);  // known models keep their series
  other.prompts->Increment();
  const std::string text = metrics.render();
  EXPECT_NE(text.find(R"(interceptions_total{model="other",provider="openai")"), std::string::npos);
  EXPECT_EQ(text.find("invented"), std::string::npos);
}

}  // namespace
}  // namespace aibridge::core
