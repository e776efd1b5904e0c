// The bulk binding hash: base64url(SHA-256(JCS({"subject","items","context"}))) with the actor
// removed, the context projected and the items in bound order.

#include "core/escalation/binding.h"

#include <QJsonArray>
#include <QTest>

using namespace Recourse::Escalation;

namespace {

QJsonObject pair(const QString &type, const QString &id, const QString &action)
{
    return QJsonObject{{QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), type}, {QStringLiteral("id"), id}}},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), action}}}};
}

QJsonObject alice()
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}};
}

QJsonObject tenant()
{
    return QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}};
}

const QStringList kTenant{QStringLiteral("tenant")};

} // namespace

class tst_BulkBinding : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void profileExampleHash();
    void itemOrderIsBound();
    void actorIsNotBound();
    void contextIsProjected();
    void itemExtrasAreNotBound();
    void bulkFormDiffersFromSingle();
};

void tst_BulkBinding::profileExampleHash()
{
    // The binding_hash claim of the bundle token in the non-normative example of the AuthZEN Bulk
    // Access Requests Profile, draft 1, whose binding_context_members is empty. Python's json and
    // hashlib give the same value for the example body.
    const QJsonObject subject{{QStringLiteral("type"), QStringLiteral("user")},
                              {QStringLiteral("id"), QStringLiteral("alice@example.com")}};
    const QJsonArray items{pair(QStringLiteral("document"), QStringLiteral("q4-plan"), QStringLiteral("can_read")),
                           pair(QStringLiteral("channel"), QStringLiteral("engineering"), QStringLiteral("can_post"))};
    const QJsonObject context{
        {QStringLiteral("business_justification"), QStringLiteral("Onboarding to the renewal review project")}};

    QCOMPARE(Binding::bulkHash(subject, items, context, {}), QStringLiteral("NM0o1jI6qexrMTEnKEo1dxlaGjYPPOrOs9Ecqzmq3po"));
}

void tst_BulkBinding::itemOrderIsBound()
{
    const QJsonObject plan = pair(QStringLiteral("document"), QStringLiteral("q4-plan"), QStringLiteral("can_read"));
    const QJsonObject budget = pair(QStringLiteral("document"), QStringLiteral("q4-budget"), QStringLiteral("can_read"));

    const QString inOrder = Binding::bulkHash(alice(), QJsonArray{plan, budget}, tenant(), kTenant);
    const QString swapped = Binding::bulkHash(alice(), QJsonArray{budget, plan}, tenant(), kTenant);

    QVERIFY(inOrder != swapped);
    QCOMPARE(inOrder.size(), 43); // base64url of 32 bytes, unpadded
}

void tst_BulkBinding::actorIsNotBound()
{
    const QJsonObject act{{QStringLiteral("sub"), QStringLiteral("agent-7")}};
    QJsonObject withActor = alice();
    withActor.insert(QStringLiteral("properties"),
                     QJsonObject{{QStringLiteral("act"), act}, {QStringLiteral("department"), QStringLiteral("sales")}});
    QJsonObject withoutActor = alice();
    withoutActor.insert(QStringLiteral("properties"), QJsonObject{{QStringLiteral("department"), QStringLiteral("sales")}});
    const QJsonArray items{pair(QStringLiteral("document"), QStringLiteral("q4-plan"), QStringLiteral("can_read"))};

    QCOMPARE(Binding::bulkHash(withActor, items, tenant(), kTenant), Binding::bulkHash(withoutActor, items, tenant(), kTenant));
}

void tst_BulkBinding::contextIsProjected()
{
    const QJsonArray items{pair(QStringLiteral("document"), QStringLiteral("q4-plan"), QStringLiteral("can_read"))};
    QJsonObject wider = tenant();
    wider.insert(QStringLiteral("business_justification"), QStringLiteral("quarterly review"));
    QJsonObject otherTenant{{QStringLiteral("tenant"), QStringLiteral("globex")}};

    QCOMPARE(Binding::bulkHash(alice(), items, wider, kTenant), Binding::bulkHash(alice(), items, tenant(), kTenant));
    QVERIFY(Binding::bulkHash(alice(), items, otherTenant, kTenant) != Binding::bulkHash(alice(), items, tenant(), kTenant));
}

void tst_BulkBinding::itemExtrasAreNotBound()
{
    const QJsonObject plain = pair(QStringLiteral("document"), QStringLiteral("q4-plan"), QStringLiteral("can_read"));
    QJsonObject withExtras = plain;
    withExtras.insert(QStringLiteral("requested_access"),
                      QJsonObject{{QStringLiteral("requested_until"), QStringLiteral("2026-12-04T12:00:00Z")}});
    withExtras.insert(QStringLiteral("denial"), QJsonObject{{QStringLiteral("evaluation_id"), QStringLiteral("evl_1")}});

    QCOMPARE(Binding::bulkHash(alice(), QJsonArray{withExtras}, tenant(), kTenant),
             Binding::bulkHash(alice(), QJsonArray{plain}, tenant(), kTenant));
}

void tst_BulkBinding::bulkFormDiffersFromSingle()
{
    // A single-item token must never pass as a bundle of one item, or back.
    const QJsonObject plan = pair(QStringLiteral("document"), QStringLiteral("q4-plan"), QStringLiteral("can_read"));
    const QString single = Binding::hash(alice(), plan.value(u"resource").toObject(), plan.value(u"action").toObject(),
                                         tenant(), kTenant);

    QVERIFY(single != Binding::bulkHash(alice(), QJsonArray{plan}, tenant(), kTenant));
}

QTEST_GUILESS_MAIN(tst_BulkBinding)
#include "tst_bulkbinding.moc"
