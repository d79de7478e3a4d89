// SPDX-License-Identifier: GPL-3.0-or-later
#include "auth.hpp"

#include <sodium.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "apsecu/api/errors.hpp"
#include "files.hpp"

namespace apsecu::api {
namespace {

constexpr std::size_t kMinPassword = 8;
constexpr std::size_t kMaxPassword = 128;
constexpr std::size_t kMaxUser = 32;
constexpr std::size_t kMaxBuckets = 1024;

std::string hex(const std::uint8_t* data, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> unhex(std::string_view text) {
  std::array<std::uint8_t, N> out{};
  std::size_t len = 0;
  if (text.size() != 2 * N) return std::nullopt;
  if (sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr) != 0 ||
      len != out.size()) {
    return std::nullopt;
  }
  return out;
}

// What is kept of a cookie's token: its BLAKE2b hash, so neither memory nor the sessions
// file holds anything a browser could present.
std::optional<std::array<std::uint8_t, 32>> token_hash(std::string_view token_hex) {
  const auto token = unhex<32>(token_hex);
  if (!token) return std::nullopt;
  std::array<std::uint8_t, 32> out{};
  crypto_generichash(out.data(), out.size(), token->data(), token->size(), nullptr, 0);
  return out;
}

// Both files are small; anything bigger is not ours and reads as absent.
constexpr std::size_t kMaxFileBytes = 256 * 1024;

std::string read_small_file(const std::string& path) { return read_file(path, kMaxFileBytes).value_or(""); }

}  // namespace

Auth::Auth(const util::Clock& clock, Options options) : clock_(clock), options_(std::move(options)) {
  options_.memlimit_bytes = std::clamp<std::size_t>(options_.memlimit_bytes, crypto_pwhash_MEMLIMIT_MIN, 32u << 20);
  load_sessions();
}

std::optional<std::string> Auth::check_credentials(const std::string& user, const std::string& password) {
  if (user.empty() || user.size() > kMaxUser) return "the user name must be 1 to 32 characters";
  for (const char c : user) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return "the user name may hold letters, digits, '.', '_' and '-' only";
  }
  if (password.size() < kMinPassword) return "the password must be at least 8 characters";
  if (password.size() > kMaxPassword) return "the password must be at most 128 characters";
  return std::nullopt;
}

std::vector<Auth::Account> Auth::load() const {
  const auto j = nlohmann::json::parse(read_small_file(options_.users_file), nullptr, false);
  std::vector<Account> out;
  if (!j.is_object() || !j.contains("users") || !j["users"].is_array()) return out;
  for (const auto& u : j["users"]) {
    if (u.is_object() && u.value("name", "").size() > 0 && u.value("hash", "").size() > 0) {
      out.push_back({u["name"].get<std::string>(), u["hash"].get<std::string>()});
    }
  }
  return out;
}

util::Status Auth::save(const std::vector<Account>& accounts) const {
  nlohmann::json j{{"version", 1}, {"users", nlohmann::json::array()}};
  for (const auto& a : accounts) j["users"].push_back({{"name", a.user}, {"hash", a.hash}});
  return write_file_atomic(options_.users_file, j.dump(2) + "\n", 0600);
}

std::string Auth::hash(const std::string& password) const {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        options_.memlimit_bytes) != 0) {
    return {};  // out of memory
  }
  return std::string(out.data());
}

bool Auth::has_account() const {
  std::lock_guard lock(file_mutex_);
  return !load().empty();
}

util::Status Auth::create_account(const std::string& user, const std::string& password) {
  std::lock_guard lock(file_mutex_);
  if (!load().empty()) return util::make_error(Errc::Busy, "the admin account exists already");
  const auto h = hash(password);
  if (h.empty()) return util::make_error(Errc::Io, "not enough memory to hash the password");
  return save({{user, h}});
}

bool Auth::verify(const std::string& user, const std::string& password) const {
  std::lock_guard lock(file_mutex_);
  const auto accounts = load();
  for (const auto& a : accounts) {
    if (a.user == user) return crypto_pwhash_str_verify(a.hash.c_str(), password.data(), password.size()) == 0;
  }
  // Same work for an unknown user, so timing does not tell which names exist.
  static const std::string kDummy = hash("not-a-real-password");
  [[maybe_unused]] const int ignored = crypto_pwhash_str_verify(kDummy.c_str(), password.data(), password.size());
  return false;
}

util::Status Auth::change_password(const std::string& user, const std::string& password) {
  std::lock_guard lock(file_mutex_);
  auto accounts = load();
  for (auto& a : accounts) {
    if (a.user != user) continue;
    a.hash = hash(password);
    if (a.hash.empty()) return util::make_error(Errc::Io, "not enough memory to hash the password");
    return save(accounts);
  }
  return util::make_error(Errc::Io, "no account named " + user);
}

void Auth::expire_locked(util::SteadyTime now) {
  std::erase_if(sessions_, [now](const Session& s) { return s.info.expires <= now; });
}

