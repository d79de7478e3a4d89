// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/backup (download a consistent archive) and /api/v1/restore (upload one). The
// upload streams to a file under data_dir with the size checked as it arrives; the
// backend validates the archive before it replaces anything.
#include <sodium.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <fmt/format.h>

#include "apsecu/api/errors.hpp"
#include "files.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

std::string temp_name(const Api& api, std::string_view what) {
  std::array<std::uint8_t, 8> r{};
  randombytes_buf(r.data(), r.size());
  std::string hex(r.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), r.data(), r.size());
  hex.pop_back();
  return data_path(api.backend.data_dir(), fmt::format(".{}-{}.tmp", what, hex));
}

// One backup or restore at a time: each holds a copy of the whole database on disk.
std::mutex& archive_mutex() {
  static std::mutex m;
  return m;
}

// Streams the request body (raw, or the first file part of a multipart form) into `path`;
// false with the reply sent when it is too large or cannot be written.
bool receive(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
             const std::string& path, std::size_t limit, std::string* first_bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    send_error(res, 500, "failed", "cannot write the upload under the data directory");
    return false;
  }
  std::size_t total = 0;
  bool too_large = false;
  const auto sink = [&](const char* data, std::size_t n) {
    total += n;
    if (total > limit) {
      too_large = true;
      return false;
    }
    if (first_bytes && first_bytes->size() < 16) first_bytes->append(data, std::min<std::size_t>(n, 16 - first_bytes->size()));
    out.write(data, static_cast<std::streamsize>(n));
    return static_cast<bool>(out);
  };
  bool ok = true;
  if (req.is_multipart_form_data()) {
    int files = 0;
    ok = reader([&](const httplib::MultipartFormData& f) { return ++files == 1 && !f.filename.empty(); },
                [&](const char* data, std::size_t n) { return sink(data, n); });
  } else {
    ok = reader([&](const char* data, std::size_t n) { return sink(data, n); });
  }
  out.close();
  if (too_large) {
    res.set_header("Connection", "close");
    send_error(res, 413, "too_large", fmt::format("the file is larger than the limit of {} bytes", limit));
    return false;
  }
  if (!ok || !out || total == 0) {
    res.set_header("Connection", "close");
    send_error(res, 400, total == 0 ? "empty_upload" : "upload_failed",
               total == 0 ? "the upload was empty" : "the upload was cut off or could not be stored");
    return false;
  }
  return true;
}

}  // namespace

bool receive_upload(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                    const std::string& path, std::size_t limit, std::string* first_bytes) {
  return receive(req, res, reader, path, limit, first_bytes);
}

void add_backup_routes(Api& api) {
  api.get("/api/v1/backup", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    std::unique_lock lock(archive_mutex(), std::try_to_lock);
    if (!lock) return send_error(res, 503, "busy", "a backup or restore is running; try again when it is done");
    const auto path = temp_name(api, "backup");
    if (auto st = api.backend.backup_to(path); !st) {
      std::remove(path.c_str());
      return send_failure(res, st.error());
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return send_error(res, 500, "failed", "the backup was not written");
    auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
    res.set_header("Content-Disposition",
                   fmt::format("attachment; filename=\"apsecu-backup-{}.backup\"", date_text(api.today())));
    res.set_content_provider(
        static_cast<std::size_t>(size), "application/octet-stream",
        [file](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
          std::array<char, 64 * 1024> buf{};
          file->seekg(static_cast<std::streamoff>(offset));
          file->read(buf.data(), static_cast<std::streamsize>(std::min(length, buf.size())));
          const auto n = file->gcount();
          return n > 0 && sink.write(buf.data(), static_cast<std::size_t>(n));
        },
        [path](bool) { std::remove(path.c_str()); });
  });

  api.upload("POST", "/api/v1/restore",
             [&api](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader, const Caller&) {
               std::unique_lock lock(archive_mutex(), std::try_to_lock);
               if (!lock) {
                 res.set_header("Connection", "close");
                 return send_error(res, 503, "busy", "a backup or restore is running; try again when it is done");
               }
               const auto path = temp_name(api, "restore");
               const bool ok = receive(req, res, reader, path, api.options.max_upload_bytes, nullptr);
               if (!ok) return (void)std::remove(path.c_str());
               auto r = api.backend.restore_from(path);
               std::remove(path.c_str());
               if (!r) {
                 if (r.error().code == Errc::NotSupported || r.error().code == Errc::Busy) return send_failure(res, r.error());
                 return send_error(res, 422, "invalid_backup", r.error().describe());
               }
               send_json(res, {{"restored", true}, {"message", *r}});
             });
}

}  // namespace apsecu::api
