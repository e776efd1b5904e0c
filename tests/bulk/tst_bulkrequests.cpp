// Bulk Access Requests over HTTP on the arap-conformance pack: one submission requests read
// access for alice to q4-plan, q4-budget and q4-roadmap of tenant acme. Each item is bound by its own
// denial or by a bundle denial, decided and approved on its own, and re-evaluated on its own;
// the task's status is the aggregate of its items. Bundle denials are signed in the test with
// the service's own key, read from its data folder, because the PDP issues per-item denials only.

#include "core/base/rfc3339.h"
#include "core/jose/jose.h"
#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

const QString kAboutBlank = QStringLiteral("about:blank");
const QString kNotEligible = QStringLiteral("urn:recourse:error:not_eligible");

QString problem(const char *name)
{
    return QStringLiteral("urn:openid:authzen:access-request:error:") + QLatin1String(name);
}

const QStringList kDocuments{QStringLiteral("q4-plan"), QStringLiteral("q4-budget"), QStringLiteral("q4-roadmap")};

QJsonObject readRequest(const QString &documentId)
{
    return Arap::evaluation(Arap::alice(), Arap::document(documentId), QStringLiteral("can_read"), Arap::tenant());
}

QJsonObject taskOf(const HttpResponse &response)
{
    return response.json.value(u"task").toObject();
}

QJsonArray itemsOf(const HttpResponse &response)
{
    return taskOf(response).value(u"items").toArray();
}

QStringList itemStatuses(const QJsonArray &items)
{
    QStringList statuses;
    for (const QJsonValue &item : items)
        statuses.append(item.toObject().value(u"status").toString());
    return statuses;
}

QJsonObject approvalOf(const QJsonArray &items, int position)
{
    return items.at(position).toObject().value(u"result").toObject().value(u"approval").toObject();
}

QJsonObject claimsOf(const QString &compactToken)
{
    const QByteArray payload = compactToken.toLatin1().split('.').value(1);
    return QJsonDocument::fromJson(Jose::base64UrlDecode(payload).value()).object();
}

// The {resource, action} pair a bulk item and a bundle binding name.
QJsonObject pairOf(const QJsonObject &item)
{
    return QJsonObject{{QStringLiteral("resource"), item.value(u"resource")}, {QStringLiteral("action"), item.value(u"action")}};
}

// base64url(SHA-256) of the compact JSON of `object`. QJsonDocument writes members sorted and
// without whitespace, which is JCS for the ASCII-only objects of these tests.
QString hashOf(const QJsonObject &object)
{
    const QByteArray digest = QCryptographicHash::hash(QJsonDocument(object).toJson(QJsonDocument::Compact),
                                                       QCryptographicHash::Sha256);
    return QString::fromLatin1(Jose::base64UrlEncode(digest));
}

QJsonObject bulkBody(const QJsonArray &items)
{
    return QJsonObject{{QStringLiteral("subject"), Arap::alice()},
                       {QStringLiteral("context"), Arap::tenant()},
                       {QStringLiteral("items"), items}};
}

QJsonArray reordered(const QJsonArray &items, const QList<int> &order)
{
    QJsonArray result;
    for (const int position : order)
        result.append(items.at(position));
    return result;
}

QStringList typesOf(const HttpResponse &audit)
{
    QStringList types;
    for (const QJsonValue &record : audit.json.value(u"records").toArray())
        types.append(record.toObject().value(u"type").toString());
    return types;
}

} // namespace

class tst_BulkRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void batchEvaluationGivesEachItemADenial();
    void submissionCreatesPendingItems();
    void itemsDecidedSeparately();
    void itemApprovalsReevaluatedAlone();
    void cancelLeavesTerminalItems();
    void cancelWithEveryItemPending();
    void cancelWithEveryItemTerminal();
    void pendingItemsExpire();
    void reorderedItemsUnderSameKey();
    void missingDenial_data();
    void missingDenial();
    void topLevelMemberWithItems_data();
    void topLevelMemberWithItems();
    void tamperedItemResource_data();
    void tamperedItemResource();
    void bundleDenialBindsItemOrder();
    void singleItemTokenCannotBindBundle();
    void anotherClientSubmitsItems_data();
    void anotherClientSubmitsItems();
    void itemsNeedOneTemplate();
    void itemNoLongerRequestable();
    void itemRequestedAccessOverrides();
    void itemRequestedUntilInThePast();
    void itemEligibilityChecked();
    void itemEventsAndAudit();
    void autoApprovedItem();
    void previewListsChosenItems();
    void batchDecisionSelectsItems();
    void singleTasksNeverPartial();
    void emptyItemSelection_data();
    void invalidItemPositionQuoted_data();
    void invalidItemPositionQuoted();
    void emptyItemSelection();

private:
    // Evaluates the documents in one batch call and returns one bulk item per document, each with
    // the requestable denial its evaluation produced.
    QJsonArray evaluateItems(const QStringList &documents);
    // Evaluates, submits the items in one bulk request and expects 202.
    HttpResponse submitBulk(const QStringList &documents);
    // A bundle denial over `pairs` in order, signed with the service's key. The other claims are
    // copied from a genuine binding token for q4-plan.
    QJsonObject bundleDenial(const QJsonArray &pairs, const QString &jti);

    std::unique_ptr<ServiceFixture> m_service;
};

