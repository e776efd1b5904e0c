#pragma once

// A console against the real service for GUI tests: the ServiceFixture (real ServiceHost on
// 127.0.0.1 with a manual clock) plus one MainWindow per approver token, each with its own API
// client, event stream and settings file, as separate desktop sessions would have.

#include "tests/integration/servicefixture.h"
#include "ui/activitymodel.h"
#include "ui/inboxmodel.h"
#include "ui/mainwindow.h"
#include "ui/taskdetailwidget.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QJsonArray>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace Recourse::Testing {

struct Console
{
    std::unique_ptr<Client::ApproverClient> client;
    std::unique_ptr<Client::EventStreamClient> events;
    std::unique_ptr<QSettings> settings;
    std::unique_ptr<Ui::MainWindow> window;
    std::unique_ptr<QAbstractItemModelTester> inboxTester;
    std::unique_ptr<QAbstractItemModelTester> activityTester;

    ~Console()
    {
        activityTester.reset();
        inboxTester.reset();
        window.reset();
        events.reset();
        client.reset();
    }
};

// The fixture's manual clock as the console's clock, so ages and countdowns agree with the
// service's idea of now. The fixture outlives every console it opens.
inline std::shared_ptr<const Clock> sharedClock(ServiceFixture &service)
{
    return std::shared_ptr<const Clock>(&service.clock(), [](const Clock *) {});
}

// Opens a console window for `token` and waits until it shows the inbox's first page and the
// event stream is live. Returns nullptr (after a failed QVERIFY) when either does not happen.
inline std::unique_ptr<Console> openConsole(ServiceFixture &service, const QString &token, const QString &settingsPath)
{
    auto console = std::make_unique<Console>();
    const QUrl url(service.baseUrl());
    console->client = std::make_unique<Client::ApproverClient>(url, token);
    console->events = std::make_unique<Client::EventStreamClient>(url, token);
    console->settings = std::make_unique<QSettings>(settingsPath, QSettings::IniFormat);
    console->window = std::make_unique<Ui::MainWindow>(console->client.get(), console->events.get(),
                                                       Ui::MainWindowOptions{console->settings.get(), sharedClock(service)});
    console->inboxTester = std::make_unique<QAbstractItemModelTester>(console->window->inboxModel(),
                                                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
    console->activityTester = std::make_unique<QAbstractItemModelTester>(
        console->window->activityModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    console->window->show();
    if (!QTest::qWaitForWindowExposed(console->window.get()))
        return nullptr;
    if (!QTest::qWaitFor([&console] { return console->events->state() == Client::EventStreamClient::State::Online; }, 10000))
        return nullptr;
    return console;
}

// Opens `taskId` in the console's detail view once the inbox lists it, and waits until the detail
// shows it. Returns false when either does not happen within 10 s.
inline bool showTask(Console &console, const QString &taskId)
{
    Ui::MainWindow *window = console.window.get();
    if (!QTest::qWaitFor([&] { return window->inboxModel()->indexOfTask(taskId).isValid(); }, 10000))
        return false;
    window->openTask(taskId);
    return QTest::qWaitFor([&] { return window->detailWidget()->task().value(u"id").toString() == taskId; }, 10000);
}

// The modal dialog of type T that is open now, if any.
template<typename T>
T *openDialog(const QString &objectName = {})
{
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        auto *dialog = qobject_cast<T *>(widget);
        if (dialog && dialog->isVisible() && (objectName.isEmpty() || dialog->objectName() == objectName))
            return dialog;
    }
    return nullptr;
}

// A request of the arap-conformance pack that alice may ask for: read a Q4 document of tenant acme.
inline QJsonObject documentRequest(const QString &documentId, const QString &subjectId = QStringLiteral("alice"))
{
    return {{QStringLiteral("subject"), entity(QStringLiteral("user"), subjectId)},
            {QStringLiteral("resource"), entity(QStringLiteral("document"), documentId)},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("can_read")}}},
            {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
}

// Submits one bulk task for the documents, each item bound by its own requestable denial.
inline HttpResponse submitDocumentBundle(ServiceFixture &service, const QStringList &documentIds)
{
    QJsonObject bundle;
    QJsonArray items;
    for (const QString &id : documentIds) {
        const QJsonObject single = service.freshSubmission(documentRequest(id));
        if (single.isEmpty())
            return {};
        bundle.insert(QStringLiteral("subject"), single.value(u"subject"));
        bundle.insert(QStringLiteral("context"), single.value(u"context"));
        items.append(QJsonObject{{QStringLiteral("resource"), single.value(u"resource")},
                                 {QStringLiteral("action"), single.value(u"action")},
                                 {QStringLiteral("denial"), single.value(u"denial")}});
    }
    bundle.insert(QStringLiteral("items"), items);
    return service.submit(bundle);
}

} // namespace Recourse::Testing
