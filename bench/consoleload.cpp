#include "bench/consoleload.h"

#include "bench/loadclient.h"
#include "bench/loadruns.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

namespace Recourse::Bench {

namespace {

// Requests still in flight when the time is up get this long to complete.
constexpr qint64 kDrainNs = 10'000'000'000;
constexpr int kSubmitters = 2;

QJsonObject user(const char *id)
{
    return {{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QLatin1String(id)}};
}

// arap-conformance: the Q4 summary is open to alice.
QByteArray permittedRequest()
{
    static const QByteArray body = Pep::compact(QJsonObject{
        {QStringLiteral("subject"), user("alice")},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("document")},
                                                 {QStringLiteral("id"), QStringLiteral("q4-summary")}}}});
    return body;
}

// arap-conformance: the detailed Q4 documents need a manager (template manager_approval).
QJsonObject requestableRequest(qint64 serial)
{
    static const QStringList documents{QStringLiteral("q4-plan"), QStringLiteral("q4-budget"), QStringLiteral("q4-roadmap")};
    static const QStringList tenants{QStringLiteral("acme"), QStringLiteral("globex"), QStringLiteral("initech")};
    return QJsonObject{
        {QStringLiteral("subject"), user("alice")},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
        {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("document")},
                                                 {QStringLiteral("id"), documents.at(serial % documents.size())}}},
        {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), tenants.at((serial / 3) % tenants.size())},
                                                {QStringLiteral("business_justification"),
                                                 QStringLiteral("Console benchmark request %1").arg(serial)}}},
    };
}

class ConsoleLoad
{
public:
    explicit ConsoleLoad(const ConsoleLoadOptions &options) : m_options(options) { }

    ConsoleLoadReport run()
    {
        for (int i = 0; i < std::max(1, m_options.connections); ++i)
            m_evaluators.push_back(std::make_unique<LoadClient>(m_options.host, m_options.port));
        for (int i = 0; i < kSubmitters; ++i)
            m_submitters.push_back(std::make_unique<LoadClient>(m_options.host, m_options.port));
        m_decider = std::make_unique<LoadClient>(m_options.host, m_options.port);

        QEventLoop loop;
        m_loop = &loop;
        QTimer pacer;
        pacer.setTimerType(Qt::PreciseTimer);
        pacer.setInterval(1);
        QObject::connect(&pacer, &QTimer::timeout, [this] { tick(); });
        m_startNs = monotonicNs();
        pacer.start();
        loop.exec();

        m_report.seconds = double(m_productionNs) / 1e9;
        return m_report;
    }

private:
    void tick()
    {
        const qint64 elapsedNs = monotonicNs() - m_startNs;
        if (elapsedNs > qint64(m_options.seconds) * 1'000'000'000) {
            if (m_productionNs == 0)
                m_productionNs = elapsedNs;
            finishWhenIdle(elapsedNs);
            return;
        }

        // Sends the evaluations the schedule makes due on the idle connections. A schedule that
        // runs ahead of them shows up as an achieved rate below the requested one.
        const qint64 due = qint64(double(m_options.evaluationsPerSecond) * double(elapsedNs) / 1e9);
        for (auto &client : m_evaluators) {
            if (m_sent >= due)
                return;
            if (!client->busy())
                evaluate(*client);
        }
    }

    void evaluate(LoadClient &client)
    {
        const qint64 serial = ++m_sent;
        const bool requestable = m_options.submitEvery > 0 && serial % m_options.submitEvery == 0;
        const QJsonObject request = requestable ? requestableRequest(serial) : QJsonObject{};
        const QByteArray body = requestable ? Pep::compact(request) : permittedRequest();
        client.send("POST", "/access/v1/evaluation", {{"Authorization", Pep::bearer(m_options.pepToken)}}, body,
                    [this, requestable, request](const HttpReply &reply) {
                        ++m_report.evaluations;
                        const QJsonObject decision = Pep::parseObject(reply.body);
                        const bool expected = reply.status == 200
                            && (requestable ? Pep::isRequestable(decision) : decision.value(QStringLiteral("decision")).toBool());
                        if (!expected) {
                            noteFailure(m_report.evaluationFailures, "evaluation", reply);
                            return;
                        }
                        if (requestable) {
                            m_submissions.append(Pep::compact(Pep::submissionFor(request, decision)));
                            pumpSubmissions();
                        }
                    });
    }

