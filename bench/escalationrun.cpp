// The end-to-end escalation for one client, timed per step: a requestable denial, a submission
// the auto-approval template approves at once (201), the status, and the re-evaluation.
#include "bench/loadclient.h"
#include "bench/loadruns.h"
#include "bench/stats.h"
#include "demo/referencepep.h"

#include <QUrl>

#include <cstdio>
#include <optional>

namespace Recourse::Bench {

namespace {

struct StepTimes
{
    LatencySample evaluate;
    LatencySample submit;
    LatencySample status;
    LatencySample reevaluate;
    LatencySample total;
};

// Times one escalation. Returns false, with a message, when a response differs from what the profile requires.
class Escalation
{
public:
    virtual ~Escalation() = default;
    virtual bool once(qint64 serial, qint64 stepNs[4], QString *failure) = 0;
};

class RawEscalation final : public Escalation
{
public:
    explicit RawEscalation(const Target &target) : m_target(target), m_client(target.host, target.port) { }

    bool once(qint64 serial, qint64 stepNs[4], QString *failure) override
    {
        const Headers auth{{"Authorization", Pep::bearer(m_target.pepToken)}};
        const QJsonObject request = Pep::autoApprovedRequest();

        qint64 start = monotonicNs();
        const HttpReply denied = m_client.sendAndWait("POST", "/access/v1/evaluation", auth, Pep::compact(request));
        const QJsonObject decision = Pep::parseObject(denied.body);
        stepNs[0] = monotonicNs() - start;
        if (denied.status != 200 || !Pep::isRequestable(decision))
            return fail(failure, QStringLiteral("evaluation"), denied);

        start = monotonicNs();
        Headers submitHeaders = auth;
        submitHeaders.append({"Idempotency-Key", "bench-escalate-" + QByteArray::number(monotonicNs()) + '-' + QByteArray::number(serial)});
        const HttpReply submitted = m_client.sendAndWait("POST", "/access/v1/requests", submitHeaders,
                                                         Pep::compact(Pep::submissionFor(request, decision)));
        stepNs[1] = monotonicNs() - start;
        const QJsonObject task = Pep::parseObject(submitted.body).value(QStringLiteral("task")).toObject();
        if (submitted.status != 201)
            return fail(failure, QStringLiteral("submission (expected 201)"), submitted);

        start = monotonicNs();
        const HttpReply polled = m_client.sendAndWait("GET", Pep::pathOf(task.value(QStringLiteral("status_endpoint")).toString()), auth, {});
        const QJsonObject status = Pep::parseObject(polled.body);
        stepNs[2] = monotonicNs() - start;
        const QJsonObject result = status.value(QStringLiteral("result")).toObject();
        if (polled.status != 200 || status.value(QStringLiteral("task")).toObject().value(QStringLiteral("status")).toString() != u"approved"
            || result.value(QStringLiteral("mode")).toString() != u"reevaluate")
            return fail(failure, QStringLiteral("status"), polled);

        start = monotonicNs();
        QJsonObject again = request;
        again.insert(QStringLiteral("context"), QJsonObject{{QStringLiteral("approval"), result.value(QStringLiteral("approval"))}});
        const HttpReply permitted = m_client.sendAndWait("POST", "/access/v1/evaluation", auth, Pep::compact(again));
        stepNs[3] = monotonicNs() - start;
        if (permitted.status != 200 || Pep::parseObject(permitted.body).value(QStringLiteral("decision")) != QJsonValue(true))
            return fail(failure, QStringLiteral("re-evaluation"), permitted);
        return true;
    }

private:
    static bool fail(QString *failure, const QString &step, const HttpReply &reply)
    {
        *failure = QStringLiteral("%1 failed: status %2 %3 %4").arg(step).arg(reply.status).arg(reply.error,
                                                                                          QString::fromUtf8(reply.body.left(300)));
        return false;
    }

    Target m_target;
    LoadClient m_client;
};

// The same flow through the reference PEP, as an application embedding it would see it.
class ReferenceEscalation final : public Escalation
{
public:
    explicit ReferenceEscalation(const Target &target)
        : m_pep(Recourse::Pep::ReferencePep::Config{serviceUrl(target), QString::fromUtf8(target.pepToken), 15000, 60000, {}, {}, {}})
    {
    }

