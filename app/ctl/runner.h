#pragma once

#include "app/ctl/commandline.h"
#include "core/client/approverclient.h"

#include <QJsonObject>
#include <QTextStream>

#include <functional>

namespace Recourse::Ctl {

// Runs one parsed recoursectl command against the approver API and prints its result: tables
// and sentences on `out` by default, the service's JSON with --json, problems on `err`.
// Each call waits in a local event loop, so the runner needs a QCoreApplication but no exec().
class Runner final
{
public:
    Runner(Client::ApproverClient &client, QTextStream &out, QTextStream &err);

    // Returns the process exit code: ExitOk, ExitServiceError or ExitUsage.
    int run(const CommandLine &line);

private:
    using Call = std::function<void(QObject *context, Client::ApproverClient::Callback done)>;

    Result<QJsonObject> wait(const Call &call);
    int fail(const Error &error);
    void printJson(const QJsonValue &value);

    int list(const CommandLine &line);
    int show(const CommandLine &line);
    int approve(const CommandLine &line);
    int deny(const CommandLine &line);
    int revoke(const CommandLine &line);
    int auditExport(const CommandLine &line);
    int auditVerify(const CommandLine &line);
    int whoami(const CommandLine &line);
    int keys(const CommandLine &line);

    Client::ApproverClient &m_client;
    QTextStream &m_out;
    QTextStream &m_err;
};

} // namespace Recourse::Ctl