void tst_BulkRequests::init()
{
    m_service = std::make_unique<ServiceFixture>();
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void tst_BulkRequests::cleanup()
{
    m_service.reset();
}

QJsonArray tst_BulkRequests::evaluateItems(const QStringList &documents)
{
    QJsonArray evaluations;
    for (const QString &document : documents)
        evaluations.append(QJsonObject{{QStringLiteral("resource"), Arap::document(document)}});
    const QJsonObject batch{{QStringLiteral("subject"), Arap::alice()},
                            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
                            {QStringLiteral("context"), Arap::tenant()},
                            {QStringLiteral("evaluations"), evaluations}};
    const HttpResponse answer = m_service->post(QStringLiteral("/access/v1/evaluations"), batch, Tokens::pepA);
    if (answer.status != 200)
        return {};

    QJsonArray items;
    const QJsonArray decisions = answer.json.value(u"evaluations").toArray();
    for (qsizetype i = 0; i < decisions.size() && i < documents.size(); ++i) {
        const QJsonObject submission = submissionFor(readRequest(documents.at(i)), decisions.at(i).toObject());
        items.append(QJsonObject{{QStringLiteral("resource"), submission.value(u"resource")},
                                 {QStringLiteral("action"), submission.value(u"action")},
                                 {QStringLiteral("denial"), submission.value(u"denial")}});
    }
    return items;
}

HttpResponse tst_BulkRequests::submitBulk(const QStringList &documents)
{
    return m_service->submit(bulkBody(evaluateItems(documents)));
}

QJsonObject tst_BulkRequests::bundleDenial(const QJsonArray &pairs, const QString &jti)
{
    const HttpResponse genuine = m_service->evaluate(readRequest(QStringLiteral("q4-plan")));
    const QJsonObject accessRequest = genuine.json.value(u"context").toObject().value(u"access_request").toObject();
    QJsonObject claims = claimsOf(accessRequest.value(u"binding_token").toString());

    const QJsonObject bound{{QStringLiteral("subject"), Arap::alice()},
                            {QStringLiteral("items"), pairs},
                            {QStringLiteral("context"), Arap::tenant()}};
    claims.insert(QStringLiteral("binding_hash"), hashOf(bound));
    claims.insert(QStringLiteral("jti"), jti);
    claims.insert(QStringLiteral("evaluation_id"), QString(QStringLiteral("evl_bundle_") + jti));

    const auto key = Jose::loadOrCreateSigningKey(m_service->dataDir());
    if (!key)
        return {};
    const auto token = Jose::signCompact(key.value(), QStringLiteral("recourse-binding+jwt"), claims);
    if (!token)
        return {};
    return QJsonObject{{QStringLiteral("expires_at"), accessRequest.value(u"expires_at")},
                       {QStringLiteral("binding_token"), QString::fromLatin1(token.value())},
                       {QStringLiteral("template"), accessRequest.value(u"template")},
                       {QStringLiteral("reason"), QStringLiteral("approval_required")}};
}

void tst_BulkRequests::batchEvaluationGivesEachItemADenial()
{
    const QJsonArray items = evaluateItems(kDocuments);

    QCOMPARE(items.size(), 3);
    QStringList evaluationIds;
    QStringList jtis;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonObject denial = items.at(i).toObject().value(u"denial").toObject();
        QVERIFY(!denial.value(u"binding_token").toString().isEmpty());
        QCOMPARE(denial.value(u"template").toString(), QStringLiteral("manager_approval"));
        evaluationIds.append(denial.value(u"evaluation_id").toString());
        jtis.append(claimsOf(denial.value(u"binding_token").toString()).value(u"jti").toString());
        QCOMPARE(items.at(i).toObject().value(u"resource").toObject().value(u"id").toString(), kDocuments.at(i));
    }
    evaluationIds.removeDuplicates();
    jtis.removeDuplicates();
    QCOMPARE(evaluationIds.size(), 3);
    QCOMPARE(jtis.size(), 3);
}

void tst_BulkRequests::submissionCreatesPendingItems()
{
    const HttpResponse submitted = submitBulk(kDocuments);

    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QJsonObject task = taskOf(submitted);
    QCOMPARE(task.value(u"status").toString(), QStringLiteral("pending"));
    QCOMPARE(QString::fromUtf8(submitted.header("location")), task.value(u"status_endpoint").toString());
    QVERIFY(!submitted.json.contains(u"result"));
    const QJsonArray items = task.value(u"items").toArray();
    QCOMPARE(items.size(), 3);
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonObject item = items.at(i).toObject();
        QCOMPARE(item.value(u"resource").toObject(), Arap::document(kDocuments.at(i)));
        QCOMPARE(item.value(u"action").toObject().value(u"name").toString(), QStringLiteral("can_read"));
        QCOMPARE(item.value(u"status").toString(), QStringLiteral("pending"));
        QVERIFY(!item.contains(u"result"));
    }

    const HttpResponse polled = m_service->taskStatus(task.value(u"status_endpoint").toString());
    QCOMPARE(polled.status, 200);
    QCOMPARE(itemsOf(polled), items);
    QVERIFY(polled.hasHeader("retry-after"));

    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + task.value(u"id").toString(), Tokens::bob);
    QCOMPARE(detail.status, 200);
    QVERIFY(!detail.json.contains(u"resource"));
    QVERIFY(!detail.json.contains(u"action"));
    QCOMPARE(detail.json.value(u"items").toArray().size(), 3);
    QCOMPARE(detail.json.value(u"can_decide").toBool(), true);
}

