// Request schema and catalog URLs of requestable denials: the documents they serve, the Catalog
// Endpoint (paging, search, per-caller items, scoping to the caller's own denials) and the
// re-validation of catalog values at submission, against the real service on 127.0.0.1.

#include "tests/integration/servicefixture.h"

#include <QDir>
#include <QFile>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace Recourse::Testing;

namespace {

// 130 generated CRM entitlements, so a page of 100 is a clamp and not the whole catalog.
constexpr int kGeneratedItems = 130;

const QString kField = QStringLiteral("/context/entitlement");
// A second catalog field, under requested_access, which a bulk item may set for itself.
const QString kRoleField = QStringLiteral("/requested_access/role");

// The catalog: generated items, one item only priya may see, one retired item, and one item
// whose label does not contain "crm". `retireFirst` marks crm.ent.001 retired.
QJsonArray catalogItems(bool retireFirst)
{
    QJsonArray items;
    for (int i = 1; i <= kGeneratedItems; ++i) {
        const QString number = QStringLiteral("%1").arg(i, 3, 10, QLatin1Char('0'));
        QJsonObject item{{QStringLiteral("value"), QString(QStringLiteral("crm.ent.") + number)},
                         {QStringLiteral("label"), QString(QStringLiteral("CRM entitlement ") + number)},
                         {QStringLiteral("risk_level"), QStringLiteral("low")},
                         {QStringLiteral("owner"), QStringLiteral("crm-team")}};
        if (i == 1 && retireFirst)
            item.insert(QStringLiteral("retired"), true);
        items.append(item);
    }
    items.append(QJsonObject{{QStringLiteral("value"), QStringLiteral("crm.export")},
                             {QStringLiteral("label"), QStringLiteral("CRM bulk export")},
                             {QStringLiteral("description"), QStringLiteral("Export every account")},
                             {QStringLiteral("risk_level"), QStringLiteral("high")},
                             {QStringLiteral("when"), QJsonObject{{QStringLiteral("attr"), QStringLiteral("subject.id")},
                                                                  {QStringLiteral("equals"), QStringLiteral("priya")}}}});
    items.append(QJsonObject{{QStringLiteral("value"), QStringLiteral("crm.legacy")},
                             {QStringLiteral("label"), QStringLiteral("Legacy CRM reports")},
                             {QStringLiteral("retired"), true}});
    items.append(QJsonObject{{QStringLiteral("value"), QStringLiteral("billing.read")},
                             {QStringLiteral("label"), QStringLiteral("Billing records (read)")}});
    return items;
}

QByteArray templatesDocument(bool retireFirst)
{
    const QJsonObject schema{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("context"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                  {QStringLiteral("properties"),
                                   QJsonObject{{QStringLiteral("entitlement"),
                                                QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}}}}},
                     {QStringLiteral("requested_access"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                  {QStringLiteral("properties"),
                                   QJsonObject{{QStringLiteral("role"),
                                                QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                                            {QStringLiteral("maxLength"), 64}}}}}}}}},
    };
    const QJsonArray roles{
        QJsonObject{{QStringLiteral("value"), QStringLiteral("role.viewer")}, {QStringLiteral("label"), QStringLiteral("Viewer")}},
        QJsonObject{{QStringLiteral("value"), QStringLiteral("role.admin")}, {QStringLiteral("label"), QStringLiteral("Administrator")},
                    {QStringLiteral("retired"), true}}};
    const QJsonObject tmpl{
        {QStringLiteral("steps"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("manager")},
                                                         {QStringLiteral("groups"), QJsonArray{QStringLiteral("managers")}}}}},
        {QStringLiteral("request_schema"), schema},
        {QStringLiteral("catalogs"), QJsonObject{{kField, QJsonObject{{QStringLiteral("items"), catalogItems(retireFirst)}}},
                                                 {kRoleField, QJsonObject{{QStringLiteral("items"), roles}}}}},
    };
    const QJsonObject plain{
        {QStringLiteral("steps"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("manager")},
                                                         {QStringLiteral("groups"), QJsonArray{QStringLiteral("managers")}}}}},
    };
    const QJsonObject root{{QStringLiteral("templates"),
                            QJsonObject{{QStringLiteral("crm_access"), tmpl}, {QStringLiteral("plain_access"), plain}}}};
    return QJsonDocument(root).toJson();
}

