#include "core/jose/logging.h"

Q_LOGGING_CATEGORY(lcJose, "recourse.jose", QtWarningMsg)
