// SPDX-License-Identifier: GPL-3.0-or-later
// User name and password, TLS with a CA made here by the openssl CLI, client certificates,
// and refusals reported in words a user can act on.
#include <gtest/gtest.h>

#include "apsecu/mqtt/connection.hpp"
#include "apsecu/mqtt/errors.hpp"
#include "sink_support.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::mqtt;
using namespace apsecu::mqtt::test;

TEST(MqttConnack, RefusalsInWords) {
  EXPECT_EQ(connack_error(5, "h:1").describe(), "broker refused the login: not authorised");
  EXPECT_EQ(connack_error(4, "h:1").describe(), "broker refused the login: bad user name or password");
  EXPECT_EQ(connack_error(4, "h:1").code, make_error_code(Errc::LoginRefused));
  EXPECT_EQ(connack_error(2, "h:1").code, make_error_code(Errc::Refused));
  EXPECT_NE(connack_error(2, "h:1").describe().find("client id"), std::string::npos);
}

TEST(MqttSettingsUrl, HostPortSchemeAndCredentials) {
  auto s = settings_from_url("mqtt://192.168.1.10:1884");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->enabled);
  EXPECT_EQ(s->host, "192.168.1.10");
  EXPECT_EQ(s->port, 1884);
  EXPECT_FALSE(s->tls);
  auto t = settings_from_url("mqtts://alice:secret@broker.lan");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->port, 8883);
  EXPECT_EQ(t->username, "alice");
  EXPECT_EQ(t->password, "secret");
  EXPECT_EQ(t->host, "broker.lan");
  EXPECT_FALSE(settings_from_url("http://x:1").ok());
  EXPECT_FALSE(settings_from_url("mqtt://x:99999").ok());
  EXPECT_FALSE(settings_from_url("mqtt://:1883").ok());
}

class MqttLogin : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto pw = (dir_.path() / "passwd").string();
    ASSERT_TRUE(run("mosquitto_passwd -c -b " + pw + " alice secret >/dev/null 2>&1"));
    broker_ = std::make_unique<Broker>(dir_.path(), BrokerConfig{.password_file = pw});
    ASSERT_TRUE(broker_->start());
  }
  config::Mqtt settings(const std::string& password) const {
    config::Mqtt s;
    s.host = "127.0.0.1";
    s.port = broker_->port();
    s.username = "alice";
    s.password = password;
    return s;
  }
  TempDir dir_;
  std::unique_ptr<Broker> broker_;
  util::FakeClock clock_{sample_time()};
};

TEST_F(MqttLogin, TheRightPasswordPublishes) {
  Subscriber sub(broker_->port(), {"plant/#"}, SubscriberOptions{.username = "alice", .password = "secret"});
  ASSERT_TRUE(sub.ready());
  auto options = sink_options_for(broker_->port(), dir_.path() / "q");
  options.settings.username = "alice";
  options.settings.password = "secret";
  MqttSink sink(options, clock_);
  ASSERT_TRUE(sink.start().ok());
  sink.on_cycle(make_report(two_views(0)));
  EXPECT_EQ(sub.wait_for(2).size(), 2U);
  EXPECT_TRUE(test_settings(settings("secret")).ok());
}

TEST_F(MqttLogin, AWrongPasswordIsReportedClearly) {
  auto probe = test_settings(settings("wrong"));
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.error().code, make_error_code(Errc::LoginRefused));
  EXPECT_EQ(probe.error().describe(), "broker refused the login: not authorised");

  auto options = sink_options_for(broker_->port(), dir_.path() / "q");
  options.settings.username = "alice";
  options.settings.password = "wrong";
  MqttSink sink(options, clock_);
  ASSERT_TRUE(sink.start().ok());
  ASSERT_TRUE(eventually([&] { return sink.status().last_error.has_value(); }));
  const auto st = sink.status();
  EXPECT_NE(st.state, LinkState::Connected);
  EXPECT_EQ(st.last_error->describe(), "broker refused the login: not authorised");
  auto test = sink.test_message();
  ASSERT_FALSE(test.ok());
  EXPECT_NE(test.error().describe().find("broker refused the login: not authorised"), std::string::npos);
}