    bool ready(QString *failure)
    {
        auto discovered = m_pep.discover();
        if (!discovered)
            *failure = discovered.error().message;
        return bool(discovered);
    }

    bool once(qint64 serial, qint64 stepNs[4], QString *failure) override
    {
        Q_UNUSED(serial);
        const QJsonObject request = Pep::autoApprovedRequest();

        qint64 start = monotonicNs();
        auto decision = m_pep.evaluate(request);
        stepNs[0] = monotonicNs() - start;
        if (!decision || !Recourse::Pep::ReferencePep::isRequestable(decision.value()))
            return fail(failure, QStringLiteral("evaluation"), decision ? QString() : decision.error().message);

        start = monotonicNs();
        auto submitted = m_pep.submit(request, decision.value(), {}, {});
        stepNs[1] = monotonicNs() - start;
        if (!submitted || submitted->status != 201)
            return fail(failure, QStringLiteral("submission (expected 201)"),
                        submitted ? QString::number(submitted->status) : submitted.error().message);

        start = monotonicNs();
        auto status = m_pep.status(submitted->body.value(QStringLiteral("task")).toObject());
        stepNs[2] = monotonicNs() - start;
        if (!status || status->status != 200)
            return fail(failure, QStringLiteral("status"), status ? QString::number(status->status) : status.error().message);
        auto approval = Recourse::Pep::ReferencePep::approvalFrom(status->body);
        if (!approval)
            return fail(failure, QStringLiteral("status"), approval.error().message);

        start = monotonicNs();
        auto permitted = m_pep.reevaluate(request, approval.value());
        stepNs[3] = monotonicNs() - start;
        if (!permitted || permitted->value(QStringLiteral("decision")) != QJsonValue(true))
            return fail(failure, QStringLiteral("re-evaluation"), permitted ? QString() : permitted.error().message);
        return true;
    }

private:
    static QUrl serviceUrl(const Target &target)
    {
        QUrl url;
        url.setScheme(QStringLiteral("http"));
        url.setHost(target.host);
        url.setPort(target.port);
        return url;
    }

    static bool fail(QString *failure, const QString &step, const QString &detail)
    {
        *failure = QStringLiteral("%1 failed: %2").arg(step, detail);
        return false;
    }

    Recourse::Pep::ReferencePep m_pep;
};

} // namespace

int runEscalation(const RunOptions &options)
{
    std::unique_ptr<Escalation> escalation;
    QString failure;
    if (options.client == u"pep") {
        auto reference = std::make_unique<ReferenceEscalation>(options.target);
        if (!reference->ready(&failure)) {
            std::fprintf(stderr, "discovery failed: %s\n", qPrintable(failure));
            return 1;
        }
        escalation = std::move(reference);
    } else {
        escalation = std::make_unique<RawEscalation>(options.target);
    }

    StepTimes times;
    qint64 failures = 0;
    const qint64 deadline = monotonicNs() + qint64(options.durationSeconds) * 1000000000;
    qint64 done = 0;
    for (qint64 i = 0; i < options.warmup + options.iterations && monotonicNs() < deadline; ++i) {
        qint64 stepNs[4] = {0, 0, 0, 0};
        if (!escalation->once(i, stepNs, &failure)) {
            if (++failures <= 5)
                std::fprintf(stderr, "%s\n", qPrintable(failure));
            continue;
        }
        if (i < options.warmup)
            continue;
        ++done;
        times.evaluate.add(stepNs[0]);
        times.submit.add(stepNs[1]);
        times.status.add(stepNs[2]);
        times.reevaluate.add(stepNs[3]);
        times.total.add(stepNs[0] + stepNs[1] + stepNs[2] + stepNs[3]);
    }

    std::printf("RESULT mode=escalate client=%s iterations=%lld failures=%lld %s %s %s %s %s\n", qPrintable(options.client), done,
                failures, qPrintable(times.total.summary(QStringLiteral("total_"))),
                qPrintable(times.evaluate.summary(QStringLiteral("deny_"))), qPrintable(times.submit.summary(QStringLiteral("submit_"))),
                qPrintable(times.status.summary(QStringLiteral("status_"))),
                qPrintable(times.reevaluate.summary(QStringLiteral("reevaluate_"))));
    std::fflush(stdout);
    return failures == 0 && done > 0 ? 0 : 1;
}

} // namespace Recourse::Bench
