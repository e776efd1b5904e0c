#include "app/ctl/output.h"

#include <QJsonDocument>

#include <algorithm>

namespace Recourse::Ctl {

namespace {

bool isUnsafeForTerminal(char32_t c)
{
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
        return true;
    // Bidirectional embeddings, overrides and isolates, and the directional marks.
    return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f
        || c == 0x061c;
}

QString cut(const QString &text, qsizetype width)
{
    if (text.size() <= width)
        return text;
    return text.left(width - 3) + QStringLiteral("...");
}

QString str(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

// "Label          value" lines of the show view; empty values are left out.
class Lines
{
public:
    void add(const QString &label, const QString &value)
    {
        if (value.isEmpty())
            return;
        m_text += label.leftJustified(15) + displayText(value) + u'\n';
    }

    void heading(const QString &label) { m_text += label + u'\n'; }
    void item(const QString &value) { m_text += QStringLiteral("  ") + displayText(value) + u'\n'; }
    QString text() const { return m_text; }

private:
    QString m_text;
};

// "default 2 h, at most 8 h; other resources allowed, no other actions", or empty when the
// service sent no limits.
QString approvalLimits(const QJsonObject &limits)
{
    if (limits.isEmpty())
        return {};

    const auto hours = [&limits](const char *member) {
        const qint64 seconds = qint64(limits.value(QLatin1String(member)).toDouble());
        if (seconds % 3600 == 0)
            return QStringLiteral("%1 h").arg(seconds / 3600);
        return seconds % 60 == 0 ? QStringLiteral("%1 min").arg(seconds / 60) : QStringLiteral("%1 s").arg(seconds);
    };
    const bool resources = limits.value(QStringLiteral("broaden_resources")).toBool();
    const bool actions = limits.value(QStringLiteral("broaden_actions")).toBool();
    return QStringLiteral("default %1, at most %2; %3, %4")
        .arg(hours("default_duration_seconds"), hours("max_duration_seconds"),
             resources ? QStringLiteral("other resources allowed") : QStringLiteral("no other resources"),
             actions ? QStringLiteral("other actions allowed") : QStringLiteral("no other actions"));
}

QString actorChain(const QJsonArray &chain)
{
    QStringList actors;
    for (const QJsonValue &value : chain) {
        const QJsonObject actor = value.toObject();
        QStringList notes;
        if (!str(actor, "type").isEmpty())
            notes.append(str(actor, "type"));
        notes.append(actor.value(QStringLiteral("verified")).toBool() ? QStringLiteral("verified")
                                                                       : QStringLiteral("unverified"));
        actors.append(QStringLiteral("%1 (%2)").arg(str(actor, "id"), notes.join(QStringLiteral(", "))));
    }
    return actors.join(QStringLiteral(" -> "));
}

QString requestedAccess(const QJsonObject &requested)
{
    QStringList parts;
    if (!str(requested, "requested_until").isEmpty())
        parts.append(QStringLiteral("until ") + str(requested, "requested_until"));
    if (requested.value(QStringLiteral("emergency")).toBool())
        parts.append(QStringLiteral("emergency"));
    return parts.join(QStringLiteral(", "));
}

QString scopeText(const QJsonValue &scope)
{
    const QJsonObject object = scope.toObject();
    if (object.size() == 1 && str(object, "mode") == QLatin1String("exact"))
        return QStringLiteral("exact");
    return valueText(scope);
}

void addWorkflow(Lines &lines, const QJsonObject &workflow)
{
    if (workflow.isEmpty())
        return;

    const QStringList awaiting = workflow.value(QStringLiteral("awaiting_groups")).toVariant().toStringList();
    QString summary = QStringLiteral("step %1 of %2")
                          .arg(workflow.value(QStringLiteral("current_step")).toInt())
                          .arg(workflow.value(QStringLiteral("total_steps")).toInt());
    if (!awaiting.isEmpty())
        summary += QStringLiteral(", awaiting ") + awaiting.join(QStringLiteral(", "));
    lines.add(QStringLiteral("Workflow"), summary);

    int number = 0;
    for (const QJsonValue &value : workflow.value(QStringLiteral("steps")).toArray()) {
        const QJsonObject step = value.toObject();
        QStringList approvers;
        for (const QJsonValue &approval : step.value(QStringLiteral("approvals")).toArray())
            approvers.append(str(approval.toObject(), "approver"));
        lines.item(QStringLiteral("%1. %2: groups %3, quorum %4, approved by %5%6")
                       .arg(++number)
                       .arg(str(step, "name"),
                            step.value(QStringLiteral("groups")).toVariant().toStringList().join(QStringLiteral(", ")))
                       .arg(step.value(QStringLiteral("quorum")).toInt())
                       .arg(approvers.isEmpty() ? QStringLiteral("nobody yet") : approvers.join(QStringLiteral(", ")),
                            step.value(QStringLiteral("complete")).toBool() ? QStringLiteral(" (complete)") : QString()));
    }
}

void addItems(Lines &lines, const QJsonArray &items)
{
    if (items.isEmpty())
        return;
    lines.heading(QStringLiteral("Items"));
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonObject item = items.at(i).toObject();
        lines.item(QStringLiteral("%1. %2 %3: %4")
                       .arg(i)
                       .arg(entityLabel(item.value(QStringLiteral("resource")).toObject()),
                            str(item.value(QStringLiteral("action")).toObject(), "name"), str(item, "status")));
    }
}

void addDecisions(Lines &lines, const QJsonArray &decisions)
{
    if (decisions.isEmpty())
        return;
    lines.heading(QStringLiteral("Decisions"));
    for (const QJsonValue &value : decisions) {
        const QJsonObject decision = value.toObject();
        QString line = QStringLiteral("%1  %2 %3").arg(str(decision, "at"), str(decision, "approver"), str(decision, "decision"));
        if (!str(decision, "reason").isEmpty())
            line += QStringLiteral(", reason: ") + str(decision, "reason");
        if (!str(decision, "comment").isEmpty())
            line += QStringLiteral(", comment: ") + str(decision, "comment");
        lines.item(line);
    }
}

void addApprovals(Lines &lines, const QJsonArray &approvals)
{
    if (approvals.isEmpty())
        return;
    lines.heading(QStringLiteral("Approvals"));
    for (const QJsonValue &value : approvals) {
        const QJsonObject approval = value.toObject();
        QString line = QStringLiteral("%1  approved %2, until %3, scope %4")
                           .arg(str(approval, "id"), str(approval, "approved_at"), str(approval, "approved_until"),
                                scopeText(approval.value(QStringLiteral("scope"))));
        if (!str(approval, "revoked_at").isEmpty())
            line += QStringLiteral(", revoked %1 by %2").arg(str(approval, "revoked_at"), str(approval, "revoked_by"));
        lines.item(line);
    }
}

void addReevaluations(Lines &lines, const QJsonArray &reevaluations)
{
    if (reevaluations.isEmpty())
        return;
    lines.heading(QStringLiteral("Re-evaluations"));
    for (const QJsonValue &value : reevaluations) {
        const QJsonObject entry = value.toObject();
        const QString decision = entry.value(QStringLiteral("decision")).toBool() ? QStringLiteral("permit")
                                                                                   : QStringLiteral("deny");
        QString line = QStringLiteral("%1  %2 with %3").arg(str(entry, "at"), decision, str(entry, "approval_id"));
        if (!str(entry, "reason").isEmpty())
            line += QStringLiteral(", reason ") + str(entry, "reason");
        if (!str(entry, "next_action").isEmpty())
            line += QStringLiteral(", next action ") + str(entry, "next_action");
        lines.item(line);
    }
}

} // namespace

QString displayText(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size());
    for (const char32_t c : QStringView(text).toUcs4()) {
        if (isUnsafeForTerminal(c))
            escaped += QStringLiteral("\\u{%1}").arg(uint(c), 4, 16, QLatin1Char('0'));
        else
            escaped += QString::fromUcs4(&c, 1);
    }
    return escaped;
}

