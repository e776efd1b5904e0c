#pragma once

#include <QLoggingCategory>

// The HTTP layer's category ("recourse.http"), warning level by default. Debug output lists
// listening, rejected connections and protocol errors, never bodies or credentials.
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