QByteArray rulesDocument()
{
    return R"({"rules": [
  {"id": "crm-needs-approval", "effect": "requestable", "template": "crm_access",
   "match": {"action.name": "use", "resource.type": "application", "resource.id": "crm"}},
  {"id": "wiki-needs-approval", "effect": "requestable", "template": "plain_access",
   "match": {"action.name": "use", "resource.type": "application", "resource.id": "wiki"}}
]}
)";
}

QJsonObject crmRequest(const QString &subjectId)
{
    return QJsonObject{{QStringLiteral("subject"), entity(QStringLiteral("user"), subjectId)},
                       {QStringLiteral("resource"), entity(QStringLiteral("application"), QStringLiteral("crm"))},
                       {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("use")}}}};
}

QJsonObject accessRequestOf(const QJsonObject &decision)
{
    return decision.value(QStringLiteral("context")).toObject().value(QStringLiteral("access_request")).toObject();
}

QString evaluationIdOf(const QJsonObject &decision)
{
    return decision.value(QStringLiteral("context")).toObject().value(QStringLiteral("evaluation_id")).toString();
}

QString originOf(const QString &url)
{
    return QUrl(url).adjusted(QUrl::RemovePath | QUrl::RemoveQuery).toString();
}

QStringList valuesOf(const QJsonObject &page)
{
    QStringList values;
    for (const QJsonValue &item : page.value(QStringLiteral("items")).toArray())
        values.append(item.toObject().value(QStringLiteral("value")).toString());
    return values;
}

} // namespace

class TestCatalogs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void denialCarriesBothUrls();
    void denialWithoutSchemaHasNoUrls();
    void schemaUrlServesSchema();
    void catalogsDocumentShape();
    void pagesThroughAllItems();
    void clampsLimitAndIgnoresUnknown();
    void searchMatchesLabelOrValue();
    void itemsDependOnCaller();
    void ownerOnlyForApprovers();
    void otherPepGetsNotFound();
    void missingTokenGetsUnauthorized();
    void tamperedCursorGetsBadRequest();
    void missingScopeGetsBadRequest();
    void submissionAcceptsListedValue();
    void submissionRejectsUnknownValue();
    void submissionRejectsHiddenValue();
    void submissionRejectsRetiredValue();
    void catalogCallsAreRateLimited();
    void bulkItemValuesAreChecked();

private:
    bool writePolicy(bool retireFirst);
    // Evaluates the CRM request for `subjectId` and returns the requestable denial.
    QJsonObject deny(const QString &subjectId, const QString &pepToken = Tokens::pepA);
    QString endpointOf(const QJsonObject &decision);
    HttpResponse list(const QJsonObject &decision, const QString &extraQuery, const QString &token = Tokens::pepA);

    std::unique_ptr<QTemporaryDir> m_policyDir;
    std::unique_ptr<ServiceFixture> m_service;
};

bool TestCatalogs::writePolicy(bool retireFirst)
{
    const QDir dir(m_policyDir->path());
    // Written under a temporary name and renamed, so the watcher never loads a half-written file.
    for (const auto &[name, bytes] : {std::pair{QStringLiteral("templates.json"), templatesDocument(retireFirst)},
                                      std::pair{QStringLiteral("rules.json"), rulesDocument()}}) {
        QFile file(dir.filePath(name + QStringLiteral(".tmp")));
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            return false;
        file.close();
        QFile::remove(dir.filePath(name));
        if (!QFile::rename(file.fileName(), dir.filePath(name)))
            return false;
    }
    return true;
}

void TestCatalogs::init()
{
    m_policyDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_policyDir->isValid());
    QVERIFY(writePolicy(false));
    m_service = std::make_unique<ServiceFixture>(m_policyDir->path());
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
}

void TestCatalogs::cleanup()
{
    m_service.reset();
    m_policyDir.reset();
}

QJsonObject TestCatalogs::deny(const QString &subjectId, const QString &pepToken)
{
    const HttpResponse response = m_service->evaluate(crmRequest(subjectId), pepToken);
    if (response.status != 200)
        qWarning() << "evaluation failed:" << response.describe();
    return response.json;
}

