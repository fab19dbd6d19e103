#include "http/metrics.h"

#include <gtest/gtest.h>

namespace tousu::http {
namespace {

TEST(MetricsPage, MethodsOutsideTheStandardSetShareOneLabel) {
  Metrics m;
  for (int i = 0; i < 100; ++i) m.ObserveRequest("unmatched", "X-" + std::to_string(i), 405, 0.001);
  m.ObserveRequest("/v1/complaints", "POST", 201, 0.002);
  const std::string page = m.Render({});
  EXPECT_EQ(page.find("X-"), std::string::npos) << page;
  EXPECT_NE(page.find("tousu_http_requests_total{route=\"unmatched\",method=\"other\",status=\"405\"} 100\n"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("tousu_http_requests_total{route=\"/v1/complaints\",method=\"POST\",status=\"201\"} 1\n"),
            std::string::npos)
      << page;
}

TEST(MetricsPage, ConnectionsAreShown) {
  Metrics m;
  m.SetOpenConnections(7);
  m.CountRefusedConnection(false);
  m.CountRefusedConnection(false);
  m.CountRefusedConnection(true);
  const std::string page = m.Render({});
  EXPECT_NE(page.find("\ntousu_http_connections_open 7\n"), std::string::npos) << page;
  EXPECT_NE(page.find("\ntousu_http_connections_refused_total{limit=\"max_connections\"} 2\n"), std::string::npos)
      << page;
  EXPECT_NE(page.find("\ntousu_http_connections_refused_total{limit=\"max_connections_per_address\"} 1\n"),
            std::string::npos)
      << page;
}

}  // namespace
}  // namespace tousu::http
