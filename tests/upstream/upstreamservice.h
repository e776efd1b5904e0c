#pragma once

#include "core/base/clock.h"
#include "core/service/servicehost.h"
#include "tests/integration/servicefixture.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace Recourse::Testing {

// The real service in-process on 127.0.0.1 in upstream mode: a policy folder as the local layer,
// an upstream PDP URL and token, the harness identities, a manual clock, and a synchronous HTTP
// client with the escalation steps a PEP and an approver take.
class UpstreamService
{
public:
    UpstreamService(QString policyFolder, QUrl upstream, QString upstreamToken = {}, int upstreamTimeoutMs = 2000);
    ~UpstreamService();
    Q_DISABLE_COPY_MOVE(UpstreamService)

    bool start();
    QString errorString() const { return m_error; }
    ManualClock &clock() const { return *m_clock; }
    QString baseUrl() const;

    // `path` is a path of this service or an absolute URL; an empty token sends no Authorization.
    HttpResponse get(const QString &path, const QString &token);
    HttpResponse post(const QString &path, const QJsonObject &body, const QString &token);
    HttpResponse evaluate(const QJsonObject &request, const QString &token = Tokens::pepA);
    HttpResponse evaluations(const QJsonObject &body, const QString &token = Tokens::pepA);

    // Evaluates (expecting a requestable denial), submits, approves as `approverToken` and reads
    // the approval from the status endpoint; `failure` names the first step that went wrong.
    Escalation grantAccess(const QJsonObject &request, const QString &approverToken);

private:
    QString m_policyFolder;
    QUrl m_upstream;
    QString m_upstreamToken;
    int m_upstreamTimeoutMs;
    QTemporaryDir m_dataDir;
    std::shared_ptr<ManualClock> m_clock;
    std::unique_ptr<Service::ServiceHost> m_host;
    std::unique_ptr<QNetworkAccessManager> m_network;
    QString m_error;
};

} // namespace Recourse::Testing
