// A streaming reader of multipart/form-data bodies (RFC 7578, RFC 2046 §5.1): it is fed the
// body in pieces of any size as they arrive and hands each part's headers and bytes to a
// Handler, holding no more than one piece plus a boundary's length in memory. File parts can so
// go straight to disk.
// Thread-safety: one reader per request body.
#ifndef TOUSU_HTTP_MULTIPART_H_
#define TOUSU_HTTP_MULTIPART_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tousu::http {

struct PartHeader {
  std::string name;                     // Content-Disposition: form-data; name="..."
  std::optional<std::string> filename;  // ...; filename="..." (file parts)
  std::string content_type;             // the part's Content-Type, "" when absent
};

class MultipartHandler {
 public:
  virtual ~MultipartHandler() = default;
  virtual Status OnPartBegin(const PartHeader& header) = 0;
  virtual Status OnPartData(std::string_view bytes) = 0;
  virtual Status OnPartEnd() = 0;
};

class MultipartReader final {
 public:
  // The boundary parameter of a multipart/form-data Content-Type; InvalidArgument otherwise.
  static StatusOr<std::string> BoundaryOf(std::string_view content_type);
  // True when the Content-Type is multipart/form-data (whatever its parameters).
  static bool IsMultipart(std::string_view content_type);

  MultipartReader(std::string boundary, MultipartHandler& handler);

  // The next bytes of the body. InvalidArgument when the body is malformed; the handler's
  // errors are passed through.
  Status Feed(std::string_view bytes);
  // The body ended: InvalidArgument unless the closing boundary was seen.
  Status Finish() const;

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kDone };
  Status ParseHeaders(std::string_view block);

  const std::string delimiter_;  // "\r\n--" + boundary
  MultipartHandler& handler_;
  State state_ = State::kPreamble;
  std::string pending_;  // bytes not yet handed on
  int parts_ = 0;
};

}  // namespace tousu::http

#endif  // TOUSU_HTTP_MULTIPART_H_
