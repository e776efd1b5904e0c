#include "core/policy/logging.h"

Q_LOGGING_CATEGORY(lcPolicy, "recourse.policy", QtWarningMsg)
