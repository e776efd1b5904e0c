// Desktop conventions of the real console against the real service (demo pack): accessible names,
// themes that persist, the About box, the English catalogue, and a live feed that loses nothing
// when the service restarts.

#include "tests/ui/consolefixture.h"
#include "ui/appearance.h"
#include "ui/translations.h"

#include <QAbstractItemView>
#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSet>
#include <QTranslator>

using namespace Recourse;
using namespace Recourse::Testing;

namespace {

// The demo pack's support agent: sam's AI agent asking to read the payment-provider log.
QJsonObject logRequest()
{
    return {{QStringLiteral("subject"), entity(QStringLiteral("user"), QStringLiteral("sam"),
                                               QJsonObject{{QStringLiteral("department"), QStringLiteral("support")}})},
            {QStringLiteral("resource"), entity(QStringLiteral("log"), QStringLiteral("payments-provider"))},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("read")}}},
            {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
}

} // namespace

class tst_ConsoleConventions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void controlsHaveAccessibleNames();
    void themeAppliesAndPersists();
    void aboutNamesVersions();
    void englishCatalogueLoads();
    void activityLosslessAcrossRestart();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ServiceFixture> m_service;
    std::unique_ptr<Console> m_bob;
};

void tst_ConsoleConventions::init()
{
    QVERIFY(m_dir.isValid());
    m_service = std::make_unique<ServiceFixture>(QStringLiteral("demo"));
    QVERIFY2(m_service->start(), qPrintable(m_service->errorString()));
    m_bob = openConsole(*m_service, Tokens::bob, m_dir.filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
}

void tst_ConsoleConventions::cleanup()
{
    m_bob.reset();
    m_service.reset();
    Ui::Appearance::apply(Ui::Appearance::Theme::System);
}

void tst_ConsoleConventions::controlsHaveAccessibleNames()
{
    // Every input and list of every page needs a name a screen reader can say; buttons and check
    // boxes are named by their text.
    QStringList unnamed;
    const auto check = [&unnamed](QWidget *widget) {
        if (widget->accessibleName().isEmpty())
            unnamed.append(QString::fromLatin1(widget->metaObject()->className()) + u' ' + widget->objectName());
    };
    for (auto *edit : m_bob->window->findChildren<QLineEdit *>()) {
        // The line edits inside combo boxes and spin boxes are named by their owner.
        if (!qobject_cast<QComboBox *>(edit->parentWidget()) && !edit->objectName().startsWith(u"qt_"))
            check(edit);
    }
    for (auto *combo : m_bob->window->findChildren<QComboBox *>())
        check(combo);
    for (auto *view : m_bob->window->findChildren<QAbstractItemView *>()) {
        // Header views belong to their view, and a combo box names its popup list.
        const bool partOfAnother = qobject_cast<QHeaderView *>(view) || view->objectName().startsWith(u"qt_")
            || (view->parentWidget() && qobject_cast<QComboBox *>(view->parentWidget()->parentWidget()));
        if (!partOfAnother)
            check(view);
    }
    for (auto *edit : m_bob->window->findChildren<QPlainTextEdit *>())
        check(edit);
    QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
}

void tst_ConsoleConventions::themeAppliesAndPersists()
{
    auto *dark = m_bob->window->findChild<QAction *>(QStringLiteral("theme2Action"));
    QVERIFY(dark);
    dark->trigger();
    QCOMPARE(QApplication::palette().color(QPalette::Window), Ui::Appearance::darkPalette().color(QPalette::Window));
    QCOMPARE(Ui::Appearance::current(), Ui::Appearance::Theme::Dark);
    QCOMPARE(Ui::Appearance::load(*m_bob->settings), Ui::Appearance::Theme::Dark);

    auto *light = m_bob->window->findChild<QAction *>(QStringLiteral("theme1Action"));
    light->trigger();
    QCOMPARE(QApplication::palette().color(QPalette::Window), Ui::Appearance::lightPalette().color(QPalette::Window));
    QCOMPARE(Ui::Appearance::load(*m_bob->settings), Ui::Appearance::Theme::Light);

    // A new window reads the saved choice.
    m_bob.reset();
    Ui::Appearance::apply(Ui::Appearance::Theme::System);
    m_bob = openConsole(*m_service, Tokens::bob, m_dir.filePath(QStringLiteral("bob.ini")));
    QVERIFY(m_bob);
    QCOMPARE(Ui::Appearance::current(), Ui::Appearance::Theme::Light);
    QVERIFY(m_bob->window->findChild<QAction *>(QStringLiteral("theme1Action"))->isChecked());
}

void tst_ConsoleConventions::aboutNamesVersions()
{
    m_bob->window->findChild<QAction *>(QStringLiteral("aboutAction"))->trigger();
    QMessageBox *about = nullptr;
    QTRY_VERIFY((about = openDialog<QMessageBox>(QStringLiteral("aboutBox"))) != nullptr);
    QVERIFY2(about->text().contains(QStringLiteral("Recourse " RECOURSE_VERSION)), qPrintable(about->text()));
    QVERIFY2(about->text().contains(QStringLiteral("Qt ") + QString::fromLatin1(qVersion())), qPrintable(about->text()));
    QVERIFY2(about->text().contains(QStringLiteral("as bob")), qPrintable(about->text()));
    about->accept();
}

void tst_ConsoleConventions::englishCatalogueLoads()
{
    QVERIFY(Ui::installTranslations(*qApp, QLocale(QLocale::English)));
    // The catalogue supplies the English plural forms.
    QCOMPARE(QCoreApplication::translate("Recourse::Ui::BatchDecisionDialog", "&Approve %n task(s)", nullptr, 1),
             QStringLiteral("&Approve 1 task"));
    QCOMPARE(QCoreApplication::translate("Recourse::Ui::BatchDecisionDialog", "&Approve %n task(s)", nullptr, 3),
             QStringLiteral("&Approve 3 tasks"));
}

void tst_ConsoleConventions::activityLosslessAcrossRestart()
{
    Ui::ActivityModel *activity = m_bob->window->activityModel();
    Client::EventStreamClient *events = m_bob->events.get();
    const auto eventsOfTask = [activity](const QString &taskId) {
        QStringList types;
        for (int row = 0; row < activity->rowCount(); ++row) {
            if (activity->index(row, 0).data(Ui::ActivityModel::TaskIdRole).toString() == taskId)
                types.append(activity->index(row, 0).data(Ui::ActivityModel::TypeRole).toString());
        }
        return types;
    };

    // Given the feed shows a first request, and reconnecting waits three seconds,
    const Escalation first = m_service->requestAccess(logRequest());
    QVERIFY2(first.ok(), qPrintable(first.failure));
    QTRY_COMPARE(eventsOfTask(first.taskId()), QStringList{QStringLiteral("task.created")});
    events->setBackoff(std::chrono::milliseconds(3000), std::chrono::milliseconds(3000));

    // when the service restarts and a request arrives while the console is still offline,
    QVERIFY2(m_service->restart(), qPrintable(m_service->errorString()));
    const Escalation second = m_service->requestAccess(logRequest());
    QVERIFY2(second.ok(), qPrintable(second.failure));
    QVERIFY(events->state() != Client::EventStreamClient::State::Online);
    QVERIFY(eventsOfTask(second.taskId()).isEmpty());

    // then after reconnecting the feed has the missed events, each once, and the first ones once.
    QTRY_COMPARE_WITH_TIMEOUT(events->state(), Client::EventStreamClient::State::Online, 10000);
    QTRY_COMPARE(eventsOfTask(second.taskId()), QStringList{QStringLiteral("task.created")});
    QCOMPARE(eventsOfTask(first.taskId()), QStringList{QStringLiteral("task.created")});
    QSet<qint64> seqs;
    for (int row = 0; row < activity->rowCount(); ++row)
        seqs.insert(activity->index(row, 0).data(Ui::ActivityModel::SeqRole).toLongLong());
    QCOMPARE(seqs.size(), activity->rowCount());
    QTRY_VERIFY(m_bob->window->inboxModel()->indexOfTask(second.taskId()).isValid());
}

QTEST_MAIN(tst_ConsoleConventions)
#include "tst_consoleconventions.moc"
