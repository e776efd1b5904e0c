#include "core/store/statementcache.h"

#include <QSqlDriver>

#include <sqlite3.h>

namespace Recourse::Store {

StatementCache::StatementCache(QSqlDatabase db) : m_db(std::move(db)) { }

StatementCache::~StatementCache()
{
    resetUsed();
}

QSqlQuery &StatementCache::statement(const QString &sql)
{
    if (auto found = m_statements.constFind(sql); found != m_statements.constEnd()) {
        m_used.push_back(found.value());
        return *found.value();
    }

    // Statements in use stay alive through m_used, so forgetting them here is safe.
    if (m_statements.size() >= kMaxStatements)
        m_statements.clear();

    auto query = std::make_shared<QSqlQuery>(m_db);
    // Forward-only: the driver then keeps no copy of the rows already read.
    query->setForwardOnly(true);
    if (query->prepare(sql))
        m_statements.insert(sql, query);
    // Kept in m_used either way, so the reference stays valid until resetUsed().
    m_used.push_back(query);
    return *query;
}

DirectQuery &StatementCache::direct(const QString &sql)
{
    if (auto found = m_direct.constFind(sql); found != m_direct.constEnd()) {
        m_directUsed.push_back(found.value());
        return *found.value();
    }

    // The Qt SQLite driver hands out its sqlite3 connection as a QVariant holding the pointer.
    sqlite3 *connection = nullptr;
    const QVariant handle = m_db.isOpen() ? m_db.driver()->handle() : QVariant();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        connection = *static_cast<sqlite3 *const *>(handle.constData());

    if (m_direct.size() >= kMaxStatements)
        m_direct.clear();
    auto query = std::make_shared<DirectQuery>(connection, sql);
    if (query->lastError().isEmpty())
        m_direct.insert(sql, query);
    m_directUsed.push_back(query);
    return *query;
}

void StatementCache::resetUsed()
{
    for (const auto &query : m_used)
        query->finish();
    m_used.clear();
    for (const auto &query : m_directUsed)
        query->finish();
    m_directUsed.clear();
}

} // namespace Recourse::Store
