// SPDX-License-Identifier: GPL-3.0-or-later
// Archives that must be refused, each with a clear message, and with nothing changed: not
// the history, not the settings, and no file left in the data directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "../src/manifest.hpp"
#include "../src/sha256.hpp"
#include "support.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::backup;
using namespace apsecu::backup::test;
using ::testing::HasSubstr;

class HostileArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = create_archive(data_.tmp.file("good.tar.gz"), data_.settings_path, *data_.store);
    ASSERT_TRUE(made) << made.error().describe();
    good_ = made->path;
    parts_ = read_archive(good_);
    ASSERT_EQ(parts_.size(), 3U);
    write_days(*data_.store, 3, 5);  // the live history moved on since
    settings_before_ = read_text(data_.settings_path);
    audit_before_ = audit_size();
    total_before_ = total();
  }

  std::size_t audit_size() {
    auto a = data_.store->audit_log(1000);
    return a ? a->size() : 0;
  }
  std::int64_t total() {
    auto s = data_.store->statistics();
    return s ? s->total_mwh : -1;
  }

  const std::string& part(const char* name) {
    for (auto& p : parts_) {
      if (p.name == name) return p.data;
    }
    throw std::runtime_error(name);
  }

  // The archive's parts with `name` replaced and a manifest that matches them: only the
  // content itself can be what is refused.
  std::vector<RawEntry> consistent_with(const char* name, std::string data) {
    std::vector<RawEntry> out = parts_;
    for (auto& p : out) {
      if (p.name == name) p.data = std::move(data);
    }
    auto m = detail::parse_manifest(part(kManifestName));
    EXPECT_TRUE(m);
    for (auto& f : m->files) {
      for (const auto& p : out) {
        if (p.name == f.name) {
          f.bytes = static_cast<std::int64_t>(p.data.size());
          f.sha256 = detail::sha256_hex(p.data);
        }
      }
    }
    out[0].data = detail::manifest_json(*m);
    return out;
  }

  std::string write(const std::string& name, const std::vector<RawEntry>& entries) {
    const auto path = data_.tmp.file(name);
    write_archive(path, entries);
    return path;
  }

  void expect_refused(const std::string& archive, Errc code, const std::string& words, const Limits& limits = Limits{}) {
    auto r = restore_archive(archive, data_.dir, data_.settings_path, *data_.store,
                             with_settings(SettingsPolicy::Replace, limits));
    ASSERT_FALSE(r) << archive << " was restored";
    EXPECT_EQ(r.error().code, code) << r.error().describe();
    EXPECT_THAT(r.error().describe(), HasSubstr(words));
    EXPECT_EQ(total(), total_before_);
    EXPECT_EQ(audit_size(), audit_before_);
    EXPECT_EQ(read_text(data_.settings_path), settings_before_);
    EXPECT_FALSE(fs::exists(data_.settings_path + ".bak"));
    for (const auto& e : fs::directory_iterator(data_.dir)) {
      const auto n = e.path().filename().string();
      EXPECT_EQ(n.rfind(".restore-", 0), std::string::npos) << "left behind: " << n;
    }
    EXPECT_FALSE(fs::exists(data_.tmp.file("x")));
  }

  DataDir data_;
  std::string good_;
  std::vector<RawEntry> parts_;
  std::string settings_before_;
  std::size_t audit_before_ = 0;
  std::int64_t total_before_ = 0;
};

TEST_F(HostileArchive, TheGoodOneIsAccepted) {
  auto r = restore_archive(good_, data_.dir, data_.settings_path, *data_.store);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->merge.samples_added, 0);
}

TEST_F(HostileArchive, PathTraversal) {
  auto entries = parts_;
  entries.push_back({"../x", "owned"});
  expect_refused(write("dotdot.tar.gz", entries), Errc::Unsafe, "'../x' points outside the target directory");
  entries.back().name = "a/../../x";
  expect_refused(write("dotdot2.tar.gz", entries), Errc::Unsafe, "outside the target");
}

