#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace Recourse::Bench {

// The service address and the tokens the load program sends.
struct Target
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 0;
    QByteArray pepToken;
    QByteArray auditorToken;
};

struct RunOptions
{
    Target target;
    int durationSeconds = 10;
    // submit: concurrent simulated PEPs, a stop after this many tasks (0: run for the
    // duration), every Nth submission sent twice with the same Idempotency-Key (0: never), and
    // whether to count the store afterwards.
    int peps = 64;
    qint64 count = 0;
    int retryEvery = 10;
    bool checkStore = true;
    // events: WebSocket subscribers, evaluations per second, and connections producing them.
    int subscribers = 10;
    int rate = 1200;
    int producers = 16;
    // escalate: timed iterations after a warm-up, through the raw client or the reference PEP.
    int iterations = 300;
    int warmup = 30;
    QString client = QStringLiteral("raw");
};

// Each run prints one line "RESULT key=value ..." on standard output and returns the process
// exit code: 0 when every exchange went as the protocol says, 1 otherwise.
int runSubmissions(const RunOptions &options);
int runEvents(const RunOptions &options);
int runEscalation(const RunOptions &options);

// Shared pieces of the simulated PEPs.
namespace Pep {

// arap-conformance A2: alice reading q4-plan of tenant acme is requestable (manager_approval).
QJsonObject requestableRequest();
// arap-conformance A5: agent-7 acting for alice calls crm.export; auto-approved at submission.
QJsonObject autoApprovedRequest();
// certification rule 1 (alice reads record-1), with a send stamp in the resource properties
// that the event stream echoes back.
QJsonObject stampedPermitRequest(qint64 sentMicros);

// The submission for a requestable denial: the evaluated request plus the binding material of
// the denial echoed unchanged, as the reference PEP sends it.
QJsonObject submissionFor(const QJsonObject &request, const QJsonObject &decision);

bool isRequestable(const QJsonObject &decision);
QJsonObject parseObject(const QByteArray &body);
QByteArray compact(const QJsonObject &object);
QByteArray bearer(const QByteArray &token);
// "/access/v1/requests/arq_..." from "http://127.0.0.1:1234/access/v1/requests/arq_...".
QByteArray pathOf(const QString &url);

} // namespace Pep

} // namespace Recourse::Bench
