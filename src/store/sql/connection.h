// A minimal driver interface over one database connection: prepared, cached statements with
// positional `?` parameters and fully read results. SqlTx writes tousu's queries once against
// it; the SQLite and PostgreSQL drivers translate (PostgreSQL gets `$1..$n`).
//
// Thread-safety: a Connection is used by one thread at a time.
#ifndef TOUSU_STORE_SQL_CONNECTION_H_
#define TOUSU_STORE_SQL_CONNECTION_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/status.h"

namespace tousu::sql {

struct Blob {
  std::string bytes;
};

// NULL, integer, text or bytes.
using Value = std::variant<std::monostate, int64_t, std::string, Blob>;

inline Value Null() { return std::monostate{}; }
inline Value Text(std::string_view s) { return std::string(s); }
inline Value Int(int64_t v) { return v; }
inline Value Bytes(std::string_view s) { return Blob{std::string(s)}; }
template <class T>
Value OptInt(const std::optional<T>& v) {
  return v ? Value(static_cast<int64_t>(*v)) : Null();
}

class Row {
 public:
  explicit Row(std::vector<Value> cols) : cols_(std::move(cols)) {}
  size_t size() const { return cols_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(cols_.at(i)); }
  int64_t Int(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  bool Bool(size_t i) const { return Int(i) != 0; }
  // Text or bytes; empty for NULL.
  const std::string& Text(size_t i) const;

 private:
  std::vector<Value> cols_;
};

enum class Dialect { kSqlite, kPostgres };

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;

  // Runs one statement (prepared once per connection and cached by its text) and returns all
  // rows. A uniqueness violation is Conflict; a busy/locked database Unavailable.
  virtual StatusOr<std::vector<Row>> Query(const std::string& sql, const std::vector<Value>& params) = 0;
  // Runs one statement; returns the number of rows it changed.
  virtual StatusOr<int64_t> Exec(const std::string& sql, const std::vector<Value>& params) = 0;
  // Runs statements without parameters (migrations, BEGIN/COMMIT, PRAGMAs).
  virtual Status Script(const std::string& sql) = 0;
};

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQL_CONNECTION_H_
