#pragma once

#include <QJsonObject>
#include <QString>
#include <QVarLengthArray>

namespace Recourse::Log {

// One structured member of a log line, kept as text. A literal (a number, a boolean, null, or
// JSON given as it is) is written without quotes by a JSON sink.
struct Field
{
    QString key;
    QString value;
    bool literal = false;
};

// The structured members of a log line, in the order they were added. A later member overrides
// an earlier one of the same name. Building them costs a few string copies: the service logs one
// line per HTTP request, and that line, with its members in a QJsonObject, took more than a
// quarter of the event loop thread at 26,000 requests/s.
class Fields
{
public:
    using Storage = QVarLengthArray<Field, 8>;

    Fields() = default;
    // Strings stay strings, numbers, booleans and null become literals, and objects and arrays
    // become compact JSON literals.
    explicit Fields(const QJsonObject &object);

    Fields &add(const QString &key, const QString &value);
    Fields &add(const QString &key, qint64 number);
    Fields &add(const QString &key, int number) { return add(key, qint64(number)); }
    // Written with up to 15 significant digits; a value that is not finite is written as null.
    Fields &add(const QString &key, double number);

    bool isEmpty() const { return m_fields.isEmpty(); }
    qsizetype size() const { return m_fields.size(); }
    Storage::const_iterator begin() const { return m_fields.cbegin(); }
    Storage::const_iterator end() const { return m_fields.cend(); }

    // The value in effect for `key`: the last one added, or a null string.
    QString value(QStringView key) const;
    // Whether a member added after position `index` has the same name, so the one at `index`
    // is overridden.
    bool overridden(qsizetype index) const;

private:
    friend class ScopedFields;
    Storage m_fields;
};

// Structured members for the log messages written on this thread while an instance lives, such
// as a request id or a task id. A log sink that writes JSON puts them beside "message", and a
// text sink appends them as key=value. Instances nest: an inner one adds to (and may override) the
// members of the outer one until it is destroyed. Build one only when the category is enabled,
// so disabled logging costs nothing.
class ScopedFields
{
public:
    explicit ScopedFields(const Fields &fields);
    explicit ScopedFields(const QJsonObject &fields) : ScopedFields(Fields(fields)) { }
    ~ScopedFields();
    ScopedFields(const ScopedFields &) = delete;
    ScopedFields &operator=(const ScopedFields &) = delete;

    // The members in effect on the calling thread.
    static const Fields &current();

private:
    qsizetype m_previousSize;
};

} // namespace Recourse::Log
