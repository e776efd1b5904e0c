// recoursectl: the approver API from the command line, for approvers, auditors and scripts.

#include "app/ctl/commandline.h"
#include "app/ctl/connection.h"
#include "app/ctl/runner.h"
#include "core/client/approverclient.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QTextStream>

using namespace Recourse;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("recoursectl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(RECOURSE_VERSION));
    // Every failure is printed once as the command's own message; the client's log would repeat
    // it. QT_LOGGING_RULES is applied after these rules, so it can still turn the log on.
    QLoggingCategory::setFilterRules(QStringLiteral("recourse.*.warning=false"));
    QTextStream out(stdout);
    QTextStream err(stderr);

    auto line = Ctl::parseCommandLine(app.arguments().mid(1));
    if (!line) {
        err << "recoursectl: " << line.error().message << Qt::endl;
        return Ctl::ExitUsage;
    }
    if (line->help) {
        out << Ctl::usage() << Qt::flush;
        return Ctl::ExitOk;
    }
    if (line->version) {
        out << "recoursectl " << RECOURSE_VERSION << Qt::endl;
        return Ctl::ExitOk;
    }

    auto connection = Ctl::resolveConnection(line.value(), QProcessEnvironment::systemEnvironment());
    if (!connection) {
        err << "recoursectl: " << connection.error().message << Qt::endl;
        return Ctl::ExitUsage;
    }

    Client::ApproverClient client(connection->url, connection->token);
    Ctl::Runner runner(client, out, err);
    return runner.run(line.value());
}
