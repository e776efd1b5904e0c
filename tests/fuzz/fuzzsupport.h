#pragma once

// Shared by the libFuzzer targets: a quiet Qt log and an invariant check that aborts, so a broken
// invariant is saved as a crash like any sanitizer report.

#include <QLoggingCategory>

#include <cstdio>
#include <cstdlib>

namespace Recourse::Fuzz {

// Silences the product's logging: rejected inputs log warnings, and millions of them would drown
// the fuzzer's own output and slow every run.
inline void silenceLogging()
{
    QLoggingCategory::setFilterRules(QStringLiteral("recourse.*=false\nqt.*=false"));
}

[[noreturn]] inline void invariantFailed(const char *condition, const char *file, int line)
{
    std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, condition);
    std::abort();
}

} // namespace Recourse::Fuzz

// Unlike Q_ASSERT, always compiled in: the fuzz build is a release build with sanitizers.
#define FUZZ_CHECK(condition) \
    ((condition) ? void(0) : ::Recourse::Fuzz::invariantFailed(#condition, __FILE__, __LINE__))
