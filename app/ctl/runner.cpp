#include "app/ctl/runner.h"

#include "app/ctl/output.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <optional>

namespace Recourse::Ctl {

namespace {

// The approver API's largest page of tasks.
constexpr int kMaxTaskPage = 500;

QString str(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

// The destination of audit export: standard output, or a file that appears only once the export
// is complete, so a failed export never leaves a truncated file that looks whole.
class ExportSink
{
public:
    ExportSink(QTextStream &out, const QString &path) : m_out(out), m_file(path) { }

    Result<void> open()
    {
        if (m_file.fileName().isEmpty())
            return {};
        if (!m_file.open(QIODevice::WriteOnly))
            return writeError();
        return {};
    }

    Result<void> write(const QByteArray &bytes)
    {
        if (m_file.fileName().isEmpty()) {
            m_out << QString::fromUtf8(bytes);
            return {};
        }
        if (m_file.write(bytes) != bytes.size())
            return writeError();
        return {};
    }

    Result<void> finish()
    {
        if (m_file.fileName().isEmpty()) {
            m_out.flush();
            return {};
        }
        if (!m_file.commit())
            return writeError();
        return {};
    }

private:
    Error writeError() const
    {
        return Error::make(ErrorCode::StorageUnavailable,
                           QStringLiteral("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()),
                           m_file.fileName());
    }

    QTextStream &m_out;
    QSaveFile m_file;
};

} // namespace

Runner::Runner(Client::ApproverClient &client, QTextStream &out, QTextStream &err)
    : m_client(client)
    , m_out(out)
    , m_err(err)
{
}

int Runner::run(const CommandLine &line)
{
    switch (line.command) {
    case Command::List: return list(line);
    case Command::Show: return show(line);
    case Command::Approve: return approve(line);
    case Command::Deny: return deny(line);
    case Command::Revoke: return revoke(line);
    case Command::AuditExport: return auditExport(line);
    case Command::AuditVerify: return auditVerify(line);
    case Command::Whoami: return whoami(line);
    case Command::KeysList:
    case Command::KeysRotate: return keys(line);
    }
    return ExitUsage;
}

Result<QJsonObject> Runner::wait(const Call &call)
{
    std::optional<Result<QJsonObject>> result;
    QEventLoop loop;
    call(&loop, [&result, &loop](Result<QJsonObject> reply) {
        result = std::move(reply);
        loop.quit();
    });
    // The client delivers the reply from the event loop, never from inside the call itself,
    // but checking first keeps a synchronous delivery from waiting forever.
    if (!result)
        loop.exec();
    return std::move(*result);
}

int Runner::fail(const Error &error)
{
    // The message is the problem's detail (or the transport failure); the client never puts the
    // token in it.
    m_err << "recoursectl: " << displayText(error.message) << Qt::endl;
    return ExitServiceError;
}

void Runner::printJson(const QJsonValue &value)
{
    const QJsonDocument document = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    m_out << QString::fromUtf8(document.toJson(QJsonDocument::Indented));
    m_out.flush();
}

int Runner::list(const CommandLine &line)
{
    Client::TaskFilter filter;
    filter.statuses = line.statuses;
    filter.templateName = line.templateName;
    filter.subject = line.subject;
    filter.query = line.query;

    QJsonArray tasks;
    QString cursor;
    bool more = false;
    while (tasks.size() < line.limit) {
        const int pageSize = std::min<int>(kMaxTaskPage, line.limit - int(tasks.size()));
        auto page = wait([&](QObject *context, Client::ApproverClient::Callback done) {
            m_client.listTasks(filter, cursor, pageSize, context, std::move(done));
        });
        if (!page)
            return fail(page.error());

        const QJsonArray received = page->value(QStringLiteral("tasks")).toArray();
        for (const QJsonValue &task : received) {
            if (tasks.size() < line.limit)
                tasks.append(task);
        }
        cursor = page->value(QStringLiteral("next_cursor")).toString();
        more = !cursor.isEmpty();
        // An empty page with a cursor would otherwise repeat forever.
        if (!more || received.isEmpty())
            break;
    }

    if (line.json) {
        printJson(tasks);
        return ExitOk;
    }
    if (tasks.isEmpty()) {
        m_out << "No tasks match." << Qt::endl;
        return ExitOk;
    }
    m_out << taskTable(tasks);
    m_out.flush();
    if (more)
        m_err << "More tasks match; raise --limit to list them." << Qt::endl;
    return ExitOk;
}

int Runner::show(const CommandLine &line)
{
    auto task = wait([&](QObject *context, Client::ApproverClient::Callback done) {
        m_client.task(line.id, context, std::move(done));
    });
    if (!task)
        return fail(task.error());

    if (line.json)
        printJson(task.value());
    else
        m_out << taskDetail(task.value()) << Qt::flush;
    return ExitOk;
}

int Runner::approve(const CommandLine &line)
{
    QJsonObject body;
    if (!line.comment.isEmpty())
        body.insert(QStringLiteral("comment"), line.comment);
    if (!line.until.isEmpty())
        body.insert(QStringLiteral("approved_until"), line.until);

    auto task = wait([&](QObject *context, Client::ApproverClient::Callback done) {
        m_client.approve(line.id, body, context, std::move(done));
    });
    if (!task)
        return fail(task.error());

    if (line.json)
        printJson(task.value());
    else
        m_out << decisionSummary(QStringLiteral("Approved"), task.value()) << Qt::flush;
    return ExitOk;
}

int Runner::deny(const CommandLine &line)
{
    QJsonObject body{{QStringLiteral("reason"), line.reason}};
    if (!line.comment.isEmpty())
        body.insert(QStringLiteral("comment"), line.comment);

    auto task = wait([&](QObject *context, Client::ApproverClient::Callback done) {
        m_client.deny(line.id, body, context, std::move(done));
    });
    if (!task)
        return fail(task.error());

    if (line.json)
        printJson(task.value());
    else
        m_out << decisionSummary(QStringLiteral("Denied"), task.value()) << Qt::flush;
    return ExitOk;
}

int Runner::revoke(const CommandLine &line)
{
    auto task = wait([&](QObject *context, Client::ApproverClient::Callback done) {
        m_client.revoke(line.id, line.comment, context, std::move(done));
    });
    if (!task)
        return fail(task.error());

    if (line.json) {
        printJson(task.value());
        return ExitOk;
    }
    m_out << QStringLiteral("Revoked approval %1 of task %2.").arg(displayText(line.id), displayText(str(task.value(), "id")))
          << Qt::endl;
    return ExitOk;
}

int Runner::auditExport(const CommandLine &line)
{
    Client::AuditQuery query;
    query.taskId = line.taskId;
    query.subject = line.subject;
    query.approver = line.approver;
    query.since = line.since;
    query.until = line.until;

    ExportSink sink(m_out, line.outputPath);
    if (auto opened = sink.open(); !opened)
        return fail(opened.error());
    if (line.format == ExportFormat::Csv) {
        if (auto written = sink.write(csvRecord(auditCsvColumns()).toUtf8()); !written)
            return fail(written.error());
    }

    // The service returns a bounded page per call, oldest first, so the export requests the
    // records after the last one it received until a page comes back empty.
    qint64 exported = 0;
    for (;;) {
        auto page = wait([&](QObject *context, Client::ApproverClient::Callback done) {
            m_client.audit(query, context, std::move(done));
        });
        if (!page)
            return fail(page.error());

        const QJsonArray records = page->value(QStringLiteral("records")).toArray();
        if (records.isEmpty())
            break;
        for (const QJsonValue &value : records) {
            const QJsonObject record = value.toObject();
            const QByteArray bytes = line.format == ExportFormat::Csv ? auditCsvRow(record).toUtf8() : jsonLine(record);
            if (auto written = sink.write(bytes); !written)
                return fail(written.error());
        }
        exported += records.size();

        const qint64 lastSeq = records.last().toObject().value(QStringLiteral("seq")).toInteger();
        if (lastSeq <= query.afterSeq) {
            return fail(Error::make(ErrorCode::Internal,
                                    QStringLiteral("The service returned audit records up to seq %1 when asked for records "
                                                   "after %2; the export stopped.")
                                        .arg(lastSeq)
                                        .arg(query.afterSeq)));
        }
        query.afterSeq = lastSeq;
    }

    if (auto finished = sink.finish(); !finished)
        return fail(finished.error());
    if (!line.outputPath.isEmpty())
        m_err << "Exported " << exported << " audit records to " << line.outputPath << "." << Qt::endl;
    return ExitOk;
}

int Runner::auditVerify(const CommandLine &line)
{
    auto result = wait([&](QObject *context, Client::ApproverClient::Callback done) {
        m_client.verifyAudit(context, std::move(done));
    });
    if (!result)
        return fail(result.error());

    const bool intact = result->value(QStringLiteral("ok")).toBool();
    const qint64 records = result->value(QStringLiteral("records")).toInteger();
    if (line.json) {
        printJson(result.value());
    } else if (intact) {
        m_out << "The audit chain is intact: " << records << " records verified." << Qt::endl;
    } else {
        m_out << "The audit chain is broken at record " << result->value(QStringLiteral("first_broken_seq")).toInteger()
              << ": " << displayText(str(result.value(), "message")) << Qt::endl;
    }
    return intact ? ExitOk : ExitServiceError;
}

int Runner::whoami(const CommandLine &line)
{
    auto identity = wait([&](QObject *context, Client::ApproverClient::Callback done) {
        m_client.whoami(context, std::move(done));
    });
    if (!identity)
        return fail(identity.error());

    if (line.json) {
        printJson(identity.value());
        return ExitOk;
    }
    const QStringList groups = identity->value(QStringLiteral("groups")).toVariant().toStringList();
    m_out << displayText(str(identity.value(), "id")) << " (" << displayText(str(identity.value(), "role")) << ")";
    if (!groups.isEmpty())
        m_out << ", groups " << displayText(groups.join(QStringLiteral(", ")));
    m_out << "\nService: " << m_client.baseUrl().toDisplayString(QUrl::RemoveUserInfo) << Qt::endl;
    return ExitOk;
}

int Runner::keys(const CommandLine &line)
{
    const bool rotate = line.command == Command::KeysRotate;
    auto result = wait([&](QObject *context, Client::ApproverClient::Callback done) {
        if (rotate)
            m_client.rotateSigningKey(context, std::move(done));
        else
            m_client.signingKeys(context, std::move(done));
    });
    if (!result)
        return fail(result.error());

    if (line.json) {
        printJson(result.value());
        return ExitOk;
    }
    if (rotate) {
        m_out << "Key " << displayText(str(result.value(), "active_kid")) << " now signs new tokens; key "
              << displayText(str(result.value(), "retired_kid")) << " is retired." << Qt::endl;
    }
    m_out << signingKeyTable(result->value(QStringLiteral("keys")).toArray());
    m_out.flush();
    return ExitOk;
}

} // namespace Recourse::Ctl