void Auth::load_sessions() {
  if (options_.sessions_file.empty()) return;
  const auto j = nlohmann::json::parse(read_small_file(options_.sessions_file), nullptr, false);
  if (!j.is_object() || !j.contains("sessions") || !j["sessions"].is_array()) return;
  // Stored as wall time, which goes on while apsecu is stopped; held as steady time, which
  // a clock change cannot move.
  const auto wall_now = clock_.now();
  const auto steady_now = clock_.steady_now();
  std::lock_guard lock(mutex_);
  for (const auto& e : j["sessions"]) {
    if (!e.is_object() || !e.contains("expires_unix_s") || !e["expires_unix_s"].is_number_integer()) continue;
    const auto hash = unhex<32>(e.value("token_hash", ""));
    const auto user = e.value("user", "");
    const auto csrf = e.value("csrf", "");
    if (!hash || user.empty() || csrf.empty()) continue;
    const util::WallTime expires_wall{std::chrono::seconds(e["expires_unix_s"].get<std::int64_t>())};
    const auto left = std::min<util::WallTime::duration>(expires_wall - wall_now, options_.lifetime);
    if (left <= util::WallTime::duration::zero() || sessions_.size() >= options_.max_sessions) continue;
    const auto expires = steady_now + std::chrono::duration_cast<util::SteadyTime::duration>(left);
    sessions_.push_back({*hash, {user, csrf, expires}});
  }
}

void Auth::save_sessions_locked() const {
  if (options_.sessions_file.empty()) return;
  const auto wall_now = clock_.now();
  const auto steady_now = clock_.steady_now();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : sessions_) {
    const auto left = std::chrono::duration_cast<util::WallTime::duration>(s.info.expires - steady_now);
    list.push_back({{"user", s.info.user},
                    {"csrf", s.info.csrf},
                    {"token_hash", hex(s.token_hash.data(), s.token_hash.size())},
                    {"expires_unix_s", util::unix_seconds(wall_now + left)}});
  }
  (void)write_file_atomic(options_.sessions_file, nlohmann::json{{"version", 1}, {"sessions", list}}.dump(1) + "\n",
                          0600);
}

NewSession Auth::open_session(const std::string& user) {
  std::array<std::uint8_t, 32> token{};
  randombytes_buf(token.data(), token.size());
  std::array<std::uint8_t, 24> csrf{};
  randombytes_buf(csrf.data(), csrf.size());
  NewSession out{hex(token.data(), token.size()),
                 {user, hex(csrf.data(), csrf.size()), clock_.steady_now() + options_.lifetime}};
  Session s{*token_hash(out.token), out.info};
  std::lock_guard lock(mutex_);
  expire_locked(clock_.steady_now());
  if (sessions_.size() >= options_.max_sessions) {
    // The oldest session goes: a forgotten browser tab must not lock the owner out.
    const auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const Session& a, const Session& b) {
      return a.info.expires < b.info.expires;
    });
    sessions_.erase(oldest);
  }
  sessions_.push_back(std::move(s));
  save_sessions_locked();
  return out;
}

std::optional<SessionInfo> Auth::find_session(std::string_view token) const {
  const auto hash = token_hash(token);
  if (!hash) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto now = clock_.steady_now();
  std::optional<SessionInfo> found;
  // Visit every session and compare in constant time: no early exit to time.
  for (const auto& s : sessions_) {
    if (sodium_memcmp(s.token_hash.data(), hash->data(), hash->size()) == 0 && s.info.expires > now) found = s.info;
  }
  return found;
}

void Auth::close_session(std::string_view token) {
  const auto hash = token_hash(token);
  if (!hash) return;
  std::lock_guard lock(mutex_);
  const auto closed = std::erase_if(
      sessions_, [&](const Session& s) { return sodium_memcmp(s.token_hash.data(), hash->data(), hash->size()) == 0; });
  if (closed > 0) save_sessions_locked();
}

void Auth::close_other_sessions(const std::string& user, std::string_view keep) {
  const auto hash = token_hash(keep);
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const Session& s) {
    const bool kept = hash && sodium_memcmp(s.token_hash.data(), hash->data(), hash->size()) == 0;
    return s.info.user == user && !kept;
  });
  save_sessions_locked();
}

std::optional<std::chrono::seconds> Auth::take_attempt(const std::string& address) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.steady_now();
  const double burst = options_.login_burst;
  const double refill_s = static_cast<double>(std::max<std::int64_t>(1, options_.login_refill.count()));
  if (buckets_.size() >= kMaxBuckets && !buckets_.contains(address)) {
    // Forget the addresses whose buckets are full again anyway; if none, the oldest.
    std::erase_if(buckets_, [&](const auto& kv) {
      const double elapsed = std::chrono::duration<double>(now - kv.second.updated).count();
      return kv.second.tokens + elapsed / refill_s >= burst;
    });
    if (buckets_.size() >= kMaxBuckets) buckets_.erase(buckets_.begin());
  }
  auto [it, fresh] = buckets_.try_emplace(address, Bucket{burst, now});
  auto& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst, b.tokens + elapsed / refill_s);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  const auto wait_s = static_cast<std::int64_t>((1.0 - b.tokens) * refill_s) + 1;
  return std::chrono::seconds(wait_s);
}

void Auth::forget_attempts(const std::string& address) {
  std::lock_guard lock(mutex_);
  buckets_.erase(address);
}

}  // namespace apsecu::api