QString TestCatalogs::endpointOf(const QJsonObject &decision)
{
    const HttpResponse document = m_service->get(accessRequestOf(decision).value(QStringLiteral("request_catalogs_url")).toString(),
                                                 Tokens::pepA);
    return document.json.value(QStringLiteral("fields")).toObject().value(kField).toObject().value(QStringLiteral("endpoint")).toString();
}

HttpResponse TestCatalogs::list(const QJsonObject &decision, const QString &extraQuery, const QString &token)
{
    QString target = endpointOf(decision) + QStringLiteral("?evaluation_id=") + evaluationIdOf(decision);
    if (!extraQuery.isEmpty())
        target += u'&' + extraQuery;
    return m_service->get(target, token);
}

void TestCatalogs::denialCarriesBothUrls()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    const QJsonObject accessRequest = accessRequestOf(decision);
    const QString endpoint = accessRequest.value(QStringLiteral("endpoint")).toString();
    const QString schemaUrl = accessRequest.value(QStringLiteral("request_schema_url")).toString();
    const QString catalogsUrl = accessRequest.value(QStringLiteral("request_catalogs_url")).toString();

    QVERIFY(!endpoint.isEmpty());
    QVERIFY2(!schemaUrl.isEmpty(), qPrintable(QJsonDocument(accessRequest).toJson()));
    QVERIFY2(!catalogsUrl.isEmpty(), qPrintable(QJsonDocument(accessRequest).toJson()));
    QCOMPARE(originOf(schemaUrl), originOf(endpoint));
    QCOMPARE(originOf(catalogsUrl), originOf(endpoint));
}

void TestCatalogs::denialWithoutSchemaHasNoUrls()
{
    QJsonObject request = crmRequest(QStringLiteral("sam"));
    request.insert(QStringLiteral("resource"), entity(QStringLiteral("application"), QStringLiteral("wiki")));
    const HttpResponse response = m_service->evaluate(request);
    QCOMPARE(response.status, 200);
    const QJsonObject accessRequest = accessRequestOf(response.json);
    QVERIFY(accessRequest.contains(QStringLiteral("endpoint")));
    QVERIFY(!accessRequest.contains(QStringLiteral("request_schema_url")));
    QVERIFY(!accessRequest.contains(QStringLiteral("request_catalogs_url")));
}

void TestCatalogs::schemaUrlServesSchema()
{
    const QString schemaUrl = accessRequestOf(deny(QStringLiteral("sam"))).value(QStringLiteral("request_schema_url")).toString();

    for (const QString &token : {Tokens::pepA, Tokens::bob, Tokens::auditor}) {
        const HttpResponse response = m_service->get(schemaUrl, token);
        QVERIFY2(response.status == 200, response.describe().constData());
        const QJsonObject entitlement = response.json.value(QStringLiteral("properties")).toObject()
                                            .value(QStringLiteral("context")).toObject()
                                            .value(QStringLiteral("properties")).toObject()
                                            .value(QStringLiteral("entitlement")).toObject();
        QCOMPARE(entitlement.value(QStringLiteral("type")).toString(), QStringLiteral("string"));
    }

    QCOMPARE(m_service->get(schemaUrl, QString()).status, 401);
    const QString unknown = schemaUrl;
    QCOMPARE(m_service->get(QString(unknown).replace(QStringLiteral("crm_access"), QStringLiteral("nope")), Tokens::pepA).status, 404);
}

