#pragma once

#include <QByteArray>
#include <QString>

namespace Recourse::Bench {

struct ConsoleLoadOptions
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 0;
    QByteArray pepToken;
    QByteArray approverToken; // decides some of the tasks the load creates, as a second console would
    int evaluationsPerSecond = 1000;
    int seconds = 30;
    int connections = 8;    // evaluation connections
    int submitEvery = 20;   // every Nth evaluation is a requestable denial that a PEP then submits
    int denyEvery = 3;      // every Nth created task is denied by the approver token
};

// What the load sent and how the service answered.
struct ConsoleLoadReport
{
    double seconds = 0;
    qint64 evaluations = 0;
    qint64 evaluationFailures = 0;
    qint64 submissions = 0;
    qint64 submissionFailures = 0;
    qint64 decisions = 0;
    qint64 decisionFailures = 0;
    QString firstFailure;
};

// Paced AuthZEN evaluations (arap-conformance: alice reads q4-summary, permitted) with every Nth a
// requestable denial (q4-plan) that is submitted as an access request, and every Mth task created
// that way denied through the approver API. Each step makes the service emit an event, so the
// console under test receives about evaluationsPerSecond events per second plus the task events.
// Runs on the calling thread with its own event loop until the time is up and the requests in
// flight have been answered (at most 10 s more).
ConsoleLoadReport runConsoleLoad(const ConsoleLoadOptions &options);

} // namespace Recourse::Bench
