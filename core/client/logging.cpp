#include "core/client/logging.h"

Q_LOGGING_CATEGORY(lcClient, "recourse.client", QtWarningMsg)