void TestCatalogs::catalogsDocumentShape()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    const QJsonObject accessRequest = accessRequestOf(decision);
    const HttpResponse response = m_service->get(accessRequest.value(QStringLiteral("request_catalogs_url")).toString(), Tokens::pepA);
    QVERIFY2(response.status == 200, response.describe().constData());

    const QJsonObject fields = response.json.value(QStringLiteral("fields")).toObject();
    QCOMPARE(fields.keys(), (QStringList{kField, kRoleField}));
    const QJsonObject reference = fields.value(kField).toObject();
    const QString endpoint = reference.value(QStringLiteral("endpoint")).toString();
    QCOMPARE(originOf(endpoint), originOf(accessRequest.value(QStringLiteral("endpoint")).toString()));
    QCOMPARE(reference.value(QStringLiteral("search_param")).toString(), QStringLiteral("q"));
    QCOMPARE(reference.value(QStringLiteral("value_path")).toString(), QStringLiteral("/value"));
    QCOMPARE(reference.value(QStringLiteral("label_path")).toString(), QStringLiteral("/label"));
    const QJsonObject scope = reference.value(QStringLiteral("scope_params")).toObject();
    QCOMPARE(scope.value(QStringLiteral("evaluation_id")).toString(), QStringLiteral("/denial/evaluation_id"));

    // The scope pointer names the evaluation_id in the submission the PEP builds.
    const QJsonObject submission = submissionFor(crmRequest(QStringLiteral("sam")), decision);
    QCOMPARE(submission.value(QStringLiteral("denial")).toObject().value(QStringLiteral("evaluation_id")).toString(),
             evaluationIdOf(decision));
}

void TestCatalogs::pagesThroughAllItems()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    QStringList seen;
    QString cursor;
    int pages = 0;
    for (;;) {
        QString query = QStringLiteral("limit=40");
        if (!cursor.isEmpty())
            query += QStringLiteral("&cursor=") + QString::fromLatin1(QUrl::toPercentEncoding(cursor));
        const HttpResponse page = list(decision, query);
        QVERIFY2(page.status == 200, page.describe().constData());
        QVERIFY(page.json.value(QStringLiteral("items")).toArray().size() <= 40);
        QCOMPARE(page.json.value(QStringLiteral("total")).toInt(), kGeneratedItems + 1);
        seen += valuesOf(page.json);
        ++pages;
        QVERIFY(pages <= 10);
        if (!page.json.contains(QStringLiteral("next_cursor")))
            break;
        cursor = page.json.value(QStringLiteral("next_cursor")).toString();
        QVERIFY(!cursor.isEmpty());
    }

    // 130 generated items and billing.read; the retired item and priya's item are not offered.
    QCOMPARE(pages, 4);
    QCOMPARE(seen.size(), kGeneratedItems + 1);
    QCOMPARE(seen.first(), QStringLiteral("crm.ent.001"));
    QCOMPARE(seen.last(), QStringLiteral("billing.read"));
    QVERIFY(!seen.contains(QStringLiteral("crm.legacy")));
    QVERIFY(!seen.contains(QStringLiteral("crm.export")));
}

void TestCatalogs::clampsLimitAndIgnoresUnknown()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    const HttpResponse page = list(decision, QStringLiteral("q=crm&limit=1000&foo=1"));
    QVERIFY2(page.status == 200, page.describe().constData());
    QCOMPARE(page.json.value(QStringLiteral("items")).toArray().size(), 100);
    QVERIFY(page.json.contains(QStringLiteral("next_cursor")));
    QCOMPARE(page.json.value(QStringLiteral("total")).toInt(), kGeneratedItems);

    const HttpResponse small = list(decision, QStringLiteral("limit=0"));
    QCOMPARE(small.status, 200);
    QCOMPARE(small.json.value(QStringLiteral("items")).toArray().size(), 1);

    // Integers beyond 64 bits are clamped by their sign too.
    const HttpResponse huge = list(decision, QStringLiteral("limit=99999999999999999999"));
    QCOMPARE(huge.json.value(QStringLiteral("items")).toArray().size(), 100);
    const HttpResponse hugeNegative = list(decision, QStringLiteral("limit=-99999999999999999999"));
    QCOMPARE(hugeNegative.json.value(QStringLiteral("items")).toArray().size(), 1);

    const HttpResponse defaulted = list(decision, QStringLiteral("limit=many"));
    QCOMPARE(defaulted.status, 200);
    QCOMPARE(defaulted.json.value(QStringLiteral("items")).toArray().size(), 20);
}

