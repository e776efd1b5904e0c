#pragma once

#include "core/policy/attributepath.h"

#include <QHash>
#include <QJsonValue>
#include <QString>

#include <cstddef>

namespace Recourse::Policy::Detail {

// Numbers the distinct attribute paths of one policy, so an evaluation can remember each value
// in a fixed array slot instead of a hash.
class AttributeSlots
{
public:
    static constexpr int kCount = 32;

    // The slot for a path text, or -1 once all slots are taken (that path is then not cached).
    int slotFor(const QString &pathText);

private:
    QHash<QString, int> m_slots;
};

// The attribute values one evaluation has read so far. Rules repeat the same few paths
// (subject.id, resource.type), so each is looked up and converted to a QString only once.
// NOTE: Qt 6.4 has no way to compare a string inside a QJsonValue without copying it, so every
// distinct string attribute an evaluation reads still costs one allocation.
class AttributeCache
{
public:
    explicit AttributeCache(const Request &request) : m_request(request) { }
    ~AttributeCache();
    Q_DISABLE_COPY_MOVE(AttributeCache)

    const Request &request() const { return m_request; }

    // The value at `path`. For a path without a slot the reference is valid only until the next
    // call, so callers that need two values copy the first.
    const QJsonValue &value(const AttributePath &path);
    // The value as a string, or nullptr when it is not one; same lifetime as value().
    const QString *string(const AttributePath &path);

private:
    struct Entry
    {
        QJsonValue value;
        QString text;
        bool textRead = false;
    };

    Entry &entry(const AttributePath &path);
    Entry *slotEntry(int slot);

    const Request &m_request;
    // Raw storage plus a bit per constructed entry: an evaluation touches a handful of slots, so
    // constructing and destroying all of them every time would cost more than the lookups saved.
    alignas(Entry) std::byte m_storage[AttributeSlots::kCount][sizeof(Entry)];
    quint32 m_constructed = 0;
    Entry m_uncached;
};

} // namespace Recourse::Policy::Detail
