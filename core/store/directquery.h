#pragma once

#include <QList>
#include <QString>
#include <QVariant>

struct sqlite3;
struct sqlite3_stmt;

namespace Recourse::Store {

// A prepared statement run through SQLite's C API on a connection Qt opened. On every run,
// QSqlQuery::exec() of the Qt 6.4 SQLite driver rebuilds the description of each result column:
// its name, table and declared type, lower-cased and matched. For the eleven columns of a task
// that took about a third of a status poll. Reads on the hot paths use this class instead, and
// its value() returns what QSqlQuery::value() returns for the same row.
class DirectQuery
{
    Q_DISABLE_COPY_MOVE(DirectQuery)

public:
    // Prepares `sql` on `connection`. A statement that fails to prepare reports the error from
    // exec().
    DirectQuery(sqlite3 *connection, const QString &sql);
    ~DirectQuery();

    // Binds the next parameter. A QByteArray binds as text and must hold valid UTF-8; a QString
    // binds as text too, and integers, doubles, booleans and null bind as themselves.
    void addBindValue(const QVariant &value);
    // Runs the statement with the values bound since the last run. False on an error.
    bool exec();
    // Moves to the next row. False after the last row or on an error.
    bool next();
    // Column `index` of the current row: qint64, double, QString, QByteArray or a null QVariant.
    QVariant value(int index) const;
    // Ends the run, so that the statement keeps no read transaction open.
    void finish();
    // The rowid of the last row the connection inserted.
    qint64 lastInsertId() const;
    QString lastError() const { return m_error; }

private:
    sqlite3 *m_connection;
    sqlite3_stmt *m_statement = nullptr;
    QList<QVariant> m_binds;
    QString m_error;
    int m_firstStep = 0; // result of the step that exec() took, returned by the first next()
    bool m_stepped = false;
};

} // namespace Recourse::Store
