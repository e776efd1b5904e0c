#include "ui/scopepreviewmodel.h"

#include "ui/tasktext.h"

#include <QBrush>
#include <QColor>
#include <QJsonArray>

namespace Recourse::Ui {

ScopePreviewModel::ScopePreviewModel(QObject *parent) : QAbstractTableModel(parent) { }

int ScopePreviewModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_pairs.size());
}

int ScopePreviewModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ScopePreviewModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const Pair &pair = m_pairs.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ResourceColumn:
            return pair.resource;
        case ActionColumn:
            return pair.action;
        case OutcomeColumn:
            return outcomeText(pair.outcome);
        case RuleColumn:
            return pair.rule.isEmpty() ? tr("(default deny)") : pair.rule;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return pair.explanation;
    case Qt::ForegroundRole:
        if (index.column() != OutcomeColumn)
            return {};
        if (pair.outcome == u"unlocked")
            return QBrush(QColor(0x1b, 0x7f, 0x3b));
        if (pair.outcome == u"still_denied")
            return QBrush(QColor(0xb3, 0x26, 0x1e));
        return {};
    case OutcomeRole:
        return pair.outcome;
    case ExplanationRole:
        return pair.explanation;
    default:
        return {};
    }
}

QVariant ScopePreviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};

    switch (section) {
    case ResourceColumn:
        return tr("Resource");
    case ActionColumn:
        return tr("Action");
    case OutcomeColumn:
        return tr("With this approval");
    case RuleColumn:
        return tr("Deciding rule");
    default:
        return {};
    }
}

void ScopePreviewModel::setPreview(const QJsonObject &preview)
{
    QList<Pair> pairs;
    for (const QJsonValue &value : preview.value(u"pairs").toArray()) {
        const QJsonObject pair = value.toObject();
        pairs.append(Pair{TaskText::entity(pair.value(u"resource").toObject()),
                          TaskText::action(pair.value(u"action").toObject()), pair.value(u"outcome").toString(),
                          pair.value(u"effect").toString(), pair.value(u"rule").toString(),
                          pair.value(u"explanation").toString()});
    }

    beginResetModel();
    m_pairs = std::move(pairs);
    endResetModel();
}

int ScopePreviewModel::count(const QString &outcome) const
{
    return int(std::count_if(m_pairs.cbegin(), m_pairs.cend(), [&outcome](const Pair &pair) { return pair.outcome == outcome; }));
}

QString ScopePreviewModel::outcomeText(const QString &outcome)
{
    if (outcome == u"unlocked")
        return tr("Unlocked");
    if (outcome == u"already_permitted")
        return tr("Already permitted");
    if (outcome == u"still_denied")
        return tr("Still denied");
    return outcome;
}

} // namespace Recourse::Ui
