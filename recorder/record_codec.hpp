#pragma once
// The children of an interception as both stores keep them, packed in its row: one JSON array
// per kind, each element an object in the admin API's shape without what the row implies
// (interception_id; the id, when it is the one derived from the interception's, records.hpp) or
// what is at its default (empty metadata, zero cache tokens, no tool_call_id, injected false, no
// server_url or invocation_error), with created_at in microseconds. Bytes written are what the
// writer pays for most, so a child also leaves out a provider_response_id equal to the child
// before it's and a created_at equal to the child before it's plus one (the first: ended_at minus
// the children after it), which is how the gateway stamps them; rows written before this have
// every member, and decode alike. Readable with the databases' JSON functions. Pure.
#include <string>
#include <string_view>
#include <vector>

#include "recorder/records.hpp"

namespace aibridge::recorder {

/// Replaces `out` with `record`'s children as one JSON object with a member per non-empty kind
/// (user_prompts, token_usages, tool_usages, model_thoughts); the caller's buffer keeps its
/// capacity from row to row.
void encode_children(const Interception& record, std::string& out);

/// Appends the children in `json` to `record`'s (whose id must be set). Lenient: text that is not
/// such an object yields no children, a missing member its default.
void decode_children(std::string_view json, Interception& record);

}  // namespace aibridge::recorder
