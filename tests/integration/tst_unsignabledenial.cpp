// A denial the service cannot sign is a plain deny. Signing a binding token first records the
// token's expiry in the active key's record file under signing-keys/, and when that write fails
// the key signs nothing. The test makes the write fail with real files: a folder takes the
// record file's place, which stops the write even for root.

#include "tests/integration/araprequests.h"
#include "tests/integration/servicefixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTest>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

// Returns the record file of the service's only signing key, or an empty string.
QString keyRecordPath(const QString &dataDir)
{
    const QDir keys(QDir(dataDir).filePath(QStringLiteral("signing-keys")));
    const QStringList records = keys.entryList({QStringLiteral("*.json")}, QDir::Files);
    return records.size() == 1 ? keys.filePath(records.first()) : QString();
}

} // namespace

class tst_UnsignableDenial : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unsignedDenialIsPlain();
};

void tst_UnsignableDenial::unsignedDenialIsPlain()
{
    ServiceFixture service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const QString recordPath = keyRecordPath(service.dataDir());
    QVERIFY2(!recordPath.isEmpty(), qPrintable(service.dataDir()));

    // Given a key record that cannot be replaced: a folder with a file in it sits at its path.
    QFile record(recordPath);
    QVERIFY(record.open(QIODevice::ReadOnly));
    const QByteArray saved = record.readAll();
    record.close();
    QVERIFY(QFile::remove(recordPath));
    QVERIFY(QDir().mkpath(recordPath));
    QFile blocker(QDir(recordPath).filePath(QStringLiteral("blocker")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();

    // When a PEP evaluates a request the policy makes requestable, alone and in a batch.
    const HttpResponse single = service.evaluate(Arap::q4PlanRead());
    const QJsonObject batch{{QStringLiteral("subject"), Arap::alice()},
                            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
                            {QStringLiteral("context"), Arap::tenant()},
                            {QStringLiteral("evaluations"),
                             QJsonArray{QJsonObject{{QStringLiteral("resource"), Arap::document(QStringLiteral("q4-plan"))}}}}};
    const HttpResponse batched = service.post(QStringLiteral("/access/v1/evaluations"), batch, Tokens::pepA);

    // Then each is a deny without access_request, and a submission of it creates no task.
    QCOMPARE(single.status, 200);
    QCOMPARE(single.json.value(u"decision"), QJsonValue(false));
    QVERIFY2(!single.json.value(u"context").toObject().contains(u"access_request"), single.describe().constData());
    QCOMPARE(batched.status, 200);
    const QJsonObject batchedDecision = batched.json.value(u"evaluations").toArray().at(0).toObject();
    QCOMPARE(batchedDecision.value(u"decision"), QJsonValue(false));
    QVERIFY2(!batchedDecision.value(u"context").toObject().contains(u"access_request"), batched.describe().constData());
    const HttpResponse submitted = service.submit(submissionFor(Arap::q4PlanRead(), single.json));
    QVERIFY2(submitted.status == 400, submitted.describe().constData());
    const HttpResponse tasks = service.get(QStringLiteral("/admin/v1/tasks"), Tokens::auditor);
    QCOMPARE(tasks.json.value(u"tasks").toArray().size(), 0);

    // Control: once the record can be written again, the same request is requestable.
    QVERIFY(QDir(recordPath).removeRecursively());
    QVERIFY(record.open(QIODevice::WriteOnly));
    QCOMPARE(record.write(saved), saved.size());
    record.close();
    const HttpResponse restored = service.evaluate(Arap::q4PlanRead());
    QCOMPARE(restored.json.value(u"decision"), QJsonValue(false));
    QVERIFY2(restored.json.value(u"context").toObject().value(u"access_request").isObject(), restored.describe().constData());
}

QTEST_GUILESS_MAIN(tst_UnsignableDenial)
#include "tst_unsignabledenial.moc"
