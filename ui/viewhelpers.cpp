#include "ui/viewhelpers.h"

#include <QFontMetrics>
#include <QHeaderView>
#include <QTableView>

namespace Recourse::Ui {

QTableView *makeTableView(QWidget *parent, const QString &objectName, const QString &accessibleName)
{
    auto *view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setAccessibleName(accessibleName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setSortingEnabled(true);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setHighlightSections(false);
    return view;
}

int columnWidthFor(const QFontMetrics &metrics, const QString &sample)
{
    return metrics.horizontalAdvance(sample) + 2 * metrics.averageCharWidth() + 16;
}

} // namespace Recourse::Ui
