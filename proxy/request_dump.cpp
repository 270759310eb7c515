#include "proxy/request_dump.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "core/masking.hpp"
#include "core/threads.hpp"

namespace aibridge::proxy {
namespace {

namespace http = boost::beast::http;

std::string unix_millis() {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

std::string random_suffix() {
  thread_local std::mt19937 random(std::random_device{}());
  static constexpr std::string_view kAlphabet = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out += kAlphabet[random() % kAlphabet.size()];
  }
  return out;
}

void append_headers(std::string& out, const http::fields& fields, bool drop_framing) {
  for (const auto& field : fields) {
    const std::string_view name = field.name_string();
    if (drop_framing && (boost::beast::iequals(name, "transfer-encoding") ||
                         boost::beast::iequals(name, "content-length"))) {
      continue;  // the dumped body is de-chunked and read to the end of the file
    }
    out.append(name);
    out += ": ";
    out += core::is_secret_header(name) ? core::mask_header_value(name, field.value())
                                        : std::string(field.value());
    out += "\r\n";
  }
  out += "\r\n";
}

// Files stay open between appends; the writer thread alone touches them.
class OpenFiles {
 public:
  ~OpenFiles() {
    for (const auto& [id, fd] : files_) {
      ::close(fd);
    }
  }
  void open(std::uint64_t id, const std::string& path) {
    std::error_code ignored;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::filesystem::create_directories(parent, ignored);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      spdlog::warn("request log: cannot create {}: {}", path, std::strerror(errno));
      return;
    }
    files_[id] = fd;
  }
  void append(std::uint64_t id, const std::string& bytes) {
    const auto found = files_.find(id);
    if (found == files_.end()) {
      return;
    }
    std::size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::write(found->second, bytes.data() + written, bytes.size() - written);
      if (n <= 0) {
        spdlog::warn("request log: write failed: {}", std::strerror(errno));
        return;
      }
      written += static_cast<std::size_t>(n);
    }
  }
  void close(std::uint64_t id) {
    const auto found = files_.find(id);
    if (found != files_.end()) {
      ::close(found->second);
      files_.erase(found);
    }
  }

 private:
  std::unordered_map<std::uint64_t, int> files_;
};

}  // namespace

std::string safe_path_component(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    out += safe ? c : '-';
  }
  if (out.empty() || out == "." || out == "..") {
    return "unknown";
  }
  return out;
}

bool is_dump_of(std::string_view name, std::string_view interception_id) {
  const std::size_t digits = name.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos || name[digits] != '-') {
    return false;
  }
  name.remove_prefix(digits + 1);
  const std::string id = safe_path_component(interception_id);
  if (!name.starts_with(id)) {
    return false;
  }
  name.remove_prefix(id.size());
  return name == ".req.txt" || name == ".resp.txt" || name == ".req_error.txt";
}

std::vector<DumpFile> RequestDumper::files_of(std::string_view provider,
                                              std::string_view interception_id) const {
  // Under any model's directory: the model a dump was filed under is the request's.
  std::vector<DumpFile> files;
  std::error_code error;
  const std::filesystem::path root =
      std::filesystem::path(directory_) / safe_path_component(provider);
  // Never throws: a directory that cannot be read (or vanishes meanwhile) lists nothing.
  using Entries = std::filesystem::directory_iterator;
  for (Entries model(root, error); !error && model != Entries(); model.increment(error)) {
    if (model->path().filename() == "passthrough" || !model->is_directory(error)) {
      continue;
    }
    std::error_code inner;
    for (Entries file(model->path(), inner); !inner && file != Entries(); file.increment(inner)) {
      const std::string name = file->path().filename().string();
      if (is_dump_of(name, interception_id) && file->is_regular_file(inner)) {
        files.push_back({name, file->file_size(inner)});
      }
    }
  }
  std::sort(files.begin(), files.end(),
            [](const DumpFile& a, const DumpFile& b) { return a.name < b.name; });
  return files;
}

std::optional<std::string> RequestDumper::path_of(std::string_view provider,
                                                  std::string_view interception_id,
                                                  std::string_view name) const {
  if (!is_dump_of(name, interception_id)) {
    return std::nullopt;  // never a path the caller made up
  }
  std::error_code error;
  const std::filesystem::path root =
      std::filesystem::path(directory_) / safe_path_component(provider);
  using Entries = std::filesystem::directory_iterator;
  for (Entries model(root, error); !error && model != Entries(); model.increment(error)) {
    const std::filesystem::path path = model->path() / name;
    std::error_code missing;
    if (model->path().filename() != "passthrough" &&
        std::filesystem::is_regular_file(path, missing)) {
      return path.string();
    }
  }
  return std::nullopt;
}

RequestDumper::RequestDumper(std::string directory)
    : directory_(std::move(directory)), writer_([this] { run(); }) {}

RequestDumper::~RequestDumper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

