// Submissions from many concurrent PEPs, then a count of the tasks in the store.
#include "bench/loadclient.h"
#include "bench/loadruns.h"
#include "bench/stats.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QMap>
#include <QSet>
#include <QUrlQuery>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace Recourse::Bench {

namespace {

// Every task id the approver API lists, newest first, page by page.
std::optional<QSet<QString>> listTaskIds(const Target &target)
{
    LoadClient client(target.host, target.port);
    QSet<QString> ids;
    QString cursor;
    for (;;) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("limit"), QStringLiteral("500"));
        if (!cursor.isEmpty())
            query.addQueryItem(QStringLiteral("cursor"), cursor);
        const QByteArray path = "/admin/v1/tasks?" + query.toString(QUrl::FullyEncoded).toLatin1();
        const HttpReply reply = client.sendAndWait("GET", path, {{"Authorization", Pep::bearer(target.auditorToken)}}, {});
        if (reply.status != 200) {
            std::fprintf(stderr, "listing tasks failed: status %d %s\n", reply.status, qPrintable(reply.error));
            return std::nullopt;
        }
        const QJsonObject page = Pep::parseObject(reply.body);
        for (const QJsonValue &task : page.value(QStringLiteral("tasks")).toArray())
            ids.insert(task.toObject().value(QStringLiteral("id")).toString());
        cursor = page.value(QStringLiteral("next_cursor")).toString();
        if (cursor.isEmpty())
            return ids;
    }
}

class SubmitRun
{
public:
    explicit SubmitRun(const RunOptions &options) : m_options(options) { }

    int run()
    {
        if (m_options.checkStore) {
            auto before = listTaskIds(m_options.target);
            if (!before)
                return 1;
            m_before = *before;
        }

        m_startNs = monotonicNs();
        m_lastNs = m_startNs;
        for (int i = 0; i < m_options.peps; ++i) {
            m_peps.push_back(std::make_unique<SimulatedPep>());
            m_peps.back()->index = i;
            m_peps.back()->client = std::make_unique<LoadClient>(m_options.target.host, m_options.target.port);
        }
        for (auto &pep : m_peps)
            evaluate(*pep);
        QCoreApplication::exec();
        return report();
    }

private:
    struct SimulatedPep
    {
        int index = 0;
        qint64 serial = 0;
        bool idle = false;
        std::unique_ptr<LoadClient> client;
    };

    bool stopping() const
    {
        const qint64 elapsedNs = monotonicNs() - m_startNs;
        if (m_options.count > 0)
            return m_created >= m_options.count || elapsedNs > qint64(m_options.durationSeconds) * 1000000000;
        return elapsedNs > qint64(m_options.durationSeconds) * 1000000000;
    }

    Headers pepHeaders() const { return {{"Authorization", Pep::bearer(m_options.target.pepToken)}}; }

    void evaluate(SimulatedPep &pep)
    {
        if (stopping()) {
            pep.idle = true;
            if (std::all_of(m_peps.begin(), m_peps.end(), [](const auto &p) { return p->idle; }))
                QCoreApplication::exit(0);
            return;
        }
        const QJsonObject request = Pep::requestableRequest();
        pep.client->send("POST", "/access/v1/evaluation", pepHeaders(), Pep::compact(request),
                         [this, &pep, request](const HttpReply &reply) {
                             const QJsonObject decision = Pep::parseObject(reply.body);
                             if (reply.status != 200 || !Pep::isRequestable(decision)) {
                                 ++m_evaluationFailures;
                                 noteFailure(QStringLiteral("evaluation"), reply);
                                 return evaluate(pep);
                             }
                             submit(pep, Pep::compact(Pep::submissionFor(request, decision)));
                         });
    }

    void submit(SimulatedPep &pep, const QByteArray &body)
    {
        ++pep.serial;
        const QByteArray key = "bench-" + QByteArray::number(m_startNs) + '-' + QByteArray::number(pep.index) + '-'
            + QByteArray::number(pep.serial);
        Headers headers = pepHeaders();
        headers.append({"Idempotency-Key", key});
        const bool retry = m_options.retryEvery > 0 && pep.serial % m_options.retryEvery == 0;

        pep.client->send("POST", "/access/v1/requests", headers, body, [=, this, &pep](const HttpReply &reply) {
            ++m_statuses[reply.status];
            const QString taskId = taskIdOf(reply);
            if (reply.status < 200 || reply.status > 299 || taskId.isEmpty()) {
                noteFailure(QStringLiteral("submission"), reply);
                return evaluate(pep);
            }
            m_lastNs = monotonicNs();
            m_latency.add(reply.latencyNs);
            ++m_created;
            if (m_returned.contains(taskId))
                ++m_duplicateAnswers;
            m_returned.insert(taskId);
            if (!retry)
                return evaluate(pep);
            resend(pep, headers, body, taskId);
        });
    }

