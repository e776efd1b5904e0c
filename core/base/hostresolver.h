#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace Recourse {

// Resolves host names for outgoing connections that must be checked before they are made, such as
// callback deliveries. Production uses the system resolver; tests inject their own results, as
// they inject a Clock. Users include QtNetwork, which this header needs for QHostAddress.
class HostResolver
{
public:
    virtual ~HostResolver() = default;
    // Calls `done` on `context`'s thread with the addresses of `host`, or an empty list and an error.
    virtual void lookup(const QString &host, QObject *context,
                        std::function<void(QList<QHostAddress> addresses, QString error)> done) const = 0;
};

} // namespace Recourse