TEST_F(HostileArchive, AbsolutePath) {
  auto entries = parts_;
  entries.insert(entries.begin(), {"/tmp/apsecu-owned", "owned"});
  expect_refused(write("abs.tar.gz", entries), Errc::Unsafe, "'/tmp/apsecu-owned' is an absolute path");
  EXPECT_FALSE(fs::exists("/tmp/apsecu-owned"));
}

TEST_F(HostileArchive, Symlink) {
  std::vector<RawEntry> entries = {parts_[0], parts_[1], {"apsecu.db", "", AE_IFLNK, "/etc/passwd"}};
  expect_refused(write("symlink.tar.gz", entries), Errc::Unsafe, "'apsecu.db' is a symbolic link (to '/etc/passwd')");
}

TEST_F(HostileArchive, HardLink) {
  std::vector<RawEntry> entries = {parts_[0], parts_[1], {"apsecu.db", "", AE_IFREG, "apsecu.json", true}};
  expect_refused(write("hardlink.tar.gz", entries), Errc::Unsafe, "hard link");
}

TEST_F(HostileArchive, DeviceAndDirectory) {
  auto dev = parts_;
  dev.push_back({"apsecu.db", "", AE_IFCHR});
  dev.erase(dev.begin() + 2);
  expect_refused(write("dev.tar.gz", dev), Errc::Unsafe, "device");
  auto dir = parts_;
  dir.insert(dir.begin(), {"apsecu.db", "", AE_IFDIR});
  expect_refused(write("dir.tar.gz", dir), Errc::Unsafe, "directory");
}

TEST_F(HostileArchive, UnknownFile) {
  auto entries = parts_;
  entries.push_back({"evil.sh", "#!/bin/sh\nrm -rf /\n"});
  expect_refused(write("unknown.tar.gz", entries), Errc::Unsafe, "unexpected file 'evil.sh'");
}

TEST_F(HostileArchive, DuplicateEntry) {
  std::vector<RawEntry> entries = {parts_[0], parts_[1], parts_[1]};
  expect_refused(write("twice.tar.gz", entries), Errc::Unsafe, "'apsecu.json' appears twice");
}

TEST_F(HostileArchive, MissingManifest) {
  expect_refused(write("nomanifest.tar.gz", {parts_[1], parts_[2]}), Errc::Malformed, "has no manifest.json");
  expect_refused(write("nodb.tar.gz", {parts_[0], parts_[1]}), Errc::Malformed, "has no apsecu.db");
}

TEST_F(HostileArchive, OversizeEntryTotalCountAndArchive) {
  const auto size = static_cast<std::int64_t>(part(kDatabaseName).size());
  expect_refused(good_, Errc::TooLarge, "'apsecu.db' is", limits([&](Limits& l) { l.database_bytes = size - 1; }));
  expect_refused(good_, Errc::TooLarge, "unpacks to more than", limits([&](Limits& l) { l.total_bytes = size; }));
  expect_refused(good_, Errc::TooLarge, "more than 2 entries", limits([](Limits& l) { l.entries = 2; }));
  expect_refused(good_, Errc::TooLarge, "good.tar.gz' is", limits([](Limits& l) { l.archive_bytes = 100; }));
  // A settings file the size of a database.
  expect_refused(write("bigsettings.tar.gz", consistent_with(kSettingsName, std::string(2 << 20, ' '))),
                 Errc::TooLarge, "'apsecu.json' is");
}

