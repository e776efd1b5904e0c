#include "core/store/statementcache.h"

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

void StatementCache::resetUsed()
{
    for (const auto &query : m_used)
        query->finish();
    m_used.clear();
}

} // namespace Recourse::Store