void TestCatalogs::searchMatchesLabelOrValue()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));

    const HttpResponse byLabel = list(decision, QStringLiteral("q=BILLING"));
    QCOMPARE(byLabel.status, 200);
    QCOMPARE(valuesOf(byLabel.json), QStringList{QStringLiteral("billing.read")});
    QVERIFY(!byLabel.json.contains(QStringLiteral("next_cursor")));

    const HttpResponse byValue = list(decision, QStringLiteral("q=ent.12"));
    QCOMPARE(byValue.status, 200);
    QCOMPARE(valuesOf(byValue.json).size(), 10); // crm.ent.120 to crm.ent.129

    const HttpResponse none = list(decision, QStringLiteral("q=nothing-matches"));
    QCOMPARE(none.status, 200);
    QVERIFY(none.json.value(QStringLiteral("items")).toArray().isEmpty());
    QVERIFY(!none.json.contains(QStringLiteral("next_cursor")));
}

void TestCatalogs::itemsDependOnCaller()
{
    const HttpResponse forSam = list(deny(QStringLiteral("sam")), QStringLiteral("q=export"));
    QCOMPARE(forSam.status, 200);
    QVERIFY(valuesOf(forSam.json).isEmpty());

    const HttpResponse forPriya = list(deny(QStringLiteral("priya")), QStringLiteral("q=export"));
    QCOMPARE(forPriya.status, 200);
    QCOMPARE(valuesOf(forPriya.json), QStringList{QStringLiteral("crm.export")});
    const QJsonObject item = forPriya.json.value(QStringLiteral("items")).toArray().first().toObject();
    QCOMPARE(item.value(QStringLiteral("label")).toString(), QStringLiteral("CRM bulk export"));
    QCOMPARE(item.value(QStringLiteral("description")).toString(), QStringLiteral("Export every account"));
    QCOMPARE(item.value(QStringLiteral("risk_level")).toString(), QStringLiteral("high"));
}

void TestCatalogs::ownerOnlyForApprovers()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));

    const HttpResponse asPep = list(decision, QStringLiteral("limit=1"));
    QCOMPARE(asPep.status, 200);
    QVERIFY(!asPep.json.value(QStringLiteral("items")).toArray().first().toObject().contains(QStringLiteral("owner")));

    for (const QString &token : {Tokens::bob, Tokens::auditor}) {
        const HttpResponse asReviewer = list(decision, QStringLiteral("limit=1"), token);
        QVERIFY2(asReviewer.status == 200, asReviewer.describe().constData());
        QCOMPARE(asReviewer.json.value(QStringLiteral("items")).toArray().first().toObject().value(QStringLiteral("owner")).toString(),
                 QStringLiteral("crm-team"));
    }
}

void TestCatalogs::otherPepGetsNotFound()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    const HttpResponse response = list(decision, QString(), Tokens::pepB);
    QCOMPARE(response.status, 404);
    QVERIFY(response.isProblem());

    // An unknown id gets the same response as someone else's.
    const HttpResponse unknown = m_service->get(endpointOf(decision) + QStringLiteral("?evaluation_id=evl_unknown"), Tokens::pepB);
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.json.value(QStringLiteral("detail")), response.json.value(QStringLiteral("detail")));
}

void TestCatalogs::missingTokenGetsUnauthorized()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    const HttpResponse listing = list(decision, QString(), QString());
    QCOMPARE(listing.status, 401);
    QVERIFY(listing.hasHeader("www-authenticate"));
    const HttpResponse document = m_service->get(accessRequestOf(decision).value(QStringLiteral("request_catalogs_url")).toString(), QString());
    QCOMPARE(document.status, 401);
}

void TestCatalogs::tamperedCursorGetsBadRequest()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    const HttpResponse first = list(decision, QStringLiteral("limit=5"));
    QCOMPARE(first.status, 200);
    const QString cursor = first.json.value(QStringLiteral("next_cursor")).toString();
    QVERIFY(!cursor.isEmpty());

    QString tampered = cursor;
    tampered[0] = tampered.at(0) == u'A' ? u'B' : u'A';
    // One extra character decodes to the same bytes, so it is caught only by comparing encodings.
    const QStringList badCursors{tampered, cursor.left(cursor.size() - 2), cursor + u'A', cursor + u'9',
                                 QStringLiteral("not a cursor"), QString()};
    for (const QString &bad : badCursors) {
        const HttpResponse response = list(decision, QStringLiteral("limit=5&cursor=") + QString::fromLatin1(QUrl::toPercentEncoding(bad)));
        QVERIFY2(response.status == 400, qPrintable(bad + u' ' + QString::fromUtf8(response.describe())));
        QVERIFY(response.isProblem());
        QCOMPARE(response.json.value(QStringLiteral("invalid_value")).toString(), QStringLiteral("cursor"));
    }

    // A genuine cursor is bound to its search text and to its denial.
    const HttpResponse otherSearch = list(decision, QStringLiteral("q=crm&cursor=") + QString::fromLatin1(QUrl::toPercentEncoding(cursor)));
    QCOMPARE(otherSearch.status, 400);
    const HttpResponse otherDenial = list(deny(QStringLiteral("sam")), QStringLiteral("cursor=") + QString::fromLatin1(QUrl::toPercentEncoding(cursor)));
    QCOMPARE(otherDenial.status, 400);
}

