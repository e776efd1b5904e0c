#include "ui/auditmodel.h"

#include "ui/tasktext.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include <algorithm>

namespace Recourse::Ui {

namespace {

// Top-level rows carry this internal id; a record's internal id is its chain row plus one.
constexpr quintptr ChainMarker = 0;

QString describeData(const QJsonObject &record)
{
    const QJsonObject data = record.value(u"data").toObject();
    const QString type = record.value(u"type").toString();
    QStringList parts;
    const auto add = [&parts](const QString &label, const QJsonValue &value) {
        const QString text = TaskText::scalar(value);
        if (!value.isUndefined() && !value.isNull() && !text.isEmpty())
            parts.append(label + u' ' + text);
    };
    if (type == u"reevaluation")
        parts.append(data.value(u"decision").toBool() ? QStringLiteral("allowed") : QStringLiteral("denied"));
    add(QStringLiteral("status"), data.value(u"status"));
    add(QStringLiteral("decision"), data.value(u"decision").isString() ? data.value(u"decision") : QJsonValue());
    add(QStringLiteral("reason"), data.value(u"reason"));
    add(QStringLiteral("next_action"), data.value(u"next_action"));
    add(QStringLiteral("comment"), data.value(u"comment"));
    add(QStringLiteral("until"), data.value(u"approved_until"));
    add(QStringLiteral("approval"), record.value(u"approval_id"));
    // The members of the callback.* records: one delivery attempt and its outcome.
    add(QStringLiteral("event"), data.value(u"event"));
    add(QStringLiteral("attempt"), data.value(u"attempt"));
    add(QStringLiteral("http_status"), data.value(u"http_status"));
    add(QStringLiteral("address"), data.value(u"address"));
    add(QStringLiteral("error"), data.value(u"error"));
    add(QStringLiteral("next_attempt_at"), data.value(u"next_attempt_at"));
    return parts.join(QStringLiteral(" · "));
}

} // namespace

AuditModel::AuditModel(QObject *parent) : QAbstractItemModel(parent) { }

QModelIndex AuditModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < m_chains.size() ? createIndex(row, column, ChainMarker) : QModelIndex();
    if (parent.internalId() != ChainMarker || parent.row() >= m_chains.size())
        return {};
    if (row >= m_chains.at(parent.row()).records.size())
        return {};
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex AuditModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == ChainMarker)
        return {};
    return createIndex(int(child.internalId() - 1), 0, ChainMarker);
}

int AuditModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_chains.size());
    if (parent.column() != 0 || parent.internalId() != ChainMarker)
        return 0;
    return int(m_chains.at(parent.row()).records.size());
}

int AuditModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};

    if (index.internalId() == ChainMarker)
        return chainData(m_chains.at(index.row()), index.column(), role);
    const Chain &chain = m_chains.at(int(index.internalId() - 1));
    return recordData(chain.records.at(index.row()), index.column(), role);
}

QVariant AuditModel::chainData(const Chain &chain, int column, int role) const
{
    const QJsonObject &first = chain.records.constFirst();
    const QJsonObject &last = chain.records.constLast();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case SeqColumn:
            return chain.key;
        case TimeColumn:
            return TaskText::localTime(first.value(u"time"));
        case TypeColumn:
            return last.value(u"type").toString();
        case SubjectColumn:
            return chain.subject;
        case ResourceColumn:
            return chain.resource;
        case DetailColumn:
            return chain.taskId.isEmpty()
                ? TaskText::plural(tr("%n record(s), no request", nullptr, int(chain.records.size())), int(chain.records.size()))
                : TaskText::plural(tr("%n record(s), task %1", nullptr, int(chain.records.size())), int(chain.records.size()))
                      .arg(chain.taskId);
        default:
            return {};
        }
    case Qt::FontRole: {
        QFont font;
        font.setBold(true);
        return font;
    }
    case SeqRole:
        return first.value(u"seq").toInteger();
    case EvaluationIdRole:
        return first.value(u"evaluation_id").toString();
    case TaskIdRole:
        return chain.taskId;
    default:
        return {};
    }
}

