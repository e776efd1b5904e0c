#pragma once

#include <QString>

class QTableView;
class QWidget;

namespace Recourse::Ui {

// A read-only table view as every list of the console shows it: whole rows selected, alternating
// colours, no grid, sortable, compact rows.
QTableView *makeTableView(QWidget *parent, const QString &objectName, const QString &accessibleName);

} // namespace Recourse::Ui
