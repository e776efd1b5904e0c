#pragma once

#include "core/policy/policy.h"

#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace Recourse::Policy::Detail {

class AttributeSlots;

// A compiled attribute reference such as "subject.properties.department": the request member it
// starts from and the member names below it, split once at load time.
class AttributePath
{
public:
    enum class Root : quint8 { Subject, Resource, Action, Context };

    // Validates and splits a path and gives it its cache slot in `slots`; on failure returns
    // nothing and sets `error` to a plain message.
    static std::optional<AttributePath> parse(const QString &text, AttributeSlots &slots, QString *error);

    // The value at this path, or an undefined QJsonValue when any member on the way is missing
    // or is not an object.
    QJsonValue resolve(const Request &request) const;
    // The same for a request read into a flat document (see Request::document).
    QJsonValue resolve(const Json::FlatDocument &document) const;

    const QString &text() const { return m_text; }
    int slot() const { return m_slot; }
    bool isActionName() const;

private:
    Root m_root = Root::Subject;
    QList<QString> m_keys;
    QList<QByteArray> m_asciiKeys; // m_keys as Latin-1 when every key is ASCII, otherwise empty
    QString m_text;
    int m_slot = -1;
};

} // namespace Recourse::Policy::Detail
