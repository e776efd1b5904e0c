#include "core/store/directquery.h"

#include <sqlite3.h>

namespace Recourse::Store {

DirectQuery::DirectQuery(sqlite3 *connection, const QString &sql) : m_connection(connection)
{
    if (!m_connection) {
        m_error = QStringLiteral("The connection is not an open SQLite connection.");
        return;
    }
    const QByteArray text = sql.toUtf8();
    if (sqlite3_prepare_v2(m_connection, text.constData(), int(text.size()), &m_statement, nullptr) != SQLITE_OK) {
        m_error = QString::fromUtf8(sqlite3_errmsg(m_connection));
        m_statement = nullptr;
    }
}

DirectQuery::~DirectQuery()
{
    sqlite3_finalize(m_statement);
}

void DirectQuery::addBindValue(const QVariant &value)
{
    m_binds.append(value);
}

bool DirectQuery::exec()
{
    const QList<QVariant> binds = std::exchange(m_binds, {});
    m_stepped = false;
    if (!m_statement)
        return false;

    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    for (int i = 0; i < binds.size(); ++i) {
        const QVariant &value = binds.at(i);
        int rc = SQLITE_OK;
        if (value.isNull()) {
            rc = sqlite3_bind_null(m_statement, i + 1);
        } else if (value.typeId() == QMetaType::LongLong || value.typeId() == QMetaType::Int
                   || value.typeId() == QMetaType::Bool) {
            rc = sqlite3_bind_int64(m_statement, i + 1, value.toLongLong());
        } else if (value.typeId() == QMetaType::Double) {
            rc = sqlite3_bind_double(m_statement, i + 1, value.toDouble());
        } else if (value.typeId() == QMetaType::QByteArray) {
            // Already UTF-8, the store's encoding, so SQLite keeps it without a conversion.
            const QByteArray text = value.toByteArray();
            rc = sqlite3_bind_text(m_statement, i + 1, text.constData(), int(text.size()), SQLITE_TRANSIENT);
        } else {
            const QString text = value.toString();
            rc = sqlite3_bind_text16(m_statement, i + 1, text.utf16(), int(text.size() * sizeof(char16_t)),
                                     SQLITE_TRANSIENT);
        }
        if (rc != SQLITE_OK) {
            m_error = QString::fromUtf8(sqlite3_errmsg(m_connection));
            return false;
        }
    }

    // The first step runs the query, so its errors surface here as QSqlQuery::exec() reports them.
    m_firstStep = sqlite3_step(m_statement);
    m_stepped = true;
    if (m_firstStep != SQLITE_ROW && m_firstStep != SQLITE_DONE) {
        m_error = QString::fromUtf8(sqlite3_errmsg(m_connection));
        sqlite3_reset(m_statement);
        return false;
    }
    return true;
}

bool DirectQuery::next()
{
    if (!m_statement)
        return false;
    if (m_stepped) {
        m_stepped = false;
        return m_firstStep == SQLITE_ROW;
    }
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        m_error = QString::fromUtf8(sqlite3_errmsg(m_connection));
    return false;
}

QVariant DirectQuery::value(int index) const
{
    switch (sqlite3_column_type(m_statement, index)) {
    case SQLITE_INTEGER:
        return QVariant(qint64(sqlite3_column_int64(m_statement, index)));
    case SQLITE_FLOAT:
        return QVariant(sqlite3_column_double(m_statement, index));
    case SQLITE_TEXT: {
        const auto *text = static_cast<const QChar *>(sqlite3_column_text16(m_statement, index));
        const int bytes = sqlite3_column_bytes16(m_statement, index);
        return QVariant(QString(text, bytes / int(sizeof(QChar))));
    }
    case SQLITE_BLOB: {
        const auto *data = static_cast<const char *>(sqlite3_column_blob(m_statement, index));
        return QVariant(QByteArray(data, sqlite3_column_bytes(m_statement, index)));
    }
    default:
        return QVariant();
    }
}

qint64 DirectQuery::lastInsertId() const
{
    return m_connection ? qint64(sqlite3_last_insert_rowid(m_connection)) : 0;
}

void DirectQuery::finish()
{
    m_binds.clear();
    m_stepped = false;
    if (m_statement)
        sqlite3_reset(m_statement);
}

} // namespace Recourse::Store
