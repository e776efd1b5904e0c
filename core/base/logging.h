#pragma once

#include <QLoggingCategory>

// One category per module, warning level by default; enable debug with QT_LOGGING_RULES.
Q_DECLARE_LOGGING_CATEGORY(lcBase)
