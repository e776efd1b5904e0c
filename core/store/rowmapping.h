#pragma once

#include "core/store/records.h"

#include <QSqlQuery>

namespace Recourse::Store::Rows {

// Column lists and row readers shared by the writer's and the readers' queries, so both sides
// decode a row the same way.
extern const char *const kEvaluationColumns;
extern const char *const kTaskColumns;
extern const char *const kDecisionColumns;
extern const char *const kApprovalColumns;

EvaluationRecord evaluation(const QSqlQuery &query);
TaskRecord task(const QSqlQuery &query);
DecisionRecord decision(const QSqlQuery &query);
ApprovalRecord approval(const QSqlQuery &query);
EventRecord event(const QSqlQuery &query);
AuditRecord audit(const QSqlQuery &query);

} // namespace Recourse::Store::Rows
