#include "app/ctl/commandline.h"

#include "core/base/rfc3339.h"

#include <QList>

#include <array>
#include <optional>

namespace Recourse::Ctl {

namespace {

// The maximum number of tasks one list prints: 200 pages of the service's largest page (500).
constexpr int kMaxListLimit = 100000;

enum class Option {
    Url, Token, DataDir, AllowInsecureHttp, Json, Help, Version,
    Status, Template, Subject, Query, Limit,
    Comment, Reason, Until,
    Format, Task, Approver, Since, Output,
};

struct OptionSpec
{
    Option option;
    QLatin1StringView name;
    QLatin1StringView shortName;
    bool takesValue;
    // The commands that take the option; empty means every command.
    QList<Command> commands;
};

const QList<OptionSpec> &optionSpecs()
{
    using enum Command;
    static const QList<OptionSpec> specs{
        {Option::Url, QLatin1StringView("--url"), {}, true, {}},
        {Option::Token, QLatin1StringView("--token"), {}, true, {}},
        {Option::DataDir, QLatin1StringView("--data-dir"), {}, true, {}},
        {Option::AllowInsecureHttp, QLatin1StringView("--allow-insecure-http"), {}, false, {}},
        {Option::Json, QLatin1StringView("--json"), {}, false, {List, Show, Approve, Deny, Revoke, AuditVerify, Whoami, KeysList, KeysRotate}},
        {Option::Help, QLatin1StringView("--help"), QLatin1StringView("-h"), false, {}},
        {Option::Version, QLatin1StringView("--version"), {}, false, {}},
        {Option::Status, QLatin1StringView("--status"), {}, true, {List}},
        {Option::Template, QLatin1StringView("--template"), {}, true, {List}},
        {Option::Subject, QLatin1StringView("--subject"), {}, true, {List, AuditExport}},
        {Option::Query, QLatin1StringView("--query"), QLatin1StringView("-q"), true, {List}},
        {Option::Limit, QLatin1StringView("--limit"), {}, true, {List}},
        {Option::Comment, QLatin1StringView("--comment"), {}, true, {Approve, Deny, Revoke}},
        {Option::Reason, QLatin1StringView("--reason"), {}, true, {Deny}},
        {Option::Until, QLatin1StringView("--until"), {}, true, {Approve, AuditExport}},
        {Option::Format, QLatin1StringView("--format"), {}, true, {AuditExport}},
        {Option::Task, QLatin1StringView("--task"), {}, true, {AuditExport}},
        {Option::Approver, QLatin1StringView("--approver"), {}, true, {AuditExport}},
        {Option::Since, QLatin1StringView("--since"), {}, true, {AuditExport}},
        {Option::Output, QLatin1StringView("--output"), QLatin1StringView("-o"), true, {AuditExport}},
    };
    return specs;
}

struct ParsedOption
{
    const OptionSpec *spec = nullptr;
    QString spelling; // as typed, for messages
    QString value;
};

Error usageError(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

const OptionSpec *findSpec(QStringView name)
{
    for (const OptionSpec &spec : optionSpecs()) {
        if (name == spec.name || (!spec.shortName.isEmpty() && name == spec.shortName))
            return &spec;
    }
    return nullptr;
}

QString commandName(Command command)
{
    switch (command) {
    case Command::List: return QStringLiteral("list");
    case Command::Show: return QStringLiteral("show");
    case Command::Approve: return QStringLiteral("approve");
    case Command::Deny: return QStringLiteral("deny");
    case Command::Revoke: return QStringLiteral("revoke");
    case Command::AuditExport: return QStringLiteral("audit export");
    case Command::AuditVerify: return QStringLiteral("audit verify");
    case Command::Whoami: return QStringLiteral("whoami");
    case Command::KeysList: return QStringLiteral("keys list");
    case Command::KeysRotate: return QStringLiteral("keys rotate");
    }
    return {};
}

// Reads the command words off the front of the positional arguments.
Result<Command> takeCommand(QStringList &positional)
{
    if (positional.isEmpty())
        return usageError(QStringLiteral("Missing command. Run recoursectl --help for the list."));

    const QString word = positional.takeFirst();
    static const std::array<std::pair<const char *, Command>, 6> simple{{
        {"list", Command::List},
        {"show", Command::Show},
        {"approve", Command::Approve},
        {"deny", Command::Deny},
        {"revoke", Command::Revoke},
        {"whoami", Command::Whoami},
    }};
    for (const auto &[name, command] : simple) {
        if (word == QLatin1String(name))
            return command;
    }
    if (word != QLatin1String("audit") && word != QLatin1String("keys"))
        return usageError(QStringLiteral("Unknown command %1. Run recoursectl --help for the list.").arg(word), word);

    const QString sub = positional.isEmpty() ? QString() : positional.takeFirst();
    if (word == QLatin1String("keys")) {
        if (sub == QLatin1String("list"))
            return Command::KeysList;
        if (sub == QLatin1String("rotate"))
            return Command::KeysRotate;
        return usageError(QStringLiteral("keys takes list or rotate."), sub);
    }
    if (sub == QLatin1String("export"))
        return Command::AuditExport;
    if (sub == QLatin1String("verify"))
        return Command::AuditVerify;
    return usageError(QStringLiteral("audit takes export or verify."), sub);
}

Result<QString> checkedTime(const ParsedOption &option)
{
    if (auto time = Rfc3339::parse(option.value); !time) {
        return usageError(QStringLiteral("%1 takes an RFC 3339 date-time such as 2026-12-04T18:00:00Z: %2")
                              .arg(option.spelling, time.error().message),
                          option.value);
    }
    return option.value;
}

Result<QStringList> checkedStatuses(const ParsedOption &option)
{
    static const QStringList known{QStringLiteral("pending"), QStringLiteral("approved"), QStringLiteral("denied"),
                                   QStringLiteral("expired"), QStringLiteral("cancelled"), QStringLiteral("failed"),
                                   QStringLiteral("partial")};
    QStringList statuses;
    for (const QString &part : option.value.split(u',')) {
        const QString status = part.trimmed();
        if (!known.contains(status)) {
            return usageError(QStringLiteral("Unknown status %1; --status takes %2, or a comma list of them.")
                                  .arg(status, known.join(QStringLiteral(", "))),
                              status);
        }
        statuses.append(status);
    }
    return statuses;
}

Result<void> apply(const ParsedOption &option, CommandLine &line)
{
    switch (option.spec->option) {
    case Option::Url: line.url = option.value; break;
    case Option::Token: line.token = option.value; break;
    case Option::DataDir: line.dataDir = option.value; break;
    case Option::AllowInsecureHttp: line.allowInsecureHttp = true; break;
    case Option::Json: line.json = true; break;
    case Option::Help: line.help = true; break;
    case Option::Version: line.version = true; break;
    case Option::Template: line.templateName = option.value; break;
    case Option::Subject: line.subject = option.value; break;
    case Option::Query: line.query = option.value; break;
    case Option::Comment: line.comment = option.value; break;
    case Option::Reason: line.reason = option.value; break;
    case Option::Task: line.taskId = option.value; break;
    case Option::Approver: line.approver = option.value; break;
    case Option::Output: line.outputPath = option.value; break;
    case Option::Status: {
        auto statuses = checkedStatuses(option);
        if (!statuses)
            return statuses.error();
        line.statuses.append(statuses.value());
        break;
    }
    case Option::Limit: {
        bool ok = false;
        line.limit = option.value.toInt(&ok);
        if (!ok || line.limit < 1 || line.limit > kMaxListLimit)
            return usageError(QStringLiteral("--limit takes a number of tasks from 1 to %1.").arg(kMaxListLimit), option.value);
        break;
    }
    case Option::Until:
    case Option::Since: {
        auto time = checkedTime(option);
        if (!time)
            return time.error();
        (option.spec->option == Option::Since ? line.since : line.until) = time.value();
        break;
    }
    case Option::Format:
        if (option.value == QLatin1String("jsonl"))
            line.format = ExportFormat::JsonLines;
        else if (option.value == QLatin1String("csv"))
            line.format = ExportFormat::Csv;
        else
            return usageError(QStringLiteral("--format takes jsonl or csv."), option.value);
        break;
    }
    return {};
}

// Splits the arguments into options (with their values) and positional words.
Result<void> tokenize(const QStringList &arguments, QList<ParsedOption> &options, QStringList &positional)
{
    bool optionsEnded = false;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (optionsEnded || !argument.startsWith(u'-') || argument == QLatin1String("-")) {
            positional.append(argument);
            continue;
        }
        if (argument == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }

        const qsizetype equals = argument.startsWith(QLatin1String("--")) ? argument.indexOf(u'=') : -1;
        const QString name = equals < 0 ? argument : argument.left(equals);
        const OptionSpec *spec = findSpec(name);
        if (!spec)
            return usageError(QStringLiteral("Unknown option %1. Run recoursectl --help for the list.").arg(name), name);

        ParsedOption option{spec, name, {}};
        if (equals >= 0) {
            if (!spec->takesValue)
                return usageError(QStringLiteral("%1 takes no value.").arg(name), argument);
            option.value = argument.mid(equals + 1);
        } else if (spec->takesValue) {
            if (i + 1 >= arguments.size())
                return usageError(QStringLiteral("%1 needs a value.").arg(name), name);
            option.value = arguments.at(++i);
        }
        options.append(option);
    }
    return {};
}

Result<void> checkArguments(const CommandLine &line, const QStringList &positional)
{
    const bool takesId = line.command == Command::Show || line.command == Command::Approve
        || line.command == Command::Deny || line.command == Command::Revoke;
    const QString name = commandName(line.command);
    if (takesId && positional.isEmpty()) {
        return usageError(line.command == Command::Revoke
                              ? QStringLiteral("revoke needs the id of an approval: recoursectl revoke APPROVAL_ID.")
                              : QStringLiteral("%1 needs the id of a task: recoursectl %1 TASK_ID.").arg(name));
    }
    const qsizetype allowed = takesId ? 1 : 0;
    if (positional.size() > allowed) {
        return usageError(QStringLiteral("Unexpected argument %1 for %2.").arg(positional.at(allowed), name),
                          positional.at(allowed));
    }
    if (line.command == Command::Deny && line.reason.trimmed().isEmpty())
        return usageError(QStringLiteral("deny needs --reason: it is recorded with the decision in the task and the audit trail."));
    return {};
}

} // namespace

QString usage()
{
    return QStringLiteral(
        "Usage: recoursectl [connection options] COMMAND [options]\n"
        "\n"
        "Command-line client of the Recourse approver API, for approvers and auditors.\n"
        "\n"
        "Commands:\n"
        "  list [--status S] [--template T] [--subject ID] [-q TEXT] [--limit N]\n"
        "                        Tasks, newest first. --status takes pending, approved, denied,\n"
        "                        expired, cancelled, failed or partial, repeated or as a comma list;\n"
        "                        -q matches task id, subject id, resource id, action and requester;\n"
        "                        --limit is the number of tasks to print (default 100).\n"
        "  show TASK_ID          One task with its evaluation, workflow, decisions and approvals.\n"
        "  approve TASK_ID [--comment C] [--until RFC3339]\n"
        "                        Approve; --until asks for an approval ending at that time (the\n"
        "                        template's maximum duration caps it).\n"
        "  deny TASK_ID --reason R [--comment C]\n"
        "                        Deny; the reason is recorded in the task and the audit trail.\n"
        "  revoke APPROVAL_ID [--comment C]\n"
        "                        Revoke a live approval before it ends.\n"
        "  audit export [--format jsonl|csv] [--task T] [--subject S] [--approver A]\n"
        "               [--since RFC3339] [--until RFC3339] [-o FILE]\n"
        "                        Audit records, oldest first, as JSON Lines (default) or CSV.\n"
        "  audit verify          Check the audit log's hash chain; exits 1 when it is broken.\n"
        "  whoami                The identity, role and groups of the token.\n"
        "  keys list             The service's signing keys: the active one and the retired ones that\n"
        "                        still verify their tokens, with when they leave (auditor or admin).\n"
        "  keys rotate           Make a new signing key active (admin).\n"
        "\n"
        "Options:\n"
        "  --json                Print the service's JSON instead of tables (not for audit export).\n"
        "  --url URL             Service root, for example http://127.0.0.1:8080 (or RECOURSE_URL).\n"
        "  --token TOKEN         Bearer token of an approver or auditor identity (or RECOURSE_TOKEN,\n"
        "                        which other users cannot read from the process list).\n"
        "  --data-dir DIR        The console's data folder, read for service_url and console_token\n"
        "                        when no URL and token are given (default: the console's own).\n"
        "  --allow-insecure-http Send the token over plain HTTP to a host other than loopback.\n"
        "  --version             Print the version and exit.\n"
        "  --help                Print this help and exit.\n"
        "\n"
        "Exit status: 0 on success, 1 when the service rejects the call or cannot\n"
        "be reached, 2 on usage errors.\n");
}

Result<CommandLine> parseCommandLine(const QStringList &arguments)
{
    QList<ParsedOption> options;
    QStringList positional;
    if (auto tokenized = tokenize(arguments, options, positional); !tokenized)
        return tokenized.error();

    CommandLine line;
    for (const ParsedOption &option : options) {
        if (option.spec->option == Option::Help)
            line.help = true;
        if (option.spec->option == Option::Version)
            line.version = true;
    }
    if (line.help || line.version)
        return line;

    auto command = takeCommand(positional);
    if (!command)
        return command.error();
    line.command = command.value();

    for (const ParsedOption &option : options) {
        if (!option.spec->commands.isEmpty() && !option.spec->commands.contains(line.command)) {
            return usageError(QStringLiteral("%1 does not apply to %2.").arg(option.spelling, commandName(line.command)),
                              option.spelling);
        }
        if (auto applied = apply(option, line); !applied)
            return applied.error();
    }

    if (auto checked = checkArguments(line, positional); !checked)
        return checked.error();
    if (!positional.isEmpty())
        line.id = positional.first();
    return line;
}

} // namespace Recourse::Ctl
