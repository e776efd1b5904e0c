#include "core/service/httplogging.h"

Q_LOGGING_CATEGORY(lcHttp, "recourse.http", QtWarningMsg)
