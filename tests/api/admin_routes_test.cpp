#include "api/admin_routes.hpp"

#include <gtest/gtest.h>

namespace aibridge::api {
namespace {

using boost::beast::http::verb;

TEST(AdminRoutes, EveryEndpointOnEachOfItsPaths) {
  struct Case {
    const char* target;
    AdminRouteKind kind;
    const char* id;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"/api/v2/aibridge/interceptions?q=model:x", AdminRouteKind::kInterceptions, ""},
           {"/api/experimental/aibridge/interceptions", AdminRouteKind::kInterceptionsExperimental,
            ""},
           {"/api/v2/api/experimental/aibridge/interceptions",
            AdminRouteKind::kInterceptionsExperimental, ""},
           {"/api/v2/aibridge/interceptions/0193c8a0-0000-7000-8000-000000000001?x=1",
            AdminRouteKind::kInterception, "0193c8a0-0000-7000-8000-000000000001"},
           {"/api/v2/aibridge/sessions?limit=5", AdminRouteKind::kSessions, ""},
           {"/api/v2/aibridge/sessions/claude%20s1?x=1", AdminRouteKind::kSession, "claude%20s1"},
           {"/api/v2/aibridge/interceptions/0193c8a0-0000-7000-8000-000000000001/request-logs",
            AdminRouteKind::kRequestLogs, "0193c8a0-0000-7000-8000-000000000001"},
           {"/api/v2/aibridge/interceptions/abc/request-logs/12-abc.req.txt?x",
            AdminRouteKind::kRequestLog, "abc"},
           {"/api/v2/aibridge/usage?group_by=day", AdminRouteKind::kUsage, ""},
           {"/api/v2/aibridge/models", AdminRouteKind::kModels, ""},
           {"/api/v2/aibridge/clients", AdminRouteKind::kClients, ""},
           {"/api/experimental/aibridge/log-requests", AdminRouteKind::kLogRequests, ""},
           {"/api/v2/api/experimental/aibridge/log-requests", AdminRouteKind::kLogRequests, ""},
       }) {
    const AdminRoute route = match_admin_route(verb::get, c.target);
    EXPECT_EQ(route.kind, c.kind) << c.target;
    EXPECT_TRUE(route.method_allowed) << c.target;
    EXPECT_EQ(route.id, c.id) << c.target;
  }
}

TEST(AdminRoutes, ARequestLogFileIsNamedInTheRoute) {
  const AdminRoute file = match_admin_route(
      verb::get, "/api/v2/aibridge/interceptions/abc/request-logs/12-abc.resp.txt");
  EXPECT_EQ(file.file, "12-abc.resp.txt");
  EXPECT_FALSE(match_admin_route(verb::post, "/api/v2/aibridge/interceptions/abc/request-logs")
                   .method_allowed);
}

TEST(AdminRoutes, MethodsAreCheckedAndNamedInAllow) {
  EXPECT_TRUE(
      match_admin_route(verb::post, "/api/experimental/aibridge/log-requests").method_allowed);
  const AdminRoute list = match_admin_route(verb::post, "/api/v2/aibridge/interceptions");
  EXPECT_EQ(list.kind, AdminRouteKind::kInterceptions);
  EXPECT_FALSE(list.method_allowed);
  EXPECT_EQ(list.allow, "GET");
  const AdminRoute toggle =
      match_admin_route(verb::delete_, "/api/experimental/aibridge/log-requests");
  EXPECT_FALSE(toggle.method_allowed);
  EXPECT_EQ(toggle.allow, "GET, POST");
}

TEST(AdminRoutes, TheConsoleIsPublicItsApiIsNot) {
  EXPECT_EQ(match_admin_route(verb::get, "/").kind, AdminRouteKind::kConsoleRedirect);
  EXPECT_EQ(match_admin_route(verb::get, "/console?x").kind, AdminRouteKind::kConsoleRedirect);
  const AdminRoute page = match_admin_route(verb::get, "/console/");
  EXPECT_EQ(page.kind, AdminRouteKind::kConsoleAsset);
  EXPECT_EQ(page.id, "");
  const AdminRoute script = match_admin_route(verb::head, "/console/console.js?v=1");
  EXPECT_EQ(script.kind, AdminRouteKind::kConsoleAsset);
  EXPECT_TRUE(script.method_allowed);
  EXPECT_EQ(script.id, "console.js");
  EXPECT_FALSE(match_admin_route(verb::post, "/console/").method_allowed);
  EXPECT_EQ(match_admin_route(verb::post, "/api/v2/aibridge/console/sign-in").kind,
            AdminRouteKind::kSignIn);
  EXPECT_FALSE(match_admin_route(verb::get, "/api/v2/aibridge/console/sign-in").method_allowed);
  EXPECT_EQ(match_admin_route(verb::post, "/api/v2/aibridge/console/sign-out").kind,
            AdminRouteKind::kSignOut);
  EXPECT_EQ(match_admin_route(verb::get, "/api/v2/aibridge/console/me").kind,
            AdminRouteKind::kConsoleMe);
  for (const AdminRouteKind kind : {AdminRouteKind::kConsoleRedirect, AdminRouteKind::kConsoleAsset,
                                    AdminRouteKind::kSignIn, AdminRouteKind::kSignOut}) {
    EXPECT_TRUE(is_public(kind));
  }
  for (const AdminRouteKind kind : {AdminRouteKind::kConsoleMe, AdminRouteKind::kInterceptions,
                                    AdminRouteKind::kUsage, AdminRouteKind::kLogRequests}) {
    EXPECT_FALSE(is_public(kind));
  }
}

TEST(AdminRoutes, AnythingElseIsNotFound) {
  for (const char* target : {"/api/v2/aibridge/", "/api/v2/aibridge/interceptions/",
                             "/api/v2/aibridge/interceptions/a/b", "/api/v2/aibridge/log-requests",
                             "/api/experimental/aibridge/models", "/api/v2/aibridge/modelsx",
                             "/api/v2/aibridge/interceptionsx", "/api/v2/aibridge/console/sign-inx",
                             "/api/v2/aibridge/interceptions//request-logs",
                             "/api/v2/aibridge/interceptions/a/b/request-logs",
                             "/api/v2/aibridge/interceptions/a/request-logs/",
                             "/api/v2/aibridge/interceptions/a/request-logs/x/y",
                             "/api/v2/aibridge/interceptions/a/request-logsx"}) {
    EXPECT_EQ(match_admin_route(verb::get, target).kind, AdminRouteKind::kNotFound) << target;
  }
}

}  // namespace
}  // namespace aibridge::api
