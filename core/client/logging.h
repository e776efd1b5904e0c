#pragma once

#include <QLoggingCategory>

// recourse.client: requests to the approver API and the event stream; warning level by default.
Q_DECLARE_LOGGING_CATEGORY(lcClient)