void tst_BulkRequests::itemsDecidedSeparately()
{
    const HttpResponse submitted = submitBulk(kDocuments);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString taskId = taskOf(submitted).value(u"id").toString();
    const QString statusEndpoint = taskOf(submitted).value(u"status_endpoint").toString();

    // The same approver approves two items and, in a second call, denies the third.
    const HttpResponse approved = m_service->approve(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{0, 2}}});
    QVERIFY2(approved.status == 200, approved.describe().constData());
    QCOMPARE(approved.json.value(u"status").toString(), QStringLiteral("pending"));
    const HttpResponse denied = m_service->deny(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{1}}});
    QVERIFY2(denied.status == 200, denied.describe().constData());
    QCOMPARE(denied.json.value(u"status").toString(), QStringLiteral("partial"));

    const HttpResponse status = m_service->taskStatus(statusEndpoint);
    QCOMPARE(taskOf(status).value(u"status").toString(), QStringLiteral("partial"));
    QVERIFY(!status.json.contains(u"result"));
    QVERIFY(!status.hasHeader("retry-after"));
    const QJsonArray items = itemsOf(status);
    QCOMPARE(itemStatuses(items), (QStringList{QStringLiteral("approved"), QStringLiteral("denied"), QStringLiteral("approved")}));
    QVERIFY(!items.at(1).toObject().contains(u"result"));
    for (const int position : {0, 2}) {
        const QJsonObject result = items.at(position).toObject().value(u"result").toObject();
        QCOMPARE(result.value(u"mode").toString(), QStringLiteral("reevaluate"));
        const QJsonObject approval = result.value(u"approval").toObject();
        const QJsonObject state = claimsOf(approval.value(u"state").toString());
        QCOMPARE(state.value(u"approval_id").toString(), approval.value(u"id").toString());
        // The signed state binds this item's resource and action, not the task's.
        const QJsonObject bound{{QStringLiteral("subject"), Arap::alice()},
                                {QStringLiteral("resource"), Arap::document(kDocuments.at(position))},
                                {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
                                {QStringLiteral("context"), Arap::tenant()}};
        QCOMPARE(state.value(u"binding_hash").toString(), hashOf(bound));
    }
    QVERIFY(approvalOf(items, 0).value(u"id") != approvalOf(items, 2).value(u"id"));

    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::auditor);
    QCOMPARE(detail.json.value(u"status").toString(), QStringLiteral("partial"));
    const QJsonArray decisions = detail.json.value(u"decisions").toArray();
    QCOMPARE(decisions.size(), 3);
    QCOMPARE(decisions.at(0).toObject().value(u"item").toInt(), 0);
    QCOMPARE(decisions.at(1).toObject().value(u"item").toInt(), 2);
    QCOMPARE(decisions.at(2).toObject().value(u"item").toInt(), 1);
    QCOMPARE(decisions.at(2).toObject().value(u"decision").toString(), QStringLiteral("deny"));
    const QJsonArray adminItems = detail.json.value(u"items").toArray();
    QCOMPARE(adminItems.at(0).toObject().value(u"decided_by").toString(), QStringLiteral("bob"));
    QCOMPARE(adminItems.at(0).toObject().value(u"approval_id"), approvalOf(items, 0).value(u"id"));
    QVERIFY(!adminItems.at(1).toObject().contains(u"approval_id"));
    const QJsonArray approvals = detail.json.value(u"approvals").toArray();
    QCOMPARE(approvals.size(), 2);
    QCOMPARE(detail.json.value(u"can_decide").toBool(), false);
}

void tst_BulkRequests::itemApprovalsReevaluatedAlone()
{
    const HttpResponse submitted = submitBulk(kDocuments);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString taskId = taskOf(submitted).value(u"id").toString();
    QCOMPARE(m_service->approve(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{0, 2}}}).status, 200);
    QCOMPARE(m_service->deny(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{1}}}).status, 200);
    const QJsonArray items = itemsOf(m_service->taskStatus(taskOf(submitted).value(u"status_endpoint").toString()));
    const QJsonObject first = approvalOf(items, 0);
    const QJsonObject third = approvalOf(items, 2);

    const HttpResponse firstOwn = m_service->evaluate(withApproval(readRequest(kDocuments.at(0)), first));
    const HttpResponse secondWithFirst = m_service->evaluate(withApproval(readRequest(kDocuments.at(1)), first));
    const HttpResponse thirdOwn = m_service->evaluate(withApproval(readRequest(kDocuments.at(2)), third));
    const HttpResponse firstWithThird = m_service->evaluate(withApproval(readRequest(kDocuments.at(0)), third));

    QCOMPARE(firstOwn.json.value(u"decision"), QJsonValue(true));
    QCOMPARE(firstOwn.json.value(u"context").toObject().value(u"approval").toObject().value(u"id"), first.value(u"id"));
    QCOMPARE(secondWithFirst.json.value(u"decision"), QJsonValue(false));
    QCOMPARE(secondWithFirst.json.value(u"context").toObject().value(u"reason").toString(), QStringLiteral("out_of_scope"));
    QCOMPARE(thirdOwn.json.value(u"decision"), QJsonValue(true));
    QCOMPARE(firstWithThird.json.value(u"decision"), QJsonValue(false));
}

void tst_BulkRequests::cancelLeavesTerminalItems()
{
    const HttpResponse submitted = submitBulk(kDocuments.mid(0, 2));
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString statusEndpoint = taskOf(submitted).value(u"status_endpoint").toString();
    QCOMPARE(m_service->approve(taskOf(submitted).value(u"id").toString(), Tokens::bob,
                                QJsonObject{{QStringLiteral("items"), QJsonArray{0}}}).status,
             200);
    QCOMPARE(taskOf(m_service->taskStatus(statusEndpoint)).value(u"status").toString(), QStringLiteral("pending"));

    const HttpResponse cancelled = m_service->post(statusEndpoint + QStringLiteral("/cancel"), {}, Tokens::pepA);

    QVERIFY2(cancelled.status == 200, cancelled.describe().constData());
    QCOMPARE(taskOf(cancelled).value(u"status").toString(), QStringLiteral("partial"));
    const QJsonArray items = itemsOf(cancelled);
    QCOMPARE(itemStatuses(items), (QStringList{QStringLiteral("approved"), QStringLiteral("cancelled")}));
    QVERIFY(items.at(0).toObject().contains(u"result"));
    QVERIFY(!items.at(1).toObject().contains(u"result"));

    // Every item is terminal now, so there is nothing left to cancel.
    const HttpResponse again = m_service->post(statusEndpoint + QStringLiteral("/cancel"), {}, Tokens::pepA);
    QCOMPARE(again.status, 409);
    QCOMPARE(again.problemType(), problem("invalid_task_state"));
}

