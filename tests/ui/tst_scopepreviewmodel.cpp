// ScopePreviewModel shows the pairs of POST /admin/v1/preview, and ScopeText describes scopes in
// plain words.

#include "ui/scopepreviewmodel.h"
#include "ui/scopetext.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QTest>

using namespace Recourse;
using Recourse::Ui::ScopePreviewModel;
using Recourse::Ui::ScopeText;

namespace {

constexpr qint64 NowMs = 1796378400000; // 2026-12-04T10:00:00Z

QJsonObject document(const QString &id)
{
    return {{QStringLiteral("type"), QStringLiteral("document")}, {QStringLiteral("id"), id}};
}

QJsonObject pair(const QString &id, const QString &outcome, const QString &rule)
{
    return {{QStringLiteral("resource"), document(id)},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
            {QStringLiteral("outcome"), outcome},
            {QStringLiteral("rule"), rule},
            {QStringLiteral("explanation"), QString(QStringLiteral("because ") + id)}};
}

QJsonObject task()
{
    return {{QStringLiteral("subject"), QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("alice")}}},
            {QStringLiteral("resource"), document(QStringLiteral("q4-plan"))},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}}};
}

QJsonObject broadened()
{
    return {{QStringLiteral("mode"), QStringLiteral("broadened")},
            {QStringLiteral("resources"), QJsonArray{document(QStringLiteral("q4-plan")), document(QStringLiteral("q4-budget"))}},
            {QStringLiteral("actions"), QJsonArray{QStringLiteral("can_read"), QStringLiteral("can_comment")}}};
}

} // namespace

class tst_ScopePreviewModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsPairsAndCounts();
    void clearEmptiesModel();
    void describesExactScope();
    void describesBroadenedScope();
    void listsAdditions();
};

void tst_ScopePreviewModel::showsPairsAndCounts()
{
    ScopePreviewModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPreview({{QStringLiteral("pairs"), QJsonArray{pair(QStringLiteral("q4-plan"), QStringLiteral("unlocked"), QStringLiteral("r1")),
                                                          pair(QStringLiteral("q4-summary"), QStringLiteral("already_permitted"), QStringLiteral("r2")),
                                                          pair(QStringLiteral("minutes"), QStringLiteral("still_denied"), QString())}}});

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, ScopePreviewModel::ResourceColumn).data().toString(), QStringLiteral("document q4-plan"));
    QCOMPARE(model.index(0, ScopePreviewModel::ActionColumn).data().toString(), QStringLiteral("can_read"));
    QCOMPARE(model.index(0, ScopePreviewModel::OutcomeColumn).data().toString(), QStringLiteral("Unlocked"));
    QCOMPARE(model.index(1, ScopePreviewModel::OutcomeColumn).data().toString(), QStringLiteral("Already permitted"));
    QCOMPARE(model.index(2, ScopePreviewModel::OutcomeColumn).data().toString(), QStringLiteral("Still denied"));
    QCOMPARE(model.index(2, ScopePreviewModel::RuleColumn).data().toString(), QStringLiteral("(default deny)"));
    QCOMPARE(model.index(2, 0).data(ScopePreviewModel::OutcomeRole).toString(), QStringLiteral("still_denied"));
    QCOMPARE(model.index(1, 0).data(Qt::ToolTipRole).toString(), QStringLiteral("because q4-summary"));
    QCOMPARE(model.count(QStringLiteral("unlocked")), 1);
    QCOMPARE(model.count(QStringLiteral("still_denied")), 1);
}

void tst_ScopePreviewModel::clearEmptiesModel()
{
    ScopePreviewModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPreview({{QStringLiteral("pairs"), QJsonArray{pair(QStringLiteral("q4-plan"), QStringLiteral("unlocked"), QStringLiteral("r1"))}}});
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.count(QStringLiteral("unlocked")), 0);
}

void tst_ScopePreviewModel::describesExactScope()
{
    const QJsonObject exact{{QStringLiteral("mode"), QStringLiteral("exact")}};
    const QString text = ScopeText::grant(task(), exact, NowMs + 2 * 60 * 60 * 1000, NowMs);
    QVERIFY2(text.startsWith(QStringLiteral("alice may can_read document q4-plan until ")), qPrintable(text));
    QVERIFY2(text.endsWith(QStringLiteral("(2 h from now)")), qPrintable(text));
    QCOMPARE(ScopeText::summary(exact), QStringLiteral("exactly as requested"));
    QCOMPARE(ScopeText::grant(task(), exact, -1, NowMs),
             QStringLiteral("alice may can_read document q4-plan until the template's default duration ends"));
}

void tst_ScopePreviewModel::describesBroadenedScope()
{
    const QString text = ScopeText::grant(task(), broadened(), -1, NowMs);
    QCOMPARE(text, QStringLiteral("alice may can_read and can_comment document q4-plan and document q4-budget until the "
                                  "template's default duration ends"));
    QCOMPARE(ScopeText::summary(broadened()), QStringLiteral("broadened: 2 resources × 2 actions"));
}

void tst_ScopePreviewModel::listsAdditions()
{
    QCOMPARE(ScopeText::additions(task(), broadened()),
             (QStringList{QStringLiteral("document q4-budget"), QStringLiteral("action can_comment")}));
    QVERIFY(ScopeText::additions(task(), {{QStringLiteral("mode"), QStringLiteral("exact")}}).isEmpty());
    QCOMPARE(ScopeText::list({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}), QStringLiteral("a, b and c"));
}

QTEST_MAIN(tst_ScopePreviewModel)
#include "tst_scopepreviewmodel.moc"
