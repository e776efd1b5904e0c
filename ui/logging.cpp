#include "ui/logging.h"

Q_LOGGING_CATEGORY(lcUi, "recourse.ui", QtWarningMsg)