    // A PEP that lost the answer sends the same submission with the same key; the service must
    // answer with the task it already created.
    void resend(SimulatedPep &pep, const Headers &headers, const QByteArray &body, const QString &taskId)
    {
        pep.client->send("POST", "/access/v1/requests", headers, body, [=, this, &pep](const HttpReply &reply) {
            ++m_retries;
            if (reply.status < 200 || reply.status > 299 || taskIdOf(reply) != taskId) {
                ++m_retryMismatches;
                noteFailure(QStringLiteral("repeated submission"), reply);
            }
            evaluate(pep);
        });
    }

    static QString taskIdOf(const HttpReply &reply)
    {
        return Pep::parseObject(reply.body).value(QStringLiteral("task")).toObject().value(QStringLiteral("id")).toString();
    }

    void noteFailure(const QString &step, const HttpReply &reply)
    {
        // A few examples are enough to diagnose; a broken run would otherwise flood the log.
        if (++m_failuresShown > 5)
            return;
        std::fprintf(stderr, "%s failed: status %d %s %s\n", qPrintable(step), reply.status, qPrintable(reply.error),
                     reply.body.left(300).constData());
    }

    int report()
    {
        const double seconds = double(m_lastNs - m_startNs) / 1e9;
        qint64 non2xx = 0;
        QStringList statuses;
        for (auto it = m_statuses.cbegin(); it != m_statuses.cend(); ++it) {
            statuses.append(QStringLiteral("%1:%2").arg(it.key()).arg(it.value()));
            if (it.key() < 200 || it.key() > 299)
                non2xx += it.value();
        }

        qint64 lost = -1;
        qint64 unexpected = -1;
        qint64 stored = -1;
        if (m_options.checkStore) {
            auto after = listTaskIds(m_options.target);
            if (after) {
                stored = after->size() - m_before.size();
                lost = 0;
                for (const QString &id : std::as_const(m_returned))
                    lost += after->contains(id) ? 0 : 1;
                unexpected = 0;
                for (const QString &id : std::as_const(*after))
                    unexpected += (m_returned.contains(id) || m_before.contains(id)) ? 0 : 1;
            }
        }

        std::printf("RESULT mode=submit peps=%d seconds=%.2f submissions_2xx=%lld rate_per_s=%.1f non_2xx=%lld "
                    "evaluation_failures=%lld retries=%lld retry_mismatches=%lld duplicate_answers=%lld "
                    "stored_new_tasks=%lld lost=%lld unexpected_tasks=%lld statuses=%s %s\n",
                    m_options.peps, seconds, m_created, seconds > 0 ? double(m_created) / seconds : 0.0, non2xx,
                    m_evaluationFailures, m_retries, m_retryMismatches, m_duplicateAnswers, stored, lost, unexpected,
                    qPrintable(statuses.join(u',')), qPrintable(m_latency.summary(QStringLiteral("submit_"))));
        std::fflush(stdout);

        const bool clean = non2xx == 0 && m_evaluationFailures == 0 && m_retryMismatches == 0 && m_duplicateAnswers == 0
            && (!m_options.checkStore || (lost == 0 && unexpected == 0));
        return clean ? 0 : 1;
    }

    RunOptions m_options;
    std::vector<std::unique_ptr<SimulatedPep>> m_peps;
    QSet<QString> m_before;
    QSet<QString> m_returned;
    QMap<int, qint64> m_statuses;
    LatencySample m_latency;
    qint64 m_startNs = 0;
    qint64 m_lastNs = 0;
    qint64 m_created = 0;
    qint64 m_evaluationFailures = 0;
    qint64 m_retries = 0;
    qint64 m_retryMismatches = 0;
    qint64 m_duplicateAnswers = 0;
    int m_failuresShown = 0;
};

} // namespace

int runSubmissions(const RunOptions &options)
{
    SubmitRun run(options);
    return run.run();
}

} // namespace Recourse::Bench
