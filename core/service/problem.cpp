#include "core/service/problem.h"

#include <QJsonDocument>

namespace Recourse::Http {

Response problem(int status, const QString &title, const QString &detail, const QString &type, QJsonObject extra)
{
    extra.insert(QStringLiteral("type"), type);
    extra.insert(QStringLiteral("title"), title);
    extra.insert(QStringLiteral("status"), status);
    extra.insert(QStringLiteral("detail"), detail);

    Response response;
    response.status = status;
    response.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/problem+json")});
    response.body = QJsonDocument(extra).toJson(QJsonDocument::Compact);
    return response;
}

} // namespace Recourse::Http