QVariant AuditModel::recordData(const QJsonObject &record, int column, int role) const
{
    const qint64 seq = record.value(u"seq").toInteger();
    const bool broken = m_brokenSeq > 0 && seq == m_brokenSeq;
    const QJsonObject data = record.value(u"data").toObject();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case SeqColumn:
            return QString::number(seq);
        case TimeColumn:
            return TaskText::localTime(record.value(u"time"));
        case TypeColumn:
            return record.value(u"type").toString();
        case ActorColumn:
            return TaskText::shown(record.value(u"actor").toString());
        case SubjectColumn:
            return TaskText::shown(record.value(u"subject_id").toString());
        case ResourceColumn:
            return TaskText::entity(data.value(u"resource").toObject());
        case DetailColumn:
            return broken ? tr("Chain broken here — %1").arg(describeData(record)) : describeData(record);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return tr("hash %1\nprevious %2").arg(record.value(u"hash").toString(), record.value(u"prev_hash").toString());
    case Qt::BackgroundRole:
        return broken ? QBrush(QColor(0xf9, 0xde, 0xdc)) : QVariant();
    case Qt::ForegroundRole:
        return broken ? QBrush(QColor(0xb3, 0x26, 0x1e)) : QVariant();
    case SeqRole:
        return seq;
    case RecordRole:
        return record;
    case EvaluationIdRole:
        return record.value(u"evaluation_id").toString();
    case TaskIdRole:
        return record.value(u"task_id").toString();
    case BrokenRole:
        return broken;
    default:
        return {};
    }
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};

    switch (section) {
    case SeqColumn:
        return tr("Escalation / record");
    case TimeColumn:
        return tr("Time");
    case TypeColumn:
        return tr("Type");
    case ActorColumn:
        return tr("Actor");
    case SubjectColumn:
        return tr("Subject");
    case ResourceColumn:
        return tr("Resource");
    case DetailColumn:
        return tr("Detail");
    default:
        return {};
    }
}

QString AuditModel::resourceOf(const QList<QJsonObject> &chain)
{
    for (const QJsonObject &record : chain) {
        const QJsonObject resource = record.value(u"data").toObject().value(u"resource").toObject();
        if (!resource.isEmpty())
            return TaskText::entity(resource);
    }
    return {};
}

void AuditModel::setRecords(const QList<QJsonObject> &records)
{
    QList<QJsonObject> sorted = records;
    std::sort(sorted.begin(), sorted.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value(u"seq").toInteger() < b.value(u"seq").toInteger();
    });

    QList<Chain> chains;
    QHash<QString, int> chainOfKey;
    for (const QJsonObject &record : std::as_const(sorted)) {
        QString key = record.value(u"evaluation_id").toString();
        if (key.isEmpty())
            key = record.value(u"task_id").toString();
        if (key.isEmpty())
            key = tr("record %1").arg(record.value(u"seq").toInteger());
        auto found = chainOfKey.constFind(key);
        if (found == chainOfKey.constEnd()) {
            found = chainOfKey.insert(key, int(chains.size()));
            chains.append(Chain{key, {}, {}, {}, {}});
        }
        Chain &chain = chains[found.value()];
        chain.records.append(record);
        if (chain.subject.isEmpty())
            chain.subject = record.value(u"subject_id").toString();
        if (chain.taskId.isEmpty())
            chain.taskId = record.value(u"task_id").toString();
    }
    for (Chain &chain : chains)
        chain.resource = resourceOf(chain.records);
    // Newest escalation first, as the inbox lists tasks.
    std::reverse(chains.begin(), chains.end());

    beginResetModel();
    m_chains = std::move(chains);
    m_positionOfSeq.clear();
    for (int c = 0; c < m_chains.size(); ++c) {
        for (int r = 0; r < m_chains.at(c).records.size(); ++r)
            m_positionOfSeq.insert(m_chains.at(c).records.at(r).value(u"seq").toInteger(), {c, r});
    }
    endResetModel();
}

QList<QJsonObject> AuditModel::records() const
{
    QList<QJsonObject> all;
    for (const Chain &chain : m_chains)
        all.append(chain.records);
    std::sort(all.begin(), all.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value(u"seq").toInteger() < b.value(u"seq").toInteger();
    });
    return all;
}

QModelIndex AuditModel::indexOfSeq(qint64 seq) const
{
    const auto found = m_positionOfSeq.constFind(seq);
    if (found == m_positionOfSeq.constEnd())
        return {};
    return index(found->second, 0, index(found->first, 0));
}

QModelIndex AuditModel::indexOfEscalation(const QString &evaluationId) const
{
    for (int c = 0; c < m_chains.size(); ++c) {
        if (m_chains.at(c).key == evaluationId)
            return index(c, 0);
    }
    return {};
}

void AuditModel::setBrokenSeq(qint64 seq)
{
    const qint64 previous = std::exchange(m_brokenSeq, seq);
    for (const qint64 changed : {previous, seq}) {
        const QModelIndex record = indexOfSeq(changed);
        if (record.isValid())
            Q_EMIT dataChanged(record.siblingAtColumn(0), record.siblingAtColumn(ColumnCount - 1));
    }
}

} // namespace Recourse::Ui
