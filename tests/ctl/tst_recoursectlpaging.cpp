// recoursectl's paging over a fake approver API on 127.0.0.1, where page sizes and cursors can be
// made to stress list and audit export in ways the real service needs thousands of records for.

#include "tests/client/fakeapproverservice.h"
#include "tests/ctl/ctlprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUrlQuery>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

QJsonObject fakeTask(int number)
{
    return QJsonObject{{QStringLiteral("id"), QStringLiteral("arq_%1").arg(number)},
                       {QStringLiteral("status"), QStringLiteral("pending")}};
}

QJsonObject fakeRecord(qint64 seq)
{
    return QJsonObject{{QStringLiteral("seq"), double(seq)},
                       {QStringLiteral("type"), QStringLiteral("task.created")},
                       {QStringLiteral("data"), QJsonObject{}},
                       {QStringLiteral("hash"), QStringLiteral("h%1").arg(seq)}};
}

FakeHttpResponse jsonResponse(const QJsonObject &body)
{
    FakeHttpResponse response;
    response.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return response;
}

} // namespace

class tst_RecoursectlPaging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listFollowsCursorsUpToLimit();
    void listStopsOnEmptyPage();
    void auditExportAsksAfterLastSeq();
    void auditExportStopsWhenSeqRepeats();
};

void tst_RecoursectlPaging::listFollowsCursorsUpToLimit()
{
    // 1,200 tasks in pages of at most 500; each cursor is the offset of the next page.
    FakeApproverService service;
    service.handler = [](const FakeHttpRequest &request) {
        const QUrlQuery query(request.query());
        const int offset = query.queryItemValue(QStringLiteral("cursor")).toInt();
        const int limit = query.queryItemValue(QStringLiteral("limit")).toInt();
        QJsonArray tasks;
        for (int i = offset; i < std::min(offset + limit, 1200); ++i)
            tasks.append(fakeTask(i));
        QJsonObject body{{QStringLiteral("tasks"), tasks}};
        if (offset + limit < 1200)
            body.insert(QStringLiteral("next_cursor"), QString::number(offset + limit));
        return jsonResponse(body);
    };
    QVERIFY(service.listen());

    CtlProcess ctl;
    RUN_CTL(ctl, QStringList{QStringLiteral("--url"), service.baseUrl().toString(), QStringLiteral("--token"),
                             QStringLiteral("bob-secret"), QStringLiteral("list"), QStringLiteral("--limit"),
                             QStringLiteral("1100"), QStringLiteral("--json")});

    QCOMPARE(ctl.exitCode(), 0);
    const QJsonArray tasks = QJsonDocument::fromJson(ctl.out().toUtf8()).array();
    QCOMPARE(tasks.size(), 1100);
    QCOMPARE(tasks.last().toObject().value(u"id").toString(), QStringLiteral("arq_1099"));
    QCOMPARE(service.requests.size(), 3);
    const QStringList limits{QStringLiteral("500"), QStringLiteral("500"), QStringLiteral("100")};
    for (qsizetype i = 0; i < service.requests.size(); ++i)
        QCOMPARE(QUrlQuery(service.requests.at(i).query()).queryItemValue(QStringLiteral("limit")), limits.at(i));
}

void tst_RecoursectlPaging::listStopsOnEmptyPage()
{
    FakeApproverService service;
    service.handler = [](const FakeHttpRequest &) {
        return jsonResponse(QJsonObject{{QStringLiteral("tasks"), QJsonArray{}},
                                        {QStringLiteral("next_cursor"), QStringLiteral("same")}});
    };
    QVERIFY(service.listen());

    CtlProcess ctl;
    RUN_CTL(ctl, QStringList{QStringLiteral("--url"), service.baseUrl().toString(), QStringLiteral("--token"),
                             QStringLiteral("bob-secret"), QStringLiteral("list")});

    QCOMPARE(ctl.exitCode(), 0);
    QCOMPARE(ctl.out(), QStringLiteral("No tasks match.\n"));
    QCOMPARE(service.requests.size(), 1);
}

void tst_RecoursectlPaging::auditExportAsksAfterLastSeq()
{
    // 2,500 records in pages of 1,000, as the service returns them.
    FakeApproverService service;
    service.handler = [](const FakeHttpRequest &request) {
        const qint64 after = QUrlQuery(request.query()).queryItemValue(QStringLiteral("after")).toLongLong();
        QJsonArray records;
        for (qint64 seq = after + 1; seq <= std::min<qint64>(after + 1000, 2500); ++seq)
            records.append(fakeRecord(seq));
        return jsonResponse(QJsonObject{{QStringLiteral("records"), records}});
    };
    QVERIFY(service.listen());

    CtlProcess ctl;
    RUN_CTL(ctl, QStringList{QStringLiteral("--url"), service.baseUrl().toString(), QStringLiteral("--token"),
                             QStringLiteral("audit-secret"), QStringLiteral("audit"), QStringLiteral("export"),
                             QStringLiteral("--subject"), QStringLiteral("alice")});

    QCOMPARE(ctl.exitCode(), 0);
    const QStringList lines = ctl.out().split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2500);
    QCOMPARE(QJsonDocument::fromJson(lines.last().toUtf8()).object().value(u"seq").toInteger(), 2500);

    QCOMPARE(service.requests.size(), 4);
    const QStringList afters{QString(), QStringLiteral("1000"), QStringLiteral("2000"), QStringLiteral("2500")};
    for (qsizetype i = 0; i < service.requests.size(); ++i) {
        const QUrlQuery query(service.requests.at(i).query());
        QCOMPARE(query.queryItemValue(QStringLiteral("after")), afters.at(i));
        QCOMPARE(query.queryItemValue(QStringLiteral("subject")), QStringLiteral("alice"));
    }
}

void tst_RecoursectlPaging::auditExportStopsWhenSeqRepeats()
{
    // A service that ignores `after` would otherwise be asked for the same page forever.
    FakeApproverService service;
    service.handler = [](const FakeHttpRequest &) {
        return jsonResponse(QJsonObject{{QStringLiteral("records"), QJsonArray{fakeRecord(1), fakeRecord(2)}}});
    };
    QVERIFY(service.listen());

    QTemporaryDir folder;
    const QString path = folder.filePath(QStringLiteral("audit.jsonl"));
    CtlProcess ctl;
    RUN_CTL(ctl, QStringList{QStringLiteral("--url"), service.baseUrl().toString(), QStringLiteral("--token"),
                             QStringLiteral("audit-secret"), QStringLiteral("audit"), QStringLiteral("export"),
                             QStringLiteral("-o"), path});

    QCOMPARE(ctl.exitCode(), 1);
    QCOMPARE(ctl.err(), QStringLiteral("recoursectl: The service returned audit records up to seq 2 when asked for "
                                       "records after 2; the export stopped.\n"));
    QCOMPARE(service.requests.size(), 2);
    // The file is written only when the export completes.
    QVERIFY(!QFile::exists(path));
}

QTEST_GUILESS_MAIN(tst_RecoursectlPaging)
#include "tst_recoursectlpaging.moc"