void tst_BulkRequests::cancelWithEveryItemPending()
{
    const HttpResponse submitted = submitBulk(kDocuments.mid(0, 2));
    QVERIFY2(submitted.status == 202, submitted.describe().constData());

    const HttpResponse cancelled = m_service->post(taskOf(submitted).value(u"status_endpoint").toString()
                                                       + QStringLiteral("/cancel"),
                                                   {}, Tokens::pepA);

    QVERIFY2(cancelled.status == 200, cancelled.describe().constData());
    QCOMPARE(taskOf(cancelled).value(u"status").toString(), QStringLiteral("cancelled"));
    QCOMPARE(itemStatuses(itemsOf(cancelled)), (QStringList{QStringLiteral("cancelled"), QStringLiteral("cancelled")}));
}

void tst_BulkRequests::cancelWithEveryItemTerminal()
{
    const HttpResponse submitted = submitBulk(kDocuments);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());

    // Without items the approval decides every pending item.
    const HttpResponse approved = m_service->approve(taskOf(submitted).value(u"id").toString(), Tokens::bob);
    QVERIFY2(approved.status == 200, approved.describe().constData());
    QCOMPARE(approved.json.value(u"status").toString(), QStringLiteral("approved"));
    const QString statusEndpoint = taskOf(submitted).value(u"status_endpoint").toString();
    const QJsonArray items = itemsOf(m_service->taskStatus(statusEndpoint));
    QCOMPARE(itemStatuses(items), (QStringList{QStringLiteral("approved"), QStringLiteral("approved"), QStringLiteral("approved")}));
    for (int i = 0; i < 3; ++i)
        QVERIFY(!approvalOf(items, i).value(u"id").toString().isEmpty());

    const HttpResponse cancelled = m_service->post(statusEndpoint + QStringLiteral("/cancel"), {}, Tokens::pepA);

    QCOMPARE(cancelled.status, 409);
    QCOMPARE(cancelled.problemType(), problem("invalid_task_state"));
    QCOMPARE(itemStatuses(itemsOf(m_service->taskStatus(statusEndpoint))),
             (QStringList{QStringLiteral("approved"), QStringLiteral("approved"), QStringLiteral("approved")}));
}

void tst_BulkRequests::pendingItemsExpire()
{
    const HttpResponse submitted = submitBulk(kDocuments);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    QCOMPARE(m_service->approve(taskOf(submitted).value(u"id").toString(), Tokens::bob,
                                QJsonObject{{QStringLiteral("items"), QJsonArray{1}}}).status,
             200);

    // manager_approval gives a task 24 hours.
    m_service->clock().advanceSeconds(24 * 3600);
    const HttpResponse expired = m_service->taskStatus(taskOf(submitted).value(u"status_endpoint").toString());

    QCOMPARE(taskOf(expired).value(u"status").toString(), QStringLiteral("partial"));
    QCOMPARE(itemStatuses(itemsOf(expired)),
             (QStringList{QStringLiteral("expired"), QStringLiteral("approved"), QStringLiteral("expired")}));
}

void tst_BulkRequests::reorderedItemsUnderSameKey()
{
    const QJsonArray items = evaluateItems(kDocuments);
    const QString key = QStringLiteral("bulk-key-1");
    const HttpResponse first = m_service->submit(bulkBody(items), Tokens::pepA, key);
    QVERIFY2(first.status == 202, first.describe().constData());

    const HttpResponse retried = m_service->submit(bulkBody(items), Tokens::pepA, key);
    const HttpResponse swapped = m_service->submit(bulkBody(reordered(items, {1, 0, 2})), Tokens::pepA, key);

    QCOMPARE(retried.status, 202);
    QCOMPARE(taskOf(retried).value(u"id"), taskOf(first).value(u"id"));
    QCOMPARE(swapped.status, 409);
    QCOMPARE(swapped.problemType(), problem("duplicate_request"));
}

void tst_BulkRequests::missingDenial_data()
{
    QTest::addColumn<QList<int>>("withoutDenial");
    QTest::addColumn<QString>("namedItem");

    QTest::newRow("no item has a denial") << QList<int>{0, 1, 2} << QStringLiteral("items[0]");
    QTest::newRow("one item lacks its denial") << QList<int>{1} << QStringLiteral("items[1]");
}

void tst_BulkRequests::missingDenial()
{
    QFETCH(QList<int>, withoutDenial);
    QFETCH(QString, namedItem);
    QJsonArray items = evaluateItems(kDocuments);
    for (const int position : withoutDenial) {
        QJsonObject item = items.at(position).toObject();
        item.remove(QStringLiteral("denial"));
        items.replace(position, item);
    }

    const HttpResponse refused = m_service->submit(bulkBody(items));

    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.problemType(), problem("invalid_denial_binding"));
    QVERIFY2(refused.json.value(u"detail").toString().contains(namedItem), refused.describe().constData());
}

void tst_BulkRequests::topLevelMemberWithItems_data()
{
    QTest::addColumn<QString>("member");
    QTest::addColumn<QJsonObject>("value");

    QTest::newRow("resource") << QStringLiteral("resource") << Arap::document(QStringLiteral("q4-plan"));
    QTest::newRow("action") << QStringLiteral("action") << QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}};
}

void tst_BulkRequests::topLevelMemberWithItems()
{
    QFETCH(QString, member);
    QFETCH(QJsonObject, value);
    QJsonObject body = bulkBody(evaluateItems(kDocuments));
    body.insert(member, value);

    const HttpResponse refused = m_service->submit(body);

    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.problemType(), kAboutBlank);
    QCOMPARE(refused.json.value(u"invalid_value").toString(), member);
}

void tst_BulkRequests::tamperedItemResource_data()
{
    QTest::addColumn<bool>("byEvaluationId");

    QTest::newRow("denial with binding_token") << false;
    QTest::newRow("denial with evaluation_id only") << true;
}

void tst_BulkRequests::tamperedItemResource()
{
    QFETCH(bool, byEvaluationId);
    QJsonArray items = evaluateItems(kDocuments);
    QJsonObject second = items.at(1).toObject();
    second.insert(QStringLiteral("resource"), Arap::document(QStringLiteral("q4-roadmap")));
    if (byEvaluationId) {
        QJsonObject denial = second.value(u"denial").toObject();
        denial.remove(QStringLiteral("binding_token"));
        second.insert(QStringLiteral("denial"), denial);
    }
    items.replace(1, second);

    const HttpResponse refused = m_service->submit(bulkBody(items));

    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.problemType(), problem("invalid_denial_binding"));
    QVERIFY2(refused.json.value(u"detail").toString().startsWith(QStringLiteral("items[1]:")), refused.describe().constData());
}