    void pumpSubmissions()
    {
        for (auto &client : m_submitters) {
            if (m_submissions.isEmpty())
                return;
            if (client->busy())
                continue;
            const QByteArray body = m_submissions.takeFirst();
            const QByteArray key = "console-bench-" + QByteArray::number(m_startNs) + '-' + QByteArray::number(++m_submitted);
            LoadClient *raw = client.get();
            raw->send("POST", "/access/v1/requests",
                      {{"Authorization", Pep::bearer(m_options.pepToken)}, {"Idempotency-Key", key}}, body,
                      [this](const HttpReply &reply) {
                          const QString taskId = Pep::parseObject(reply.body).value(QStringLiteral("task")).toObject()
                                                     .value(QStringLiteral("id")).toString();
                          if (reply.status != 202 || taskId.isEmpty()) {
                              noteFailure(m_report.submissionFailures, "submission", reply);
                          } else {
                              ++m_report.submissions;
                              if (m_options.denyEvery > 0 && m_report.submissions % m_options.denyEvery == 0) {
                                  m_decisions.append(taskId);
                                  pumpDecisions();
                              }
                          }
                          pumpSubmissions();
                      });
        }
    }

    void pumpDecisions()
    {
        if (m_decisions.isEmpty() || m_decider->busy() || m_options.approverToken.isEmpty())
            return;
        const QString taskId = m_decisions.takeFirst();
        const QByteArray body = Pep::compact(QJsonObject{{QStringLiteral("reason"), QStringLiteral("benchmark")},
                                                         {QStringLiteral("comment"), QStringLiteral("Denied by the load.")}});
        m_decider->send("POST", "/admin/v1/tasks/" + taskId.toLatin1() + "/deny",
                        {{"Authorization", Pep::bearer(m_options.approverToken)}}, body, [this](const HttpReply &reply) {
                            if (reply.status != 200)
                                noteFailure(m_report.decisionFailures, "decision", reply);
                            else
                                ++m_report.decisions;
                            pumpDecisions();
                        });
    }

    void finishWhenIdle(qint64 elapsedNs)
    {
        const auto busy = [](const auto &clients) {
            return std::any_of(clients.begin(), clients.end(), [](const auto &c) { return c->busy(); });
        };
        const bool idle = !busy(m_evaluators) && !busy(m_submitters) && !m_decider->busy() && m_submissions.isEmpty()
            && m_decisions.isEmpty();
        if (idle || elapsedNs > m_productionNs + kDrainNs)
            m_loop->quit();
    }

    void noteFailure(qint64 &counter, const char *step, const HttpReply &reply)
    {
        ++counter;
        if (!m_report.firstFailure.isEmpty())
            return;
        m_report.firstFailure = QStringLiteral("%1: status %2 %3 %4")
                                    .arg(QLatin1String(step))
                                    .arg(reply.status)
                                    .arg(reply.error, QString::fromUtf8(reply.body.left(200)));
    }

    ConsoleLoadOptions m_options;
    ConsoleLoadReport m_report;
    std::vector<std::unique_ptr<LoadClient>> m_evaluators;
    std::vector<std::unique_ptr<LoadClient>> m_submitters;
    std::unique_ptr<LoadClient> m_decider;
    QList<QByteArray> m_submissions;
    QList<QString> m_decisions;
    QEventLoop *m_loop = nullptr;
    qint64 m_startNs = 0;
    qint64 m_productionNs = 0;
    qint64 m_sent = 0;
    qint64 m_submitted = 0;
};

} // namespace

ConsoleLoadReport runConsoleLoad(const ConsoleLoadOptions &options)
{
    ConsoleLoad load(options);
    return load.run();
}

} // namespace Recourse::Bench
