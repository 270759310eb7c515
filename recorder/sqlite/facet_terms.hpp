#pragma once
// A filter's equality terms as a condition on the SQLite facet dictionary (aibridge_facets).
#include <optional>
#include <string>
#include <vector>

#include "recorder/query.hpp"
#include "recorder/rollups.hpp"
#include "recorder/sqlite/database.hpp"

namespace aibridge::recorder::sqlite {

// The equality terms of a filter as a condition on the facet dictionary. Each term has a fixed
// parameter number (from 101), so the condition can be appended to any statement.
struct FacetTerms {
  struct Term {
    Attribute attribute;
    int parameter;
    std::string value;
  };
  std::vector<Term> terms;
  std::string where;  // "initiator_id = ?102 AND model = ?104", or "" for no terms

  explicit FacetTerms(const InterceptionFilter& filter) {
    add(filter.visible_to, Attribute::kInitiator, 101);
    add(filter.initiator_id, Attribute::kInitiator, 102);
    add(filter.provider, Attribute::kProvider, 103);
    add(filter.model, Attribute::kModel, 104);
    add(filter.client, Attribute::kClient, 105);
    if (filter.status) {
      add(std::string(status_name(*filter.status)), Attribute::kStatus, 106);
    }
  }
  bool empty() const { return terms.empty(); }
  /// " AND facet IN (…)" for the filter's rows, "" when it has no terms.
  std::string on_records() const {
    return empty() ? "" : " AND facet IN (SELECT id FROM aibridge_facets WHERE " + where + ")";
  }
  void bind(Statement& statement) const {
    for (const Term& term : terms) {
      statement.bind(term.parameter, term.value);
    }
  }

 private:
  void add(const std::optional<std::string>& value, Attribute attribute, int parameter) {
    if (!value) {
      return;
    }
    where += where.empty() ? "" : " AND ";
    where += std::string(attribute_column(attribute)) + " = ?" + std::to_string(parameter);
    terms.push_back({attribute, parameter, *value});
  }
};

}  // namespace aibridge::recorder::sqlite
