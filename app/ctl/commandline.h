#pragma once

#include "core/base/result.h"

#include <QString>
#include <QStringList>

namespace Recourse::Ctl {

// Exit codes of recoursectl, so scripts can tell a mistyped command from a refused one.
enum ExitCode : int {
    ExitOk = 0,
    ExitServiceError = 1, // the service rejected the call, could not be reached, or the audit chain is broken
    ExitUsage = 2,        // the command line is invalid or no service is configured
};

enum class Command { List, Show, Approve, Deny, Revoke, AuditExport, AuditVerify, Whoami, KeysList, KeysRotate };

enum class ExportFormat { JsonLines, Csv };

// The parsed recoursectl command line. Members that a command does not take stay empty.
struct CommandLine
{
    Command command = Command::List;
    bool help = false;
    bool version = false;

    // Connection, resolved later together with the environment and the console's data folder.
    QString url;
    QString token;
    QString dataDir;
    bool allowInsecureHttp = false;

    bool json = false;

    // The TASK_ID of show, approve and deny, or the APPROVAL_ID of revoke.
    QString id;

    // list
    QStringList statuses;
    QString templateName;
    QString subject; // also an audit export filter
    QString query;
    int limit = 100;

    // approve, deny, revoke
    QString comment;
    QString reason;
    QString until; // approve: approved_until; audit export: the end of the time range

    // audit export
    ExportFormat format = ExportFormat::JsonLines;
    QString taskId;
    QString approver;
    QString since;
    QString outputPath;
};

// Parses the arguments after the program name. A failure is a usage error whose message names
// the offending argument and what it takes.
Result<CommandLine> parseCommandLine(const QStringList &arguments);

QString usage();

} // namespace Recourse::Ctl