void tst_BulkRequests::bundleDenialBindsItemOrder()
{
    QJsonArray pairs;
    for (const QString &document : kDocuments)
        pairs.append(pairOf(readRequest(document)));
    QJsonObject body = bulkBody(pairs);
    body.insert(QStringLiteral("denial"), bundleDenial(pairs, QStringLiteral("jti_bundle_1")));
    QVERIFY(!body.value(u"denial").toObject().isEmpty());

    const HttpResponse accepted = m_service->submit(body);

    QVERIFY2(accepted.status == 202, accepted.describe().constData());
    QCOMPARE(itemStatuses(itemsOf(accepted)),
             (QStringList{QStringLiteral("pending"), QStringLiteral("pending"), QStringLiteral("pending")}));

    // A bundle binds its items in order: a fresh token for this order refuses another order.
    QJsonObject swapped = bulkBody(reordered(pairs, {1, 0, 2}));
    swapped.insert(QStringLiteral("denial"), bundleDenial(pairs, QStringLiteral("jti_bundle_2")));
    const HttpResponse refused = m_service->submit(swapped);
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.problemType(), problem("invalid_denial_binding"));

    // Replaying the accepted bundle token is refused like any other replay.
    const HttpResponse replayed = m_service->submit(body);
    QCOMPARE(replayed.status, 400);
    QCOMPARE(replayed.problemType(), problem("invalid_denial_binding"));
}

void tst_BulkRequests::singleItemTokenCannotBindBundle()
{
    // A binding token of this PDP binds one evaluated request, so it cannot bind a bundle of two items.
    const QJsonArray items = evaluateItems(kDocuments.mid(0, 2));
    QJsonArray pairs;
    for (const QJsonValue &item : items)
        pairs.append(pairOf(item.toObject()));
    QJsonObject body = bulkBody(pairs);
    body.insert(QStringLiteral("denial"), items.at(0).toObject().value(u"denial"));

    const HttpResponse refused = m_service->submit(body);

    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.problemType(), problem("invalid_denial_binding"));
}

void tst_BulkRequests::anotherClientSubmitsItems_data()
{
    QTest::addColumn<bool>("bundle");

    QTest::newRow("a denial per item") << false;
    QTest::newRow("bundle denial") << true;
}

void tst_BulkRequests::anotherClientSubmitsItems()
{
    QFETCH(bool, bundle);

    // Every denial here was issued to PEP A; PEP B submits them as its own request.
    QJsonObject body;
    if (bundle) {
        QJsonArray pairs;
        for (const QString &document : kDocuments)
            pairs.append(pairOf(readRequest(document)));
        body = bulkBody(pairs);
        body.insert(QStringLiteral("denial"), bundleDenial(pairs, QStringLiteral("jti_bundle_stolen")));
        QVERIFY(!body.value(u"denial").toObject().isEmpty());
    } else {
        body = bulkBody(evaluateItems(kDocuments));
        QCOMPARE(body.value(u"items").toArray().size(), 3);
    }

    const HttpResponse stolen = m_service->submit(body, Tokens::pepB);

    QVERIFY2(stolen.status == 400, stolen.describe().constData());
    QCOMPARE(stolen.problemType(), problem("invalid_denial_binding"));
    const HttpResponse own = m_service->submit(body, Tokens::pepA);
    QVERIFY2(own.status == 202, own.describe().constData());
}

void tst_BulkRequests::itemsNeedOneTemplate()
{
    // q4-plan is under manager_approval, the payment provider's logs under security_review.
    QJsonArray items = evaluateItems({QStringLiteral("q4-plan")});
    QJsonObject logRequest = Arap::paymentLogRead();
    logRequest.insert(QStringLiteral("context"), Arap::tenant());
    const HttpResponse logDenial = m_service->evaluate(logRequest);
    QCOMPARE(logDenial.json.value(u"decision"), QJsonValue(false));
    const QJsonObject logSubmission = submissionFor(logRequest, logDenial.json);
    items.append(QJsonObject{{QStringLiteral("resource"), logSubmission.value(u"resource")},
                             {QStringLiteral("action"), logSubmission.value(u"action")},
                             {QStringLiteral("denial"), logSubmission.value(u"denial")}});

    const HttpResponse refused = m_service->submit(bulkBody(items));

    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.problemType(), kAboutBlank);
    QVERIFY2(refused.json.value(u"detail").toString().contains(QStringLiteral("security_review")), refused.describe().constData());
    QCOMPARE(refused.json.value(u"invalid_value").toString(), QStringLiteral("items[1]"));
}

void tst_BulkRequests::itemNoLongerRequestable()
{
    // Policy permits alice to read q4-summary without a request, so the second item is not requestable.
    QJsonArray pairs{pairOf(readRequest(QStringLiteral("q4-plan"))), pairOf(readRequest(QStringLiteral("q4-summary")))};
    QJsonObject body = bulkBody(pairs);
    body.insert(QStringLiteral("denial"), bundleDenial(pairs, QStringLiteral("jti_bundle_summary")));

    const HttpResponse refused = m_service->submit(body);

    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.problemType(), problem("not_requestable"));
    QCOMPARE(refused.json.value(u"invalid_value").toString(), QStringLiteral("items[1]"));
}