void TestCatalogs::missingScopeGetsBadRequest()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    const HttpResponse response = m_service->get(endpointOf(decision) + QStringLiteral("?q=crm"), Tokens::pepA);
    QCOMPARE(response.status, 400);
    QCOMPARE(response.json.value(QStringLiteral("invalid_value")).toString(), QStringLiteral("evaluation_id"));
}

void TestCatalogs::submissionAcceptsListedValue()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    const HttpResponse page = list(decision, QStringLiteral("q=billing"));
    QCOMPARE(valuesOf(page.json), QStringList{QStringLiteral("billing.read")});

    QJsonObject submission = submissionFor(crmRequest(QStringLiteral("sam")), decision);
    submission.insert(QStringLiteral("context"), QJsonObject{{QStringLiteral("entitlement"), QStringLiteral("billing.read")}});
    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 202, response.describe().constData());
}

void TestCatalogs::submissionRejectsUnknownValue()
{
    const QJsonObject decision = deny(QStringLiteral("sam"));
    QJsonObject submission = submissionFor(crmRequest(QStringLiteral("sam")), decision);

    // Values are opaque and compared exactly: a case change or a non-string is not an item.
    for (const QJsonValue &value : {QJsonValue(QStringLiteral("crm.nope")), QJsonValue(QStringLiteral("BILLING.READ")),
                                    QJsonValue(42)}) {
        submission.insert(QStringLiteral("context"), QJsonObject{{QStringLiteral("entitlement"), value}});
        const HttpResponse response = m_service->submit(submission);
        QVERIFY2(response.status == 400, response.describe().constData());
        QVERIFY(response.isProblem());
        QCOMPARE(response.json.value(QStringLiteral("invalid_value")).toString(), kField);
    }
}

void TestCatalogs::submissionRejectsHiddenValue()
{
    // crm.export is offered to priya only; sam's PEP cannot submit it for sam.
    const QJsonObject decision = deny(QStringLiteral("sam"));
    QJsonObject submission = submissionFor(crmRequest(QStringLiteral("sam")), decision);
    submission.insert(QStringLiteral("context"), QJsonObject{{QStringLiteral("entitlement"), QStringLiteral("crm.export")}});
    const HttpResponse response = m_service->submit(submission);
    QCOMPARE(response.status, 400);
    QCOMPARE(response.json.value(QStringLiteral("invalid_value")).toString(), kField);
}

void TestCatalogs::submissionRejectsRetiredValue()
{
    // Given the PEP resolved crm.ent.001 from the catalog,
    const QJsonObject decision = deny(QStringLiteral("sam"));
    const HttpResponse before = list(decision, QStringLiteral("limit=1"));
    QCOMPARE(valuesOf(before.json), QStringList{QStringLiteral("crm.ent.001")});

    // when the policy retires it before the submission (the folder reloads live),
    QVERIFY(writePolicy(true));
    QTRY_VERIFY_WITH_TIMEOUT(valuesOf(list(decision, QStringLiteral("limit=1")).json) == QStringList{QStringLiteral("crm.ent.002")},
                             20000);

    // then the submission is rejected and names the field.
    QJsonObject submission = submissionFor(crmRequest(QStringLiteral("sam")), decision);
    submission.insert(QStringLiteral("context"), QJsonObject{{QStringLiteral("entitlement"), QStringLiteral("crm.ent.001")}});
    const HttpResponse response = m_service->submit(submission);
    QVERIFY2(response.status == 400, response.describe().constData());
    QCOMPARE(response.json.value(QStringLiteral("invalid_value")).toString(), kField);

    // and a value still offered goes through on the same denial.
    submission.insert(QStringLiteral("context"), QJsonObject{{QStringLiteral("entitlement"), QStringLiteral("crm.ent.002")}});
    QCOMPARE(m_service->submit(submission).status, 202);
}

