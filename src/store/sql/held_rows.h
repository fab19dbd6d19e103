// HeldRows: rows for one table that the writer's transaction holds back and then writes in a
// few multi-row INSERTs (SqlTx, sql_tx.h). One INSERT statement a row costs more than the
// b-tree insert it makes; a group commit of a few dozen filings writes ~10 rows a filing to
// tables of this kind, so they go in 64 at a time.
//
// Thread-safety: none; owned by one transaction.
#ifndef TOUSU_STORE_SQL_HELD_ROWS_H_
#define TOUSU_STORE_SQL_HELD_ROWS_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "store/sql/connection.h"

namespace tousu::sql {

class HeldRows final {
 public:
  // `insert` is "INSERT INTO t (a, b, c) VALUES " for rows of `columns` values.
  HeldRows(std::string insert, size_t columns) : insert_(std::move(insert)), columns_(columns) {}

  // `row` holds `columns` values (an Internal error at Flush otherwise).
  void Add(std::vector<Value> row);
  size_t size() const { return rows_; }
  void Clear() {
    values_.clear();
    rows_ = 0;
  }
  // Writes the rows held, in order, and forgets them. On an error some may be written: the
  // transaction must then be rolled back.
  Status Flush(Connection& db);

 private:
  // "INSERT ... VALUES (?, ?), (?, ?)" for `rows` rows, built once per count.
  const std::string& StatementFor(size_t rows);

  const std::string insert_;
  const size_t columns_;
  std::vector<Value> values_;
  size_t rows_ = 0;
  bool bad_row_ = false;
  std::vector<std::string> statements_;  // [rows] → its text, "" until built
};

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQL_HELD_ROWS_H_