void tst_BulkRequests::itemRequestedAccessOverrides()
{
    const qint64 now = m_service->clock().nowMs();
    const QString sixHours = Rfc3339::format(now + 6 * 3600 * 1000);
    const QString twoHours = Rfc3339::format(now + 2 * 3600 * 1000);
    QJsonArray items = evaluateItems(kDocuments.mid(0, 2));
    QJsonObject second = items.at(1).toObject();
    second.insert(QStringLiteral("requested_access"), QJsonObject{{QStringLiteral("requested_until"), twoHours}});
    items.replace(1, second);
    QJsonObject body = bulkBody(items);
    body.insert(QStringLiteral("requested_access"),
                QJsonObject{{QStringLiteral("requested_until"), sixHours}, {QStringLiteral("emergency"), true}});
    const HttpResponse submitted = m_service->submit(body);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());

    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskOf(submitted).value(u"id").toString(),
                                               Tokens::bob);
    const QJsonArray adminItems = detail.json.value(u"items").toArray();
    QCOMPARE(adminItems.at(0).toObject().value(u"requested_access").toObject(),
             (QJsonObject{{QStringLiteral("requested_until"), sixHours}, {QStringLiteral("emergency"), true}}));
    QCOMPARE(adminItems.at(1).toObject().value(u"requested_access").toObject(),
             (QJsonObject{{QStringLiteral("requested_until"), twoHours}, {QStringLiteral("emergency"), true}}));

    QCOMPARE(m_service->approve(taskOf(submitted).value(u"id").toString(), Tokens::bob).status, 200);
    const QJsonArray decided = itemsOf(m_service->taskStatus(taskOf(submitted).value(u"status_endpoint").toString()));
    QCOMPARE(approvalOf(decided, 0).value(u"approved_until").toString(), sixHours);
    QCOMPARE(approvalOf(decided, 1).value(u"approved_until").toString(), twoHours);
}

void tst_BulkRequests::itemRequestedUntilInThePast()
{
    const QString past = Rfc3339::format(m_service->clock().nowMs() - 60 * 1000);
    QJsonArray items = evaluateItems(kDocuments.mid(0, 2));
    QCOMPARE(items.size(), 2);
    QJsonObject second = items.at(1).toObject();
    second.insert(QStringLiteral("requested_access"), QJsonObject{{QStringLiteral("requested_until"), past}});
    items.replace(1, second);

    const HttpResponse refused = m_service->submit(bulkBody(items));

    QVERIFY2(refused.status == 400, refused.describe().constData());
    QVERIFY(refused.isProblem());
    QCOMPARE(refused.problemType(), kAboutBlank);
    QCOMPARE(refused.json.value(u"invalid_value").toString(), past);
    QVERIFY2(refused.json.value(u"detail").toString().contains(QStringLiteral("items[1].requested_access.requested_until")),
             refused.describe().constData());
}

void tst_BulkRequests::itemEligibilityChecked()
{
    const HttpResponse submitted = submitBulk(kDocuments.mid(0, 2));
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString taskId = taskOf(submitted).value(u"id").toString();

    // alice is the subject. carol is in security, a group manager_approval does not await.
    const HttpResponse bySubject = m_service->approve(taskId, Tokens::alice, QJsonObject{{QStringLiteral("items"), QJsonArray{0}}});
    const HttpResponse byOutsider = m_service->deny(taskId, Tokens::carol);
    QCOMPARE(bySubject.status, 403);
    QCOMPARE(bySubject.problemType(), kNotEligible);
    QCOMPARE(byOutsider.status, 403);
    QCOMPARE(byOutsider.problemType(), kNotEligible);
    const HttpResponse detail = m_service->get(QStringLiteral("/admin/v1/tasks/") + taskId, Tokens::carol);
    QVERIFY(detail.json.value(u"decisions").toArray().isEmpty());
    QCOMPARE(detail.json.value(u"can_decide").toBool(), false);
    QVERIFY(detail.json.value(u"cannot_decide_reason").toString().startsWith(QStringLiteral("items[0]:")));

    QCOMPARE(m_service->approve(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{0}}}).status, 200);
    const HttpResponse decidedAgain = m_service->deny(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{0}}});
    const HttpResponse outOfRange = m_service->deny(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{2}}});
    const HttpResponse broadened = m_service->approve(
        taskId, Tokens::bob,
        QJsonObject{{QStringLiteral("items"), QJsonArray{1}},
                    {QStringLiteral("scope"),
                     QJsonObject{{QStringLiteral("mode"), QStringLiteral("broadened")},
                                 {QStringLiteral("resources"), QJsonArray{Arap::document(QStringLiteral("q4-roadmap"))}}}}});
    QCOMPARE(decidedAgain.status, 409);
    QCOMPARE(decidedAgain.problemType(), problem("invalid_task_state"));
    QCOMPARE(outOfRange.status, 400);
    QCOMPARE(broadened.status, 400);
    QCOMPARE(broadened.json.value(u"invalid_value").toString(), QStringLiteral("scope"));
    QCOMPARE(itemStatuses(itemsOf(m_service->taskStatus(taskOf(submitted).value(u"status_endpoint").toString()))),
             (QStringList{QStringLiteral("approved"), QStringLiteral("pending")}));
}

