// The body sink of POST /v1/complaints/{id}/evidence: an upload streamed to the blob store
// while it arrives, as the raw body (claims in the query: kind, captured_at, filename,
// order_no, amount_fen; the file's type in Content-Type) or as multipart/form-data (one part
// named "file", the claims as query parameters or form fields). The file never sits in memory;
// past the size limit the upload is refused (413) and its temp file removed.
// Thread-safety: one sink per request.
#ifndef TOUSU_HTTP_EVIDENCE_UPLOAD_H_
#define TOUSU_HTTP_EVIDENCE_UPLOAD_H_

#include <memory>

#include "http/api.h"

namespace tousu::http {

// Room for the multipart framing and form fields around a file of the largest allowed size.
inline constexpr size_t kMultipartOverhead = 64 * 1024;

// Checks the caller, the complaint and (for raw bodies) the claims before the body is read,
// then opens the blob writer.
StatusOr<std::unique_ptr<BodySink>> OpenEvidenceUpload(const ApiDeps& d, Request& req);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_EVIDENCE_UPLOAD_H_
