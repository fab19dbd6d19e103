#include "store/sql/held_rows.h"

#include <algorithm>
#include <iterator>

namespace tousu::sql {

namespace {
// Rows per statement: each count is a statement of its own in the connection's cache, so a
// group uses few (64, and what is left).
constexpr size_t kRowsPerStatement = 64;
}  // namespace

void HeldRows::Add(std::vector<Value> row) {
  if (row.size() != columns_) bad_row_ = true;
  values_.insert(values_.end(), std::make_move_iterator(row.begin()), std::make_move_iterator(row.end()));
  ++rows_;
}

const std::string& HeldRows::StatementFor(size_t rows) {
  if (statements_.size() <= rows) statements_.resize(rows + 1);
  std::string& sql = statements_[rows];
  if (sql.empty()) {
    std::string one = "(";
    for (size_t c = 0; c < columns_; ++c) one += c == 0 ? "?" : ", ?";
    one += ")";
    sql = insert_;
    for (size_t r = 0; r < rows; ++r) sql += (r == 0 ? "" : ", ") + one;
  }
  return sql;
}

Status HeldRows::Flush(Connection& db) {
  if (bad_row_) {
    Clear();
    bad_row_ = false;
    return Status::Internal("a held row for \"" + insert_ + "\" has the wrong number of values");
  }
  for (size_t from = 0; from < rows_; from += kRowsPerStatement) {
    const size_t n = std::min(rows_ - from, kRowsPerStatement);
    std::vector<Value> params(std::make_move_iterator(values_.begin() + static_cast<std::ptrdiff_t>(from * columns_)),
                              std::make_move_iterator(values_.begin() + static_cast<std::ptrdiff_t>((from + n) * columns_)));
    StatusOr<int64_t> done = db.Exec(StatementFor(n), params);
    if (!done.ok()) {
      Clear();
      return done.status();
    }
  }
  Clear();
  return Status::Ok();
}

}  // namespace tousu::sql
