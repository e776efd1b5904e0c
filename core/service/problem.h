#pragma once

#include "core/service/httptypes.h"

#include <QJsonObject>
#include <QString>

namespace Recourse::Http {

// Builds an RFC 9457 problem response: Content-Type application/problem+json and a body with
// type, title, status and detail plus the members of `extra`. The four standard members win
// over members of `extra` with the same name.
Response problem(int status, const QString &title, const QString &detail,
    const QString &type = QStringLiteral("about:blank"), QJsonObject extra = {});

} // namespace Recourse::Http
