// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/photo (a picture of the plant) and /api/v1/memo (free-text notes), kept under
// data_dir. Photos are checked by their first bytes, not by what the browser claims.
#include <cstdio>
#include <filesystem>

#include "files.hpp"
#include "server.hpp"

namespace apsecu::api {

namespace {

constexpr std::size_t kMaxMemoBytes = 64 << 10;

struct ImageType {
  const char* ext;
  const char* mime;
};
constexpr ImageType kImageTypes[] = {{"jpg", "image/jpeg"}, {"png", "image/png"}, {"webp", "image/webp"}};

const ImageType* sniff(const std::string& head) {
  const auto at = [&](std::size_t i) { return i < head.size() ? static_cast<unsigned char>(head[i]) : 0u; };
  if (at(0) == 0xFF && at(1) == 0xD8 && at(2) == 0xFF) return &kImageTypes[0];
  if (head.rfind("\x89PNG\r\n\x1a\n", 0) == 0) return &kImageTypes[1];
  if (head.size() >= 12 && head.compare(0, 4, "RIFF") == 0 && head.compare(8, 4, "WEBP") == 0) return &kImageTypes[2];
  return nullptr;
}

std::optional<std::pair<std::string, const ImageType*>> current_photo(const Api& api) {
  for (const auto& t : kImageTypes) {
    auto p = data_path(api.backend.data_dir(), std::string("photo.") + t.ext);
    std::error_code ec;
    if (std::filesystem::exists(p, ec)) return std::pair{p, &t};
  }
  return std::nullopt;
}

json memo_json(const Api& api) {
  const auto path = data_path(api.backend.data_dir(), "memo.txt");
  auto text = read_file(path, kMaxMemoBytes);
  std::error_code ec;
  const auto t = std::filesystem::last_write_time(path, ec);
  json updated = nullptr;
  if (!ec) {
    updated = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::file_clock::to_sys(t).time_since_epoch())
                  .count();
  }
  return {{"text", text.value_or("")}, {"updated_s", updated}};
}

}  // namespace

void add_file_routes(Api& api) {
  api.get("/api/v1/photo", Access::Public, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    const auto photo = current_photo(api);
    if (!photo) return send_error(res, 404, "no_photo", "no photo uploaded yet");
    auto data = read_file(photo->first, api.options.max_photo_bytes);
    if (!data) return send_error(res, 500, "failed", "the photo could not be read");
    res.set_content(*data, photo->second->mime);
  });

  api.upload("PUT", "/api/v1/photo",
             [&api](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader, const Caller&) {
               const auto tmp = data_path(api.backend.data_dir(), ".photo-upload.tmp");
               std::string head;
               if (!receive_upload(req, res, reader, tmp, api.options.max_photo_bytes, &head)) {
                 std::remove(tmp.c_str());
                 return;
               }
               const auto* type = sniff(head);
               if (!type) {
                 std::remove(tmp.c_str());
                 return send_error(res, 415, "not_an_image", "the photo must be a JPEG, PNG or WebP picture");
               }
               for (const auto& t : kImageTypes) {
                 std::remove(data_path(api.backend.data_dir(), std::string("photo.") + t.ext).c_str());
               }
               const auto dest = data_path(api.backend.data_dir(), std::string("photo.") + type->ext);
               if (std::rename(tmp.c_str(), dest.c_str()) != 0) {
                 std::remove(tmp.c_str());
                 return send_error(res, 500, "failed", "the photo could not be stored");
               }
               send_json(res, {{"type", type->mime}});
             });

  api.del("/api/v1/photo", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    for (const auto& t : kImageTypes) std::remove(data_path(api.backend.data_dir(), std::string("photo.") + t.ext).c_str());
    send_json(res, {{"deleted", true}});
  });

  api.get("/api/v1/memo", Access::Public, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    send_json(res, memo_json(api));
  });

  api.put("/api/v1/memo", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    auto body = json_body(req, res);
    if (!body) return;
    auto text = string_field(*body, res, "text", kMaxMemoBytes, false);
    if (!text) return;
    if (auto st = write_file_atomic(data_path(api.backend.data_dir(), "memo.txt"), *text); !st) {
      return send_failure(res, st.error());
    }
    send_json(res, memo_json(api));
  });
}

}  // namespace apsecu::api
