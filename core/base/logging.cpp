#include "core/base/logging.h"

Q_LOGGING_CATEGORY(lcBase, "recourse.base", QtWarningMsg)