QString valueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String: return value.toString();
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: return QString::number(value.toDouble(), 'g', 17);
    case QJsonValue::Object: return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Array: return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
    case QJsonValue::Undefined: return {};
    }
    return {};
}

QString entityLabel(const QJsonObject &entity)
{
    const QString type = str(entity, "type");
    const QString id = str(entity, "id");
    if (type.isEmpty())
        return id;
    return type + u':' + id;
}

TextTable::TextTable(QStringList header) : m_header(std::move(header)) { }

void TextTable::addRow(QStringList cells)
{
    for (QString &cell : cells)
        cell = cut(displayText(cell), kMaxCellWidth);
    m_rows.append(std::move(cells));
}

QString TextTable::render() const
{
    QList<qsizetype> widths;
    for (const QString &title : m_header)
        widths.append(title.size());
    for (const QStringList &row : m_rows) {
        for (qsizetype column = 0; column < row.size() && column < widths.size(); ++column)
            widths[column] = std::max(widths.at(column), row.at(column).size());
    }

    QString text;
    const auto appendRow = [&](const QStringList &cells) {
        QString line;
        for (qsizetype column = 0; column < widths.size(); ++column) {
            const QString cell = column < cells.size() ? cells.at(column) : QString();
            line += column + 1 < widths.size() ? cell.leftJustified(widths.at(column) + 2) : cell;
        }
        text += line + u'\n';
    };
    appendRow(m_header);
    for (const QStringList &row : m_rows)
        appendRow(row);
    return text;
}