void TestCatalogs::catalogCallsAreRateLimited()
{
    // A service of its own on the demo pack, whose config allows a burst of 3 calls per identity.
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    Recourse::Service::ServiceOptions options;
    options.dataDir = dataDir.path();
    options.policy = QStringLiteral("demo");
    options.config = QJsonDocument::fromJson(R"({"identities": [{"id": "pep-a", "role": "pep", "token": "pep-a-secret"}],
        "rate_limit": {"requests_per_second": 0.5, "burst": 3}})").object();
    auto started = Recourse::Service::ServiceHost::start(options);
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    const std::unique_ptr<Recourse::Service::ServiceHost> host = std::move(started.value());

    QNetworkAccessManager network;
    const auto get = [&](const QString &path) {
        QNetworkRequest request(host->baseUrl().resolved(QUrl(path)));
        request.setRawHeader("Authorization", "Bearer pep-a-secret");
        QNetworkReply *reply = network.get(request);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            finished.wait(10000);
        reply->deleteLater();
        return std::pair{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->rawHeader("Retry-After")};
    };

    const QString document = QStringLiteral("/access/v1/templates/crm_entitlement_access/catalogs");
    for (int i = 0; i < 3; ++i)
        QCOMPARE(get(document).first, 200);
    const auto [status, retryAfter] = get(document);
    QCOMPARE(status, 429);
    QVERIFY(retryAfter.toInt() >= 1);
}

void TestCatalogs::bulkItemValuesAreChecked()
{
    // Two denials for sam, each bound to its own bulk item.
    QJsonArray denials;
    for (int i = 0; i < 2; ++i)
        denials.append(submissionFor(crmRequest(QStringLiteral("sam")), deny(QStringLiteral("sam"))).value(u"denial"));
    const auto bulkBody = [&](const QJsonValue &secondRole) {
        QJsonArray items;
        for (int i = 0; i < 2; ++i) {
            QJsonObject item{{QStringLiteral("resource"), entity(QStringLiteral("application"), QStringLiteral("crm"))},
                             {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("use")}}},
                             {QStringLiteral("denial"), denials.at(i)}};
            if (i == 1)
                item.insert(QStringLiteral("requested_access"), QJsonObject{{QStringLiteral("role"), secondRole}});
            items.append(item);
        }
        return QJsonObject{{QStringLiteral("subject"), entity(QStringLiteral("user"), QStringLiteral("sam"))},
                           {QStringLiteral("context"), QJsonObject{{QStringLiteral("entitlement"), QStringLiteral("billing.read")}}},
                           {QStringLiteral("requested_access"), QJsonObject{{QStringLiteral("role"), QStringLiteral("role.viewer")}}},
                           {QStringLiteral("items"), items}};
    };

    // An item's own value passes the same catalog and schema checks as a top-level one, and the
    // problem names the item's pointer.
    const QString itemPointer = QStringLiteral("/items/1") + kRoleField;
    for (const QJsonValue &value : {QJsonValue(QStringLiteral("role.admin")), QJsonValue(QStringLiteral("role.owner")),
                                    QJsonValue(QJsonObject{{QStringLiteral("nested"), QJsonArray{1, 2, 3}}})}) {
        const HttpResponse response = m_service->submit(bulkBody(value));
        QVERIFY2(response.status == 400, response.describe().constData());
        QVERIFY(response.isProblem());
        QCOMPARE(response.json.value(QStringLiteral("invalid_value")).toString(), itemPointer);
    }

    const HttpResponse accepted = m_service->submit(bulkBody(QStringLiteral("role.viewer")));
    QVERIFY2(accepted.status == 202, accepted.describe().constData());
}

QTEST_GUILESS_MAIN(TestCatalogs)
#include "tst_catalogs.moc"
