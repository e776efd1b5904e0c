#include "core/base/logfields.h"

namespace Recourse::Log {

namespace {

// A message handler runs on the thread that logs, so per-thread members reach it unshared.
thread_local QJsonObject t_fields;

} // namespace

ScopedFields::ScopedFields(const QJsonObject &fields) : m_previous(t_fields)
{
    for (auto it = fields.begin(); it != fields.end(); ++it)
        t_fields.insert(it.key(), it.value());
}

ScopedFields::~ScopedFields()
{
    t_fields = m_previous;
}

QJsonObject ScopedFields::current()
{
    return t_fields;
}

} // namespace Recourse::Log
