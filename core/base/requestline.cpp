#include "core/base/requestline.h"

#include <atomic>

namespace Recourse::Log {

namespace {

std::atomic<RequestLineWriter> g_writer{nullptr};

} // namespace

void setRequestLineWriter(RequestLineWriter writer)
{
    g_writer.store(writer, std::memory_order_release);
}

RequestLineWriter requestLineWriter()
{
    return g_writer.load(std::memory_order_acquire);
}

} // namespace Recourse::Log
