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

// Each reader takes a QSqlQuery or a DirectQuery positioned on a row of the matching columns.
template <typename Row> EvaluationRecord evaluation(const Row &query);
template <typename Row> TaskRecord task(const Row &query);
template <typename Row> DecisionRecord decision(const Row &query);
template <typename Row> ApprovalRecord approval(const Row &query);
EventRecord event(const QSqlQuery &query);
AuditRecord audit(const QSqlQuery &query);

} // namespace Recourse::Store::Rows
