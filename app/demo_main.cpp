// recourse-demo: runs the demo scenarios against a Recourse service (or any ARAP service) as a
// reference PEP, printing each step in plain words.

#include "app/localidentities.h"
#include "core/json/json.h"
#include "demo/scenarios.h"

#include <QCoreApplication>
#include <QFile>
#include <QStandardPaths>
#include <QTextStream>

using namespace Recourse;

namespace {

QString usage()
{
    QString text = QStringLiteral(
        "Usage: recourse-demo [SCENARIO|all] [options]\n"
        "\n"
        "Runs a demo scenario over HTTP against a Recourse service, printing each step. `all` runs\n"
        "every scenario written against one policy pack, in order.\n"
        "\n"
        "  --url URL           Service base URL (default: the running console's, from the data folder).\n"
        "  --token TOKEN       PEP bearer token (default: the console's demo PEP token; or RECOURSE_PEP_TOKEN).\n"
        "  --data-dir DIR      Data folder of the console to read the URL and token from.\n"
        "  --transcript FILE   Also write every HTTP exchange as JSON Lines to FILE.\n"
        "  --pack PACK         With `all`: the policy pack the service runs (default demo).\n"
        "  --state-dir DIR     Where the PEP persists task handles (default: a temporary folder).\n"
        "  --list              List the scenarios.\n"
        "\n"
        "Scenarios:\n");
    for (const QString &name : Demo::scenarioNames())
        text += QStringLiteral("  %1 (pack %2)\n      %3\n").arg(name, Demo::scenarioPolicyPack(name), Demo::scenarioDescription(name));
    return text;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Recourse"));
    QCoreApplication::setApplicationName(QStringLiteral("recourse"));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QString scenario = QStringLiteral("support-agent");
    QString url;
    QString token = qEnvironmentVariable("RECOURSE_PEP_TOKEN");
    QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QString transcriptPath;
    QString pack = QStringLiteral("demo");
    QString stateDir;
    const QStringList arguments = app.arguments().mid(1);
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        const bool hasValue = i + 1 < arguments.size();
        if (argument == QLatin1String("--help") || argument == QLatin1String("--list")) {
            out << usage();
            return 0;
        } else if (argument == QLatin1String("--url") && hasValue) {
            url = arguments.at(++i);
        } else if (argument == QLatin1String("--token") && hasValue) {
            token = arguments.at(++i);
        } else if (argument == QLatin1String("--data-dir") && hasValue) {
            dataDir = arguments.at(++i);
        } else if (argument == QLatin1String("--transcript") && hasValue) {
            transcriptPath = arguments.at(++i);
        } else if (argument == QLatin1String("--pack") && hasValue) {
            pack = arguments.at(++i);
        } else if (argument == QLatin1String("--state-dir") && hasValue) {
            stateDir = arguments.at(++i);
        } else if (!argument.startsWith(u'-')) {
            scenario = argument;
        } else {
            err << "recourse-demo: unknown option or missing value: " << argument << "\n" << usage();
            return 2;
        }
    }

    if (url.isEmpty() || token.isEmpty()) {
        QFile local(App::localIdentitiesPath(dataDir));
        if (local.open(QIODevice::ReadOnly)) {
            const auto parsed = Json::parseObject(local.readAll());
            if (parsed) {
                if (url.isEmpty())
                    url = parsed->value(QStringLiteral("service_url")).toString();
                if (token.isEmpty())
                    token = parsed->value(QStringLiteral("demo_pep_token")).toString();
            }
        }
    }
    if (url.isEmpty() || token.isEmpty()) {
        err << "recourse-demo: no service found. Start the console with `recourse` first, or pass --url and --token.\n";
        return 2;
    }

    QFile transcript(transcriptPath);
    if (!transcriptPath.isEmpty() && !transcript.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        err << "recourse-demo: cannot write " << transcriptPath << ": " << transcript.errorString() << "\n";
        return 2;
    }

    Pep::ReferencePep::Config config;
    config.serviceUrl = QUrl(url);
    config.token = token;
    if (transcript.isOpen()) {
        config.trace = [&transcript](const QString &step, const QJsonObject &sent, const Pep::Exchange &received) {
            const QJsonObject line{{QStringLiteral("step"), step},
                                   {QStringLiteral("request"), sent},
                                   {QStringLiteral("status"), received.status},
                                   {QStringLiteral("response"), received.body}};
            transcript.write(Json::serialize(line) + '\n');
            transcript.flush();
        };
    }
    Pep::ReferencePep pep(config);
    if (auto discovered = pep.discover(); !discovered) {
        err << "recourse-demo: " << discovered.error().message << "\n";
        return 1;
    }

    out << "Scenario " << scenario << " against " << url << "\n\n";
    // No hooks: a person decides in the console and time passes for real.
    Demo::ScenarioContext context;
    context.pep = &pep;
    context.out = &out;
    context.pepConfig = config;
    context.stateDir = stateDir;
    const Result<void> result = scenario == QLatin1String("all") ? Demo::runAllScenarios(context, pack)
                                                                 : Demo::runScenario(scenario, context);
    out.flush();
    if (!result) {
        err << "recourse-demo: " << result.error().message << "\n";
        return 1;
    }
    return 0;
}
