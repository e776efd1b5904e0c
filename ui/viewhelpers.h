#pragma once

#include <QString>

class QFontMetrics;
class QTableView;
class QWidget;

namespace Recourse::Ui {

// A read-only table view as every list of the console shows it: whole rows selected, alternating
// colours, no grid, sortable, compact rows.
QTableView *makeTableView(QWidget *parent, const QString &objectName, const QString &accessibleName);

// The width a column needs to show `sample` in `metrics`' font in full, with room for the cell
// margins and the sort indicator.
int columnWidthFor(const QFontMetrics &metrics, const QString &sample);

} // namespace Recourse::Ui