void tst_BulkRequests::itemEventsAndAudit()
{
    EventRecorder events;
    events.open(m_service->baseUrl(), Tokens::auditor, 0);
    QTRY_VERIFY(events.isConnected());
    const HttpResponse submitted = submitBulk(kDocuments);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString taskId = taskOf(submitted).value(u"id").toString();

    QCOMPARE(m_service->approve(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{0, 2}}}).status, 200);
    QCOMPARE(m_service->deny(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{1}}}).status, 200);

    QTRY_VERIFY(events.types().contains(QStringLiteral("task.partial")));
    QList<int> progressedItems;
    QStringList progressedResources;
    qsizetype lastProgressedIndex = -1;
    qsizetype partialIndex = -1;
    for (qsizetype i = 0; i < events.events().size(); ++i) {
        const QJsonObject event = events.events().at(i);
        if (event.value(u"task_id").toString() != taskId)
            continue;
        const QJsonObject data = event.value(u"data").toObject();
        if (event.value(u"type").toString() == QLatin1String("task.progressed")) {
            progressedItems.append(data.value(u"item").toInt());
            progressedResources.append(data.value(u"resource").toObject().value(u"id").toString());
            lastProgressedIndex = i;
        } else if (event.value(u"type").toString() == QLatin1String("task.partial")) {
            partialIndex = i;
            // The bulk task's own events list every item, since it has no single resource.
            const QJsonArray pairs = data.value(u"pairs").toArray();
            QCOMPARE(pairs.size(), kDocuments.size());
            QCOMPARE(pairs.at(1).toObject().value(u"resource").toObject().value(u"id").toString(), kDocuments.at(1));
        }
    }
    QCOMPARE(progressedItems, (QList<int>{0, 2, 1}));
    QCOMPARE(progressedResources, (QStringList{kDocuments.at(0), kDocuments.at(2), kDocuments.at(1)}));
    QVERIFY(partialIndex > lastProgressedIndex);
    QCOMPARE(events.types().count(QStringLiteral("task.partial")), 1);
    QCOMPARE(events.types().count(QStringLiteral("task.approved")), 0);

    const HttpResponse audit = m_service->get(QStringLiteral("/admin/v1/audit?task_id=") + taskId, Tokens::auditor);
    const QStringList types = typesOf(audit);
    QCOMPARE(types.count(QStringLiteral("task.created")), 1);
    QCOMPARE(types.count(QStringLiteral("task.progressed")), 3);
    QCOMPARE(types.count(QStringLiteral("task.partial")), 1);
    QVERIFY(types.indexOf(QStringLiteral("task.partial")) > types.lastIndexOf(QStringLiteral("task.progressed")));
    QCOMPARE(m_service->get(QStringLiteral("/admin/v1/audit/verify"), Tokens::auditor).json.value(u"ok").toBool(), true);
}

void tst_BulkRequests::autoApprovedItem()
{
    // auto_low_risk approves a tool call that is not marked high-risk at submission.
    const QJsonObject request = Arap::crmExportCall();
    const HttpResponse denied = m_service->evaluate(request);
    QCOMPARE(denied.json.value(u"decision"), QJsonValue(false));
    const QJsonObject single = submissionFor(request, denied.json);
    const QJsonObject body{{QStringLiteral("subject"), single.value(u"subject")},
                           {QStringLiteral("items"),
                            QJsonArray{QJsonObject{{QStringLiteral("resource"), single.value(u"resource")},
                                                   {QStringLiteral("action"), single.value(u"action")},
                                                   {QStringLiteral("denial"), single.value(u"denial")}}}}};

    const HttpResponse submitted = m_service->submit(body);

    QVERIFY2(submitted.status == 201, submitted.describe().constData());
    QCOMPARE(taskOf(submitted).value(u"status").toString(), QStringLiteral("approved"));
    const QJsonArray items = itemsOf(submitted);
    QCOMPARE(itemStatuses(items), QStringList{QStringLiteral("approved")});
    QVERIFY(!submitted.json.contains(u"result"));
    const HttpResponse reevaluated = m_service->evaluate(withApproval(request, approvalOf(items, 0)));
    QCOMPARE(reevaluated.json.value(u"decision"), QJsonValue(true));
}

void tst_BulkRequests::previewListsChosenItems()
{
    const HttpResponse submitted = submitBulk(kDocuments);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString taskId = taskOf(submitted).value(u"id").toString();

    const HttpResponse preview = m_service->post(QStringLiteral("/admin/v1/preview"),
                                                 QJsonObject{{QStringLiteral("task_id"), taskId},
                                                             {QStringLiteral("items"), QJsonArray{2, 0}}},
                                                 Tokens::bob);

    QVERIFY2(preview.status == 200, preview.describe().constData());
    const QJsonArray pairs = preview.json.value(u"pairs").toArray();
    QCOMPARE(pairs.size(), 2);
    QCOMPARE(pairs.at(0).toObject().value(u"resource").toObject(), Arap::document(QStringLiteral("q4-plan")));
    QCOMPARE(pairs.at(1).toObject().value(u"resource").toObject(), Arap::document(QStringLiteral("q4-roadmap")));
    for (const QJsonValue &pair : pairs)
        QCOMPARE(pair.toObject().value(u"outcome").toString(), QStringLiteral("unlocked"));
    QVERIFY2(preview.json.value(u"summary").toString().startsWith(
                 QStringLiteral("alice may can_read document q4-plan, can_read document q4-roadmap until ")),
             preview.describe().constData());

    const HttpResponse broadened = m_service->post(
        QStringLiteral("/admin/v1/preview"),
        QJsonObject{{QStringLiteral("task_id"), taskId},
                    {QStringLiteral("scope"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("broadened")},
                                                          {QStringLiteral("resources"),
                                                           QJsonArray{Arap::document(QStringLiteral("q4-summary"))}}}}},
        Tokens::bob);
    QCOMPARE(broadened.status, 400);
}

void tst_BulkRequests::batchDecisionSelectsItems()
{
    const HttpResponse submitted = submitBulk(kDocuments.mid(0, 2));
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString taskId = taskOf(submitted).value(u"id").toString();
    const QJsonArray decisions{
        QJsonObject{{QStringLiteral("task_id"), taskId}, {QStringLiteral("decision"), QStringLiteral("deny")},
                    {QStringLiteral("items"), QJsonArray{1}}},
        QJsonObject{{QStringLiteral("task_id"), taskId}, {QStringLiteral("decision"), QStringLiteral("approve")}},
    };

    const HttpResponse batch = m_service->post(QStringLiteral("/admin/v1/tasks:batch"),
                                               QJsonObject{{QStringLiteral("decisions"), decisions}}, Tokens::bob);

    QVERIFY2(batch.status == 200, batch.describe().constData());
    const QJsonArray outcomes = batch.json.value(u"outcomes").toArray();
    QCOMPARE(outcomes.size(), 2);
    QCOMPARE(outcomes.at(0).toObject().value(u"status").toString(), QStringLiteral("pending"));
    QCOMPARE(outcomes.at(1).toObject().value(u"status").toString(), QStringLiteral("partial"));
    QCOMPARE(itemStatuses(itemsOf(m_service->taskStatus(taskOf(submitted).value(u"status_endpoint").toString()))),
             (QStringList{QStringLiteral("approved"), QStringLiteral("denied")}));
}