QString taskTable(const QJsonArray &tasks)
{
    TextTable table({QStringLiteral("ID"), QStringLiteral("STATUS"), QStringLiteral("TEMPLATE"), QStringLiteral("SUBJECT"),
                     QStringLiteral("RESOURCE"), QStringLiteral("ACTION"), QStringLiteral("CREATED")});
    for (const QJsonValue &value : tasks) {
        const QJsonObject task = value.toObject();
        table.addRow({str(task, "id"), str(task, "status"), str(task, "template"),
                      entityLabel(task.value(QStringLiteral("subject")).toObject()),
                      entityLabel(task.value(QStringLiteral("resource")).toObject()),
                      str(task.value(QStringLiteral("action")).toObject(), "name"), str(task, "created_at")});
    }
    return table.render();
}

QString signingKeyTable(const QJsonArray &keys)
{
    TextTable table({QStringLiteral("KID"), QStringLiteral("STATE"), QStringLiteral("RETIRE AFTER")});
    for (const QJsonValue &value : keys) {
        const QJsonObject key = value.toObject();
        const QJsonValue retireAfter = key.value(QStringLiteral("retire_after"));
        // A retired key whose expiry is not settled yet has a null retire_after.
        const QString until = retireAfter.isString() ? retireAfter.toString()
                                                     : (retireAfter.isNull() ? QStringLiteral("unknown") : QString());
        table.addRow({str(key, "kid"), str(key, "state"), until});
    }
    return table.render();
}