// A CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl
// CLI (EC keys: fast).
class MqttTls : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto d = dir_.path().string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string quiet = " >/dev/null 2>&1";
    ASSERT_TRUE(run("cd " + d + " && openssl req -x509" + ec + " -keyout ca.key -out ca.crt -days 2 -subj '/CN=apsecu test CA'" + quiet));
    ASSERT_TRUE(run("cd " + d + " && openssl req -x509" + ec + " -keyout other.key -out other-ca.crt -days 2 -subj '/CN=someone else'" + quiet));
    ASSERT_TRUE(run("cd " + d + " && openssl req" + ec + " -keyout server.key -out server.csr -subj '/CN=127.0.0.1'" + quiet));
    ASSERT_TRUE(run("cd " + d + " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext && "
                    "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 "
                    "-extfile san.ext" + quiet));
    ASSERT_TRUE(run("cd " + d + " && openssl req" + ec + " -keyout client.key -out client.csr -subj '/CN=apsecu'" + quiet));
    ASSERT_TRUE(run("cd " + d + " && openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
                    "-out client.crt -days 2" + quiet));
  }
  std::string file(const char* name) const { return (dir_.path() / name).string(); }
  std::unique_ptr<Broker> start_broker(bool require_client_cert) {
    auto b = std::make_unique<Broker>(
        dir_.path(), BrokerConfig{.tls_ca = file("ca.crt"), .tls_cert = file("server.crt"), .tls_key = file("server.key"),
                                  .require_client_cert = require_client_cert});
    EXPECT_TRUE(b->start());
    return b;
  }
  config::Mqtt settings(int port, const char* ca) const {
    config::Mqtt s;
    s.host = "127.0.0.1";
    s.port = port;
    s.tls = true;
    s.ca_file = file(ca);
    return s;
  }
  TempDir dir_;
  util::FakeClock clock_{sample_time()};
};

TEST_F(MqttTls, ReadingsGoOutEncrypted) {
  auto broker = start_broker(false);
  Subscriber sub(broker->port(), {"plant/#"}, SubscriberOptions{.ca_file = file("ca.crt")});
  ASSERT_TRUE(sub.ready());
  auto options = sink_options_for(broker->port(), dir_.path() / "q");
  options.settings.tls = true;
  options.settings.ca_file = file("ca.crt");
  MqttSink sink(options, clock_);
  ASSERT_TRUE(sink.start().ok());
  ASSERT_TRUE(eventually([&] { return connected(sink); })) << sink.status().last_error->describe();
  sink.on_cycle(make_report(two_views(0)));
  EXPECT_EQ(sub.wait_for(2).size(), 2U);
  auto probe = test_settings(settings(broker->port(), "ca.crt"));
  ASSERT_TRUE(probe.ok()) << probe.error().describe();
  EXPECT_NE(probe->find("(TLS)"), std::string::npos);
}

TEST_F(MqttTls, AnUntrustedBrokerIsRefusedWithTheReason) {
  auto broker = start_broker(false);
  auto probe = test_settings(settings(broker->port(), "other-ca.crt"));
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.error().code, make_error_code(Errc::Tls)) << probe.error().describe();
  EXPECT_NE(probe.error().describe().find("certificate verify failed"), std::string::npos) << probe.error().describe();

  auto plain = settings(broker->port(), "ca.crt");
  plain.tls = false;
  auto no_tls = test_settings(plain);
  ASSERT_FALSE(no_tls.ok());
  EXPECT_NE(no_tls.error().describe().find("without mqtt.tls?"), std::string::npos) << no_tls.error().describe();

  auto closed = test_settings(settings(free_port(), "ca.crt"));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, make_error_code(Errc::Unreachable)) << closed.error().describe();

  auto missing = settings(broker->port(), "nope.crt");
  auto bad = test_settings(missing);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, make_error_code(Errc::BadSettings));
  EXPECT_NE(bad.error().describe().find("mqtt.ca_file"), std::string::npos);
}

TEST_F(MqttTls, AClientCertificateWhenTheBrokerWantsOne) {
  auto broker = start_broker(true);
  auto s = settings(broker->port(), "ca.crt");
  EXPECT_FALSE(test_settings(s, std::chrono::seconds(2)).ok());
  s.cert_file = file("client.crt");
  s.key_file = file("client.key");
  auto probe = test_settings(s);
  ASSERT_TRUE(probe.ok()) << probe.error().describe();
}

}  // namespace
