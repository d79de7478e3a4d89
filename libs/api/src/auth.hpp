// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The admin account, sessions and the login rate limit.
//
// - The account lives in <data_dir>/users.json (mode 0600) as an argon2id hash from
//   libsodium's crypto_pwhash_str; there is no default password, the first visit sets it.
// - Only one hash runs at a time: each takes `memlimit` bytes and a Pi Zero has 512 MB.
// - Sessions are random 256-bit tokens, each with its own CSRF token. Only a BLAKE2b hash
//   of a token is kept, in memory and in <data_dir>/sessions.json (mode 0600), so a
//   restart keeps everyone logged in while the file alone opens no session. Lookups
//   compare in constant time.
// Thread-safe.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "apsecu/util/clock.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::api {

struct SessionInfo {
  std::string user;
  std::string csrf;
  util::SteadyTime expires;
};

struct NewSession {
  std::string token;  // for the cookie
  SessionInfo info;
};

class Auth {
 public:
  struct Options {
    std::string users_file;
    std::string sessions_file;  // empty: sessions live in memory only
    std::size_t memlimit_bytes = 32u << 20;
    std::chrono::seconds lifetime{12 * 3600};
    std::size_t max_sessions = 32;
    int login_burst = 5;
    std::chrono::seconds login_refill{60};
  };
  Auth(const util::Clock& clock, Options options);

  // False until the first admin account was created.
  [[nodiscard]] bool has_account() const;
  // Creates the first account; refused once one exists.
  util::Status create_account(const std::string& user, const std::string& password);
  [[nodiscard]] bool verify(const std::string& user, const std::string& password) const;
  util::Status change_password(const std::string& user, const std::string& password);

  NewSession open_session(const std::string& user);
  [[nodiscard]] std::optional<SessionInfo> find_session(std::string_view token) const;
  void close_session(std::string_view token);
  // Every session of `user` except the one with `keep` (after a password change).
  void close_other_sessions(const std::string& user, std::string_view keep);

  // Login rate limit per client address: true when an attempt is allowed now (and counts
  // it); otherwise the seconds until the next one is.
  [[nodiscard]] std::optional<std::chrono::seconds> take_attempt(const std::string& address);
  void forget_attempts(const std::string& address);

  // Checks a user name and password against the rules; the message is for a person.
  [[nodiscard]] static std::optional<std::string> check_credentials(const std::string& user,
                                                                    const std::string& password);

 private:
  using TokenHash = std::array<std::uint8_t, 32>;
  struct Session {
    TokenHash token_hash{};
    SessionInfo info;
  };
  struct Bucket {
    double tokens = 0;
    util::SteadyTime updated;
  };
  struct Account {
    std::string user;
    std::string hash;
  };
  [[nodiscard]] std::vector<Account> load() const;
  util::Status save(const std::vector<Account>& accounts) const;
  [[nodiscard]] std::string hash(const std::string& password) const;
  void expire_locked(util::SteadyTime now);
  void load_sessions();
  // Best effort: a session that cannot be written still works until the next restart.
  void save_sessions_locked() const;

  const util::Clock& clock_;
  Options options_;
  mutable std::mutex file_mutex_;  // the users file, and one argon2 hash at a time
  mutable std::mutex mutex_;       // sessions and buckets
  std::vector<Session> sessions_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace apsecu::api
