#include "evidence/checkpoint.h"

#include <charconv>

#include "base/encoding.h"

namespace tousu::evidence {

std::string FormatCheckpoint(const Checkpoint& c) {
  std::string text = c.origin + "\n" + std::to_string(c.size) + "\n" +
                     Base64Encode(std::string_view(reinterpret_cast<const char*>(c.root.data()), 32)) +
                     "\n";
  for (const auto& e : c.extensions) text += e + "\n";
  return text;
}

StatusOr<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("checkpoint text must end in a newline");
  }
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() < 3) return Status::InvalidArgument("a checkpoint has at least three lines");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return Status::InvalidArgument("the checkpoint's origin line is empty");
  const std::string_view size = lines[1];
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), c.size);
  if (ec != std::errc() || end != size.data() + size.size() || size.empty() ||
      (size.size() > 1 && size[0] == '0')) {
    return Status::InvalidArgument("the checkpoint's tree size is not a decimal number");
  }
  auto root = Base64Decode(lines[2]);
  if (!root || root->size() != 32 || Base64Encode(*root) != lines[2]) {
    return Status::InvalidArgument("the checkpoint's root hash is not base64 of 32 bytes");
  }
  c.root = *HashFromBytes(*root);
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Status::InvalidArgument("the checkpoint has an empty extension line");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

StatusOr<std::string> SignCheckpoint(const NoteSigner& signer, const Checkpoint& c) {
  if (c.origin != signer.name()) {
    return Status::InvalidArgument("checkpoint origin " + c.origin + " is not the key name " +
                                   signer.name());
  }
  return signer.Sign(FormatCheckpoint(c));
}

StatusOr<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier, std::string_view signed_note) {
  TOUSU_ASSIGN_OR_RETURN(std::string text, verifier.Open(signed_note));
  TOUSU_ASSIGN_OR_RETURN(Checkpoint c, ParseCheckpoint(text));
  if (c.origin != verifier.name()) {
    return Status::InvalidArgument("the checkpoint is for log " + c.origin + ", but the key is " +
                                   verifier.name() + "'s");
  }
  return c;
}

}  // namespace tousu::evidence
