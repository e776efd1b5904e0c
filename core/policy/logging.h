#pragma once

#include <QLoggingCategory>

// Policy loads, reloads and rejected policy files; never request contents.
Q_DECLARE_LOGGING_CATEGORY(lcPolicy)