void tst_BulkRequests::singleTasksNeverPartial()
{
    const Escalation approved = m_service->grantAccess(readRequest(QStringLiteral("q4-plan")));
    QVERIFY2(approved.ok(), qPrintable(approved.failure));
    const Escalation denied = m_service->requestAccess(readRequest(QStringLiteral("q4-budget")));
    QVERIFY2(denied.ok(), qPrintable(denied.failure));
    const Escalation untouched = m_service->requestAccess(readRequest(QStringLiteral("q4-roadmap")));
    QVERIFY2(untouched.ok(), qPrintable(untouched.failure));

    const HttpResponse withItems = m_service->approve(untouched.taskId(), Tokens::bob,
                                                      QJsonObject{{QStringLiteral("items"), QJsonArray{0}}});
    QCOMPARE(withItems.status, 400);
    QCOMPARE(withItems.json.value(u"invalid_value").toString(), QStringLiteral("items"));
    QCOMPARE(m_service->deny(denied.taskId(), Tokens::bob).status, 200);
    QCOMPARE(m_service->post(untouched.statusEndpoint() + QStringLiteral("/cancel"), {}, Tokens::pepA).status, 200);

    const QList<QPair<Escalation, QString>> expected{{approved, QStringLiteral("approved")},
                                                     {denied, QStringLiteral("denied")},
                                                     {untouched, QStringLiteral("cancelled")}};
    for (const auto &[flow, status] : expected) {
        const HttpResponse polled = m_service->taskStatus(flow.statusEndpoint());
        QCOMPARE(taskOf(polled).value(u"status").toString(), status);
        QVERIFY(!taskOf(polled).contains(u"items"));
    }
    const HttpResponse partialTasks = m_service->get(QStringLiteral("/admin/v1/tasks?status=partial"), Tokens::auditor);
    QCOMPARE(partialTasks.status, 200);
    QVERIFY(partialTasks.json.value(u"tasks").toArray().isEmpty());
}

void tst_BulkRequests::emptyItemSelection_data()
{
    QTest::addColumn<QString>("path"); // "approve", "deny" or "batch"

    QTest::newRow("approve") << QStringLiteral("approve");
    QTest::newRow("deny") << QStringLiteral("deny");
    QTest::newRow("batch entry") << QStringLiteral("batch");
}

void tst_BulkRequests::emptyItemSelection()
{
    QFETCH(QString, path);

    const HttpResponse submitted = submitBulk(kDocuments);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString taskId = taskOf(submitted).value(u"id").toString();
    const QJsonObject selection{{QStringLiteral("items"), QJsonArray{}}};

    // An empty list selects nothing; only an absent items member means every pending item.
    if (path == QLatin1String("batch")) {
        QJsonObject entry = selection;
        entry.insert(QStringLiteral("task_id"), taskId);
        entry.insert(QStringLiteral("decision"), QStringLiteral("approve"));
        const HttpResponse batch = m_service->post(QStringLiteral("/admin/v1/tasks:batch"),
                                                   QJsonObject{{QStringLiteral("decisions"), QJsonArray{entry}}}, Tokens::bob);
        QVERIFY2(batch.status == 200, batch.describe().constData());
        const QJsonObject outcome = batch.json.value(u"outcomes").toArray().first().toObject();
        QVERIFY2(outcome.value(u"error").isObject(), batch.describe().constData());
        QVERIFY(!outcome.contains(u"status"));
    } else {
        const HttpResponse refused = path == QLatin1String("approve") ? m_service->approve(taskId, Tokens::bob, selection)
                                                                      : m_service->deny(taskId, Tokens::bob, selection);
        QVERIFY2(refused.status == 400, refused.describe().constData());
        QVERIFY(refused.isProblem());
        QCOMPARE(refused.json.value(u"invalid_value").toString(), QStringLiteral("items"));
    }

    const HttpResponse status = m_service->taskStatus(taskOf(submitted).value(u"status_endpoint").toString());
    QCOMPARE(taskOf(status).value(u"status").toString(), QStringLiteral("pending"));
    QCOMPARE(itemStatuses(itemsOf(status)),
             (QStringList{QStringLiteral("pending"), QStringLiteral("pending"), QStringLiteral("pending")}));
}

void tst_BulkRequests::invalidItemPositionQuoted_data()
{
    QTest::addColumn<QJsonValue>("entry");
    QTest::addColumn<QString>("quoted"); // how the detail names the entry

    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << QStringLiteral("null");
    QTest::newRow("object") << QJsonValue(QJsonObject{{QStringLiteral("n"), 1}}) << QStringLiteral(R"({"n":1})");
    QTest::newRow("past the end") << QJsonValue(3) << QStringLiteral("3");
    // A placeholder in the entry stays text: it must not take the place of the item count.
    QTest::newRow("placeholder") << QJsonValue(QStringLiteral("%2")) << QStringLiteral("%2");
}

void tst_BulkRequests::invalidItemPositionQuoted()
{
    QFETCH(QJsonValue, entry);
    QFETCH(QString, quoted);

    const HttpResponse submitted = submitBulk(kDocuments);
    QVERIFY2(submitted.status == 202, submitted.describe().constData());
    const QString taskId = taskOf(submitted).value(u"id").toString();

    const HttpResponse rejected = m_service->approve(taskId, Tokens::bob, QJsonObject{{QStringLiteral("items"), QJsonArray{entry}}});

    QVERIFY2(rejected.status == 400, rejected.describe().constData());
    QCOMPARE(rejected.json.value(u"detail").toString(),
             QStringLiteral("items lists %1, which is not an item position of this task (0 to 2).").arg(quoted));
}

QTEST_GUILESS_MAIN(tst_BulkRequests)
#include "tst_bulkrequests.moc"