std::unique_ptr<ExchangeDump> RequestDumper::bridged(Provider provider, std::string_view model,
                                                     std::string_view interception_id) {
  if (!enabled()) {
    return nullptr;
  }
  return std::make_unique<ExchangeDump>(
      *this, directory_ + "/" + std::string(provider_name(provider)) + "/" +
                 safe_path_component(model) + "/" + unix_millis() + "-" +
                 safe_path_component(interception_id));
}

std::unique_ptr<ExchangeDump> RequestDumper::passthrough(Provider provider,
                                                         std::string_view upstream_path) {
  if (!enabled()) {
    return nullptr;
  }
  std::string_view path = upstream_path.substr(0, upstream_path.find('?'));
  while (path.starts_with('/')) {
    path.remove_prefix(1);
  }
  return std::make_unique<ExchangeDump>(
      *this, directory_ + "/" + std::string(provider_name(provider)) + "/passthrough/" +
                 unix_millis() + "-" + safe_path_component(path) + "-" + random_suffix());
}

std::uint64_t RequestDumper::next_file_id() {
  return next_file_.fetch_add(1);
}

bool RequestDumper::enqueue(Operation operation) {
  {
    std::lock_guard lock(mutex_);
    if (operation.kind == Operation::Kind::kAppend &&
        queued_bytes_ + operation.text.size() > kMaxQueuedBytes) {
      return false;
    }
    queued_bytes_ += operation.text.size();
    queue_.push_back(std::move(operation));
  }
  wake_.notify_one();
  return true;
}

void RequestDumper::flush() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void RequestDumper::run() {
  core::name_thread("ab-dumper");
  core::lower_thread_priority();
  OpenFiles files;
  std::deque<Operation> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      busy_ = false;
      drained_.notify_all();
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping, nothing left
      }
      batch.swap(queue_);
      queued_bytes_ = 0;
      busy_ = true;
    }
    for (const Operation& operation : batch) {
      switch (operation.kind) {
        case Operation::Kind::kOpen:
          files.open(operation.file, operation.text);
          break;
        case Operation::Kind::kAppend:
          files.append(operation.file, operation.text);
          break;
        case Operation::Kind::kClose:
          files.close(operation.file);
          break;
      }
    }
    batch.clear();
  }
}

ExchangeDump::ExchangeDump(RequestDumper& dumper, std::string base_path)
    : dumper_(dumper), base_path_(std::move(base_path)) {}

ExchangeDump::~ExchangeDump() {
  if (response_file_ == 0) {
    return;
  }
  if (dropped_bytes_ > 0) {
    dumper_.enqueue({RequestDumper::Operation::Kind::kAppend, response_file_,
                     "\n[aibridge: " + std::to_string(dropped_bytes_) +
                         " bytes not logged: the request log queue was full]\n"});
  }
  dumper_.enqueue({RequestDumper::Operation::Kind::kClose, response_file_, {}});
}

void ExchangeDump::write_file(const std::string& suffix, std::string content) {
  const std::uint64_t id = dumper_.next_file_id();
  dumper_.enqueue({RequestDumper::Operation::Kind::kOpen, id, base_path_ + suffix});
  if (!dumper_.enqueue({RequestDumper::Operation::Kind::kAppend, id, std::move(content)})) {
    spdlog::warn("request log: queue full, {}{} left empty", base_path_, suffix);
  }
  dumper_.enqueue({RequestDumper::Operation::Kind::kClose, id, {}});
}

void ExchangeDump::request(const http::request<http::string_body>& request) {
  std::string text;
  text.reserve(request.body().size() + 1024);
  text.append(request.method_string());
  text += ' ';
  text.append(request.target());
  text += " HTTP/1.1\r\n";
  append_headers(text, request.base(), false);
  text += request.body();
  write_file(".req.txt", std::move(text));
}

void ExchangeDump::on_response_head(const http::response_header<>& head) {
  std::string text = "HTTP/1.1 " + std::to_string(head.result_int()) + " ";
  text.append(head.reason());
  text += "\r\n";
  append_headers(text, head, true);
  response_file_ = dumper_.next_file_id();
  dumper_.enqueue(
      {RequestDumper::Operation::Kind::kOpen, response_file_, base_path_ + ".resp.txt"});
  const std::size_t size = text.size();
  if (!dumper_.enqueue(
          {RequestDumper::Operation::Kind::kAppend, response_file_, std::move(text)})) {
    dropped_bytes_ += size;
  }
}

void ExchangeDump::on_response_body(std::string_view piece) {
  if (response_file_ == 0) {
    return;
  }
  if (!dumper_.enqueue(
          {RequestDumper::Operation::Kind::kAppend, response_file_, std::string(piece)})) {
    dropped_bytes_ += piece.size();
  }
}

void ExchangeDump::on_no_response(std::string_view error) {
  write_file(".req_error.txt", std::string(error) + "\n");
}

}  // namespace aibridge::proxy
