#pragma once

#include <QLoggingCategory>

// recourse.ui: the console's models and views; warning level by default.
Q_DECLARE_LOGGING_CATEGORY(lcUi)
