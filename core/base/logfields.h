#pragma once

#include <QJsonObject>

namespace Recourse::Log {

// Structured members for the log messages written on this thread while an instance lives, such
// as a request id or a task id. A log sink that writes JSON puts them beside "message", and a
// text sink appends them as key=value. Instances nest: an inner one adds to (and may override) the
// members of the outer one until it is destroyed. Build one only when the category is enabled,
// so disabled logging costs nothing.
class ScopedFields
{
public:
    explicit ScopedFields(const QJsonObject &fields);
    ~ScopedFields();
    ScopedFields(const ScopedFields &) = delete;
    ScopedFields &operator=(const ScopedFields &) = delete;

    // The members in effect on the calling thread.
    static QJsonObject current();

private:
    QJsonObject m_previous;
};

} // namespace Recourse::Log
