// The stored approval record and the signed approval state carry everything the PDP needs to
// verify an approval: approval id, task id, evaluation id, subject, resource and action,
// scope, requester, approval time, end and revocation. The approvals come from the real service
// over HTTP; the records are read from its store once it has stopped.

#include "core/base/rfc3339.h"
#include "core/jose/jose.h"
#include "core/store/store.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QDir>
#include <QJsonDocument>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

QJsonObject claimsOf(const QString &compactToken)
{
    const QByteArray payload = compactToken.toLatin1().split('.').value(1);
    return QJsonDocument::fromJson(Jose::base64UrlDecode(payload).value()).object();
}

QString evaluationIdOf(const Escalation &escalation)
{
    return escalation.decision.value(u"context").toObject().value(u"evaluation_id").toString();
}

} // namespace

class tst_ApprovalRecord : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordNamesEverything();

private:
    // Checks the members every approval record and state carry, whether or not it is revoked.
    void checkRecord(const Store::ApprovalRecord &record, const Escalation &granted, qint64 approvedMs);
};

void tst_ApprovalRecord::checkRecord(const Store::ApprovalRecord &record, const Escalation &granted, qint64 approvedMs)
{
    const QJsonObject &approval = granted.approval;
    QCOMPARE(record.id, approval.value(u"id").toString());
    QCOMPARE(record.taskId, granted.taskId());
    QVERIFY(!record.evaluationId.isEmpty());
    QCOMPARE(record.evaluationId, evaluationIdOf(granted));
    QCOMPARE(record.item, -1);
    QCOMPARE(record.subject, granted.request.value(u"subject").toObject());
    QCOMPARE(record.resource, granted.request.value(u"resource").toObject());
    QCOMPARE(record.action, granted.request.value(u"action").toObject());
    QVERIFY(!record.scope.isEmpty());
    QCOMPARE(record.requester, QStringLiteral("pep-a"));
    QCOMPARE(record.approvedMs, approvedMs);
    QCOMPARE(Rfc3339::format(record.untilMs), approval.value(u"approved_until").toString());
    QVERIFY(record.untilMs > record.approvedMs);
    QCOMPARE(record.state, approval.value(u"state").toString());

    // The signed state names the same approval, task, evaluation, scope and end.
    const QJsonObject claims = claimsOf(record.state);
    QCOMPARE(claims.value(u"approval_id").toString(), record.id);
    QCOMPARE(claims.value(u"task_id").toString(), record.taskId);
    QCOMPARE(claims.value(u"evaluation_id").toString(), record.evaluationId);
    QCOMPARE(claims.value(u"scope").toObject(), record.scope);
    QCOMPARE(qint64(claims.value(u"exp").toDouble()) * 1000, record.untilMs);
    QCOMPARE(qint64(claims.value(u"iat").toDouble()) * 1000, record.approvedMs);
    // The approval binds the same tuple as the denial it was requested for.
    const QString bindingToken = granted.decision.value(u"context").toObject().value(u"access_request").toObject()
                                     .value(u"binding_token").toString();
    QVERIFY(!claims.value(u"binding_hash").toString().isEmpty());
    QCOMPARE(claims.value(u"binding_hash").toString(), claimsOf(bindingToken).value(u"binding_hash").toString());
}

void tst_ApprovalRecord::recordNamesEverything()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const qint64 approvedMs = service.clock().nowMs();

    // Given one approval that stays active and one that bob revokes a minute later.
    const Escalation active = service.grantAccess(Arap::q4PlanRead());
    QVERIFY2(active.ok(), qPrintable(active.failure));
    const Escalation revoked = service.grantAccess(Arap::q4PlanWrite());
    QVERIFY2(revoked.ok(), qPrintable(revoked.failure));
    service.clock().advanceSeconds(60);
    const HttpResponse revocation = service.post(
        QStringLiteral("/admin/v1/approvals/%1/revoke").arg(revoked.approval.value(u"id").toString()), QJsonObject{},
        Tokens::bob);
    QVERIFY2(revocation.status == 200, revocation.describe().constData());
    const QString dataDir = service.dataDir();
    service.stop();

    // When the records are read from the stopped service's store.
    auto clock = std::make_shared<ManualClock>(approvedMs);
    Store::Store store(QDir(dataDir).filePath(QStringLiteral("recourse.db")), clock);
    const auto opened = store.open();
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
    const std::optional<Store::ApprovalRecord> activeRecord =
        Store::Reader(store).approval(active.approval.value(u"id").toString());
    const std::optional<Store::ApprovalRecord> revokedRecord =
        Store::Reader(store).approval(revoked.approval.value(u"id").toString());
    store.close();

    // Then each names everything the PDP checks, and only the revoked one names a revocation.
    QVERIFY(activeRecord);
    checkRecord(*activeRecord, active, approvedMs);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(activeRecord->revokedMs, qint64(0));
    QVERIFY(activeRecord->revokedBy.isEmpty());

    QVERIFY(revokedRecord);
    checkRecord(*revokedRecord, revoked, approvedMs);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(revokedRecord->revokedMs, approvedMs + 60 * 1000);
    QCOMPARE(revokedRecord->revokedBy, QStringLiteral("bob"));
}

QTEST_GUILESS_MAIN(tst_ApprovalRecord)
#include "tst_approvalrecord.moc"
