#include "ui/denialsmodel.h"

#include "ui/tasktext.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace Recourse::Ui {

DenialsModel::DenialsModel(std::shared_ptr<const Clock> clock, QObject *parent)
    : QAbstractTableModel(parent)
    , m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>())
{
}

int DenialsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DenialsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString DenialsModel::keyOf(const QJsonObject &subject, const QJsonObject &resource)
{
    return TaskText::entity(subject) + u'\n' + TaskText::entity(resource);
}

QVariant DenialsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == RequestColumn && !row.taskId.isEmpty())
            return tr("Open task %1").arg(row.taskId);
        if (index.column() == TimeColumn)
            return row.evaluationId;
        return display(row, index.column());
    case Qt::ForegroundRole:
        if (index.column() == RequestColumn && !row.taskId.isEmpty())
            return QBrush(QColor(0x1a, 0x5f, 0xb4));
        return {};
    case Qt::FontRole:
        if (index.column() == RequestColumn && !row.taskId.isEmpty()) {
            QFont font;
            font.setUnderline(true);
            return font;
        }
        return {};
    case SortRole:
        return sortValue(row, index.column());
    case EvaluationIdRole:
        return row.evaluationId;
    case TaskIdRole:
        return row.taskId;
    case DenialRole:
        return row.denial;
    default:
        return {};
    }
}

QVariant DenialsModel::display(const Row &row, int column) const
{
    const qint64 now = m_clock->nowMs();
    switch (column) {
    case TimeColumn:
        return TaskText::localTime(row.denial.value(u"evaluated_at"));
    case SubjectColumn:
        return TaskText::entity(row.denial.value(u"subject").toObject());
    case ActionColumn:
        return TaskText::action(row.denial.value(u"action").toObject());
    case ResourceColumn:
        return TaskText::entity(row.denial.value(u"resource").toObject());
    case TemplateColumn:
        return row.denial.value(u"template").toString();
    case HintColumn:
        if (row.expiresMs < 0)
            return QString();
        // A binding token is accepted once, so a denial a request followed is no longer open.
        if (!row.taskId.isEmpty())
            return tr("used by a request");
        return row.expiresMs > now ? tr("open, %1 left").arg(TaskText::duration(row.expiresMs - now)) : tr("closed");
    case RequestColumn:
        return row.taskId.isEmpty() ? tr("none") : row.taskId;
    case HardDenialsColumn:
        return m_hardByKey.value(row.key);
    case CallerColumn:
        return row.denial.value(u"caller").toString();
    default:
        return {};
    }
}

QVariant DenialsModel::sortValue(const Row &row, int column) const
{
    switch (column) {
    case TimeColumn:
        return row.evaluatedMs;
    case HintColumn:
        return row.expiresMs;
    case HardDenialsColumn:
        return m_hardByKey.value(row.key);
    default:
        return display(row, column);
    }
}

QVariant DenialsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};

    switch (section) {
    case TimeColumn:
        return tr("Denied at");
    case SubjectColumn:
        return tr("Subject");
    case ActionColumn:
        return tr("Action");
    case ResourceColumn:
        return tr("Resource");
    case TemplateColumn:
        return tr("Template");
    case HintColumn:
        return tr("Request window");
    case RequestColumn:
        return tr("Request");
    case HardDenialsColumn:
        return tr("Not requestable");
    case CallerColumn:
        return tr("PEP");
    default:
        return {};
    }
}

void DenialsModel::setDenials(const QList<QJsonObject> &denials)
{
    QList<Row> rows;
    rows.reserve(denials.size());
    for (const QJsonObject &denial : denials) {
        rows.append(Row{denial, denial.value(u"evaluation_id").toString(), denial.value(u"task_id").toString(),
                        keyOf(denial.value(u"subject").toObject(), denial.value(u"resource").toObject()),
                        TaskText::timeMs(denial.value(u"evaluated_at")), TaskText::timeMs(denial.value(u"expires_at"))});
    }

    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void DenialsModel::addHardDenial(const QJsonObject &event)
{
    if (event.value(u"type").toString() != u"evaluation.denied")
        return;

    const QJsonObject data = event.value(u"data").toObject();
    const QString key = keyOf(data.value(u"subject").toObject(), data.value(u"resource").toObject());
    ++m_hardByKey[key];
    ++m_hardTotal;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).key == key)
            Q_EMIT dataChanged(index(i, HardDenialsColumn), index(i, HardDenialsColumn));
    }
}

int DenialsModel::withRequest() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Row &row) { return !row.taskId.isEmpty(); }));
}

int DenialsModel::hintsValid() const
{
    const qint64 now = m_clock->nowMs();
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(),
                             [now](const Row &row) { return row.taskId.isEmpty() && row.expiresMs > now; }));
}

void DenialsModel::refreshTimes()
{
    if (m_rows.isEmpty())
        return;
    Q_EMIT dataChanged(index(0, HintColumn), index(int(m_rows.size()) - 1, HintColumn), {Qt::DisplayRole, SortRole});
}

} // namespace Recourse::Ui
