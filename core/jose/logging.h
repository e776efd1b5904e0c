#pragma once

#include <QLoggingCategory>

// Logs key creation, key loading and rejected keys, but never key material or token contents.
Q_DECLARE_LOGGING_CATEGORY(lcJose)
