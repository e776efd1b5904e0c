#pragma once

#include "core/store/directquery.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <memory>
#include <vector>

namespace Recourse::Store {

// The prepared statements of one connection, kept for as long as the connection is used.
// Under callgrind, parsing a short INSERT cost more instructions than running it, and every
// evaluation, submission and status poll runs the same few statements, so each is parsed once.
//
// A statement handed out stays valid until the next resetUsed(), which the caller runs when it is
// done: a SELECT that was not read to the end keeps its read transaction open, and every later
// read on the connection would then see that old snapshot.
class StatementCache
{
    Q_DISABLE_COPY_MOVE(StatementCache)

public:
    explicit StatementCache(QSqlDatabase db);
    ~StatementCache();

    // The statement for `sql`, prepared on first use and ready for new bind values. A statement
    // that fails to prepare is not kept; its exec() then fails with the driver's error.
    QSqlQuery &statement(const QString &sql);
    // The same for a SELECT on a hot path, run through SQLite's C API (see DirectQuery).
    DirectQuery &direct(const QString &sql);
    // Resets every statement handed out since the last call.
    void resetUsed();

private:
    // Dynamic filters build a bounded number of distinct statements; past this many the cache
    // starts over rather than grow.
    static constexpr int kMaxStatements = 256;

    QSqlDatabase m_db;
    QHash<QString, std::shared_ptr<QSqlQuery>> m_statements;
    std::vector<std::shared_ptr<QSqlQuery>> m_used;
    // Declared after m_db so they are finalized before the connection can close.
    QHash<QString, std::shared_ptr<DirectQuery>> m_direct;
    std::vector<std::shared_ptr<DirectQuery>> m_directUsed;
};

} // namespace Recourse::Store