TEST_F(HostileArchive, CorruptedGzip) {
  std::string bytes = read_text(good_);
  for (std::size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
  std::ofstream(data_.tmp.file("corrupt.tar.gz"), std::ios::binary) << bytes;
  expect_refused(data_.tmp.file("corrupt.tar.gz"), Errc::Malformed, "corrupt.tar.gz");
}

TEST_F(HostileArchive, Truncated) {
  const std::string bytes = read_text(good_);
  std::ofstream(data_.tmp.file("cut.tar.gz"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  expect_refused(data_.tmp.file("cut.tar.gz"), Errc::Malformed, "truncated");
}

// libarchive ignores the gzip trailer; apsecu checks it before reading any entry.
TEST_F(HostileArchive, AWrongGzipChecksum) {
  std::string bytes = read_text(good_);
  bytes[bytes.size() - 6] = static_cast<char>(bytes[bytes.size() - 6] ^ 0x01);
  std::ofstream(data_.tmp.file("crc.tar.gz"), std::ios::binary) << bytes;
  expect_refused(data_.tmp.file("crc.tar.gz"), Errc::Malformed, "the gzip checksum does not match");
}

// Ten megabytes of zeros pack into a few kilobytes: refused by the first pass, before a
// byte is unpacked.
TEST_F(HostileArchive, ADecompressionBomb) {
  const auto bomb = write("bomb.tar.gz", consistent_with(kDatabaseName, std::string(10 << 20, '\0')));
  ASSERT_LT(fs::file_size(bomb), 100'000U);
  expect_refused(bomb, Errc::TooLarge, "unpacks to more than", limits([](Limits& l) { l.total_bytes = 1'000'000; }));
}

TEST_F(HostileArchive, NotAnArchiveAtAll) {
  std::ofstream(data_.tmp.file("notes.tar.gz")) << "just some text, not gzip\n";
  expect_refused(data_.tmp.file("notes.tar.gz"), Errc::Malformed, "not a complete .tar.gz");
  expect_refused(data_.tmp.file("absent.tar.gz"), Errc::Io, "does not exist");
}

TEST_F(HostileArchive, ADatabaseThatIsNotSqlite) {
  expect_refused(write("notdb.tar.gz", consistent_with(kDatabaseName, std::string(8192, 'x'))), Errc::DatabaseInvalid,
                 "not an SQLite database");
}

TEST_F(HostileArchive, ADamagedDatabase) {
  std::string db = part(kDatabaseName);
  for (std::size_t i = 4096 * 2; i < db.size() && i < 4096 * 5; ++i) db[i] = '\xA5';
  expect_refused(write("damageddb.tar.gz", consistent_with(kDatabaseName, db)), Errc::DatabaseInvalid, "damaged");
}

TEST_F(HostileArchive, ADatabaseFromANewerApsecu) {
  const auto path = data_.tmp.file("future.db");
  std::ofstream(path, std::ios::binary) << part(kDatabaseName);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto entries = consistent_with(kDatabaseName, read_text(path));
  // The manifest must agree on the version, or that mismatch is what gets refused.
  auto m = detail::parse_manifest(entries[0].data);
  ASSERT_TRUE(m);
  m->schema_version = 99;
  entries[0].data = detail::manifest_json(*m);
  expect_refused(write("future.tar.gz", entries), Errc::TooNew, "newer apsecu");
}

TEST_F(HostileArchive, SettingsThatDoNotValidate) {
  expect_refused(write("badsettings.tar.gz", consistent_with(kSettingsName, R"({"location":{"latitude":200}})")),
                 Errc::SettingsInvalid, "location.latitude");
  expect_refused(write("notjson.tar.gz", consistent_with(kSettingsName, "{not json")), Errc::SettingsInvalid,
                 "not valid JSON");
}

TEST_F(HostileArchive, AFileThatDoesNotMatchItsManifest) {
  auto entries = parts_;
  entries[1].data = R"({"location":{"latitude":10}})";  // valid settings, but not the archived ones
  expect_refused(write("mismatch.tar.gz", entries), Errc::Malformed, "apsecu.json in");
  expect_refused(write("mismatch.tar.gz", entries), Errc::Malformed, "does not match its manifest");
}

TEST_F(HostileArchive, ManifestsThatAreNotOurs) {
  expect_refused(write("manifest1.tar.gz", {{"manifest.json", "[1,2,3]"}, parts_[1], parts_[2]}), Errc::Malformed,
                 "manifest.json");
  auto m = detail::parse_manifest(part(kManifestName));
  ASSERT_TRUE(m);
  m->format_version = kFormatVersion + 1;
  expect_refused(write("newer.tar.gz", {{"manifest.json", detail::manifest_json(*m)}, parts_[1], parts_[2]}),
                 Errc::TooNew, "format version 2");
}

}  // namespace
