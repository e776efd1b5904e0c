#include "core/policy/attributecache.h"

#include <bit>
#include <new>

namespace Recourse::Policy::Detail {

int AttributeSlots::slotFor(const QString &pathText)
{
    const auto it = m_slots.constFind(pathText);
    if (it != m_slots.constEnd())
        return it.value();
    if (m_slots.size() >= kCount)
        return -1;
    const int slot = int(m_slots.size());
    m_slots.insert(pathText, slot);
    return slot;
}

static_assert(AttributeSlots::kCount <= 32, "one bit of m_constructed per slot");

AttributeCache::~AttributeCache()
{
    for (quint32 bits = m_constructed; bits != 0; bits &= bits - 1)
        slotEntry(std::countr_zero(bits))->~Entry();
}

AttributeCache::Entry *AttributeCache::slotEntry(int slot)
{
    return std::launder(reinterpret_cast<Entry *>(m_storage[slot]));
}

AttributeCache::Entry &AttributeCache::entry(const AttributePath &path)
{
    const int slot = path.slot();
    if (slot < 0) {
        m_uncached = Entry{path.resolve(m_request), QString(), false};
        return m_uncached;
    }

    const quint32 bit = quint32(1) << slot;
    if (!(m_constructed & bit)) {
        new (m_storage[slot]) Entry{path.resolve(m_request), QString(), false};
        m_constructed |= bit;
    }
    return *slotEntry(slot);
}

const QJsonValue &AttributeCache::value(const AttributePath &path)
{
    return entry(path).value;
}

const QString *AttributeCache::string(const AttributePath &path)
{
    Entry &found = entry(path);
    if (!found.value.isString())
        return nullptr;
    if (!found.textRead) {
        found.text = found.value.toString();
        found.textRead = true;
    }
    return &found.text;
}

} // namespace Recourse::Policy::Detail