QString taskDetail(const QJsonObject &task)
{
    Lines lines;
    lines.add(QStringLiteral("Task"), str(task, "id"));
    lines.add(QStringLiteral("Status"), str(task, "status"));
    const QString title = str(task, "template_title");
    lines.add(QStringLiteral("Template"), title.isEmpty() || title == str(task, "template")
                                              ? str(task, "template")
                                              : QStringLiteral("%1 (%2)").arg(title, str(task, "template")));
    lines.add(QStringLiteral("Subject"), entityLabel(task.value(QStringLiteral("subject")).toObject()));
    lines.add(QStringLiteral("Resource"), entityLabel(task.value(QStringLiteral("resource")).toObject()));
    lines.add(QStringLiteral("Action"), str(task.value(QStringLiteral("action")).toObject(), "name"));
    lines.add(QStringLiteral("Requester"), str(task.value(QStringLiteral("requester")).toObject(), "id"));
    lines.add(QStringLiteral("Actor chain"), actorChain(task.value(QStringLiteral("actor_chain")).toArray()));
    lines.add(QStringLiteral("Justification"), str(task, "justification"));
    lines.add(QStringLiteral("Requested"), requestedAccess(task.value(QStringLiteral("requested_access")).toObject()));
    lines.add(QStringLiteral("Limits"), approvalLimits(task.value(QStringLiteral("approval_limits")).toObject()));
    lines.add(QStringLiteral("Created"), str(task, "created_at"));
    lines.add(QStringLiteral("Expires"), str(task, "expires_at"));

    const QJsonObject evaluation = task.value(QStringLiteral("evaluation")).toObject();
    if (!evaluation.isEmpty()) {
        lines.add(QStringLiteral("Evaluation"), QStringLiteral("%1 at %2").arg(str(evaluation, "evaluation_id"),
                                                                                str(evaluation, "evaluated_at")));
        lines.add(QStringLiteral("Denial reason"), valueText(evaluation.value(QStringLiteral("reason"))));
    }

    addWorkflow(lines, task.value(QStringLiteral("workflow")).toObject());
    addItems(lines, task.value(QStringLiteral("items")).toArray());
    addDecisions(lines, task.value(QStringLiteral("decisions")).toArray());
    addApprovals(lines, task.value(QStringLiteral("approvals")).toArray());
    addReevaluations(lines, task.value(QStringLiteral("reevaluations")).toArray());
    lines.add(QStringLiteral("Decided by"), str(task, "decided_by"));
    if (task.contains(QStringLiteral("can_decide"))) {
        lines.add(QStringLiteral("Decidable"), task.value(QStringLiteral("can_decide")).toBool()
                                                        ? QStringLiteral("yes, by you")
                                                        : QStringLiteral("no: ") + str(task, "cannot_decide_reason"));
    }
    return lines.text();
}

QString decisionSummary(const QString &verb, const QJsonObject &task)
{
    const QString status = str(task, "status");
    QString line = QStringLiteral("%1 %2: the task is now %3").arg(verb, displayText(str(task, "id")), displayText(status));
    const QStringList awaiting =
        task.value(QStringLiteral("workflow")).toObject().value(QStringLiteral("awaiting_groups")).toVariant().toStringList();
    if (status == QLatin1String("pending") && !awaiting.isEmpty())
        line += QStringLiteral(", awaiting ") + displayText(awaiting.join(QStringLiteral(", ")));

    // The service caps approved_until at the template's maximum, so the line prints the end granted.
    const QJsonArray approvals = task.value(QStringLiteral("approvals")).toArray();
    if (status != QLatin1String("pending") && !approvals.isEmpty()) {
        const QString until = str(approvals.last().toObject(), "approved_until");
        if (!until.isEmpty())
            line += QStringLiteral(", approved until ") + displayText(until);
    }
    return line + QStringLiteral(".\n");
}

QString csvField(const QString &value)
{
    const bool needsQuotes = value.contains(u',') || value.contains(u'"') || value.contains(u'\r') || value.contains(u'\n');
    if (!needsQuotes)
        return value;
    QString escaped = value;
    escaped.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + escaped + u'"';
}

QString csvRecord(const QStringList &fields)
{
    QStringList escaped;
    escaped.reserve(fields.size());
    for (const QString &field : fields)
        escaped.append(csvField(field));
    return escaped.join(u',') + QStringLiteral("\r\n");
}

QStringList auditCsvColumns()
{
    return {QStringLiteral("seq"),           QStringLiteral("time"),        QStringLiteral("type"),
            QStringLiteral("actor"),         QStringLiteral("task_id"),     QStringLiteral("evaluation_id"),
            QStringLiteral("approval_id"),   QStringLiteral("subject_id"),  QStringLiteral("data"),
            QStringLiteral("prev_hash"),     QStringLiteral("hash")};
}

QString auditCsvRow(const QJsonObject &record)
{
    QStringList fields;
    for (const QString &column : auditCsvColumns())
        fields.append(valueText(record.value(column)));
    return csvRecord(fields);
}

QByteArray jsonLine(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace Recourse::Ctl
