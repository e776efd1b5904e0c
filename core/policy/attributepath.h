#pragma once

#include "core/policy/policy.h"

#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace Recourse::Policy::Detail {

// A compiled attribute reference such as "subject.properties.department": the request member it
// starts from and the member names below it, split once at load time.
class AttributePath
{
public:
    enum class Root : quint8 { Subject, Resource, Action, Context };

    // Validates and splits a path; on failure returns nothing and sets `error` to a plain message.
    static std::optional<AttributePath> parse(const QString &text, QString *error);

    // The value at this path, or an undefined QJsonValue when any member on the way is missing
    // or is not an object.
    QJsonValue resolve(const Request &request) const;

    const QString &text() const { return m_text; }
    bool isActionName() const;

private:
    Root m_root = Root::Subject;
    QList<QString> m_keys;
    QString m_text;
};

} // namespace Recourse::Policy::Detail
