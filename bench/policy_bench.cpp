// Decision throughput of the policy engine: the certification fixture, and generated rule sets
// of 10, 1,000 and 100,000 rules. Run a release build: policy_bench --benchmark_min_time=1
#include "core/policy/policy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

using namespace Recourse::Policy;

namespace {

std::shared_ptr<const PolicySet> unwrap(std::variant<std::shared_ptr<const PolicySet>, QList<LoadError>> loaded)
{
    if (auto *errors = std::get_if<QList<LoadError>>(&loaded)) {
        qFatal("policy failed to load: %s", qPrintable(errors->value(0).toString()));
        return nullptr;
    }
    return std::get<std::shared_ptr<const PolicySet>>(std::move(loaded));
}

QJsonObject entity(const QString &type, const QString &id, const QJsonObject &properties = {})
{
    QJsonObject object{{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
    if (!properties.isEmpty())
        object.insert(QStringLiteral("properties"), properties);
    return object;
}

QJsonObject action(const QString &name, const QJsonObject &properties = {})
{
    QJsonObject object{{QStringLiteral("name"), name}};
    if (!properties.isEmpty())
        object.insert(QStringLiteral("properties"), properties);
    return object;
}

// The eight decisions of the certification fixture, as the harness sends them.
std::vector<Request> certificationRequests()
{
    const QJsonObject alice = entity(QStringLiteral("user"), QStringLiteral("alice"));
    const QJsonObject bob = entity(QStringLiteral("user"), QStringLiteral("bob"));
    const QJsonObject admin = entity(QStringLiteral("user"), QStringLiteral("bob"), {{QStringLiteral("role"), QStringLiteral("admin")}});
    const QJsonObject record1 = entity(QStringLiteral("record"), QStringLiteral("record-1"));
    const QJsonObject archived = entity(QStringLiteral("record"), QStringLiteral("record-2"), {{QStringLiteral("status"), QStringLiteral("archived")}});
    const QJsonObject read = action(QStringLiteral("read"));
    const QJsonObject write = action(QStringLiteral("write"));

    return {
        {alice, record1, read, {}},
        {alice, record1, write, {}},
        {bob, record1, read, {}},
        {bob, record1, write, {}},
        {alice, archived, write, {}},
        {admin, archived, write, {}},
        {alice, record1, action(QStringLiteral("delete"), {{QStringLiteral("soft"), true}}), {}},
        {alice, record1, action(QStringLiteral("delete"), {{QStringLiteral("soft"), false}}), {}},
    };
}

// Builds a rule set shaped like a real one. Every generated rule pins an action (about ten rules
// per action) and matches a few subjects and a resource type. A third of them add a numeric
// condition, and five rules without a pinned action apply to every request.
QList<QPair<QString, QByteArray>> generatedPolicy(int ruleCount, int *actionCount)
{
    *actionCount = std::max(1, ruleCount / 10);
    const QJsonObject tmpl{{QStringLiteral("steps"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("manager")},
                                                                           {QStringLiteral("groups"), QJsonArray{QStringLiteral("managers")}}}}}};
    QList<QPair<QString, QByteArray>> files;
    files.append({QStringLiteral("00-common.json"), QJsonDocument(QJsonObject{
        {QStringLiteral("templates"), QJsonObject{{QStringLiteral("t"), tmpl}}},
        {QStringLiteral("rules"), QJsonArray{
            QJsonObject{{QStringLiteral("id"), QStringLiteral("high-risk")}, {QStringLiteral("effect"), QStringLiteral("forbid")},
                        {QStringLiteral("when"), QJsonObject{{QStringLiteral("attr"), QStringLiteral("context.risk")}, {QStringLiteral("equals"), QStringLiteral("high")}}}},
            QJsonObject{{QStringLiteral("id"), QStringLiteral("suspended")}, {QStringLiteral("effect"), QStringLiteral("forbid")},
                        {QStringLiteral("match"), QJsonObject{{QStringLiteral("subject.properties.suspended"), true}}}},
            QJsonObject{{QStringLiteral("id"), QStringLiteral("auditors")}, {QStringLiteral("effect"), QStringLiteral("permit")},
                        {QStringLiteral("match"), QJsonObject{{QStringLiteral("subject.properties.role"), QStringLiteral("auditor")}, {QStringLiteral("resource.type"), QStringLiteral("audit-log")}}}},
            QJsonObject{{QStringLiteral("id"), QStringLiteral("owners")}, {QStringLiteral("effect"), QStringLiteral("permit")},
                        {QStringLiteral("when"), QJsonObject{{QStringLiteral("attr"), QStringLiteral("resource.properties.owner")}, {QStringLiteral("equals_attr"), QStringLiteral("subject.id")}}}},
            QJsonObject{{QStringLiteral("id"), QStringLiteral("night-freeze")}, {QStringLiteral("effect"), QStringLiteral("forbid")},
                        {QStringLiteral("when"), QJsonObject{{QStringLiteral("attr"), QStringLiteral("context.time"), }, {QStringLiteral("after"), QStringLiteral("2099-01-01T00:00:00Z")}}}},
        }},
    }).toJson(QJsonDocument::Compact)});

    constexpr int rulesPerFile = 5000;
    QJsonArray rules;
    for (int i = 0; i < ruleCount; ++i) {
        // One rule in ten forbids and one in ten is requestable; the rest permit.
        QString effect = QStringLiteral("permit");
        if (i % 10 == 0)
            effect = QStringLiteral("forbid");
        else if (i % 10 == 1)
            effect = QStringLiteral("requestable");
        QJsonObject rule{
            {QStringLiteral("id"), QStringLiteral("rule-%1").arg(i)},
            {QStringLiteral("effect"), effect},
            {QStringLiteral("match"), QJsonObject{
                {QStringLiteral("action.name"), QStringLiteral("action-%1").arg(i % *actionCount)},
                {QStringLiteral("subject.id"), QJsonArray{QStringLiteral("user-%1").arg(i % 50), QStringLiteral("user-%1").arg((i + 7) % 50)}},
                {QStringLiteral("resource.type"), QStringLiteral("type-%1").arg(i % 7)},
            }},
        };
        if (effect == u"requestable")
            rule.insert(QStringLiteral("template"), QStringLiteral("t"));
        if (i % 3 == 0)
            rule.insert(QStringLiteral("when"), QJsonObject{{QStringLiteral("attr"), QStringLiteral("context.level")}, {QStringLiteral("gte"), i % 5}});
        rules.append(rule);
        if (rules.size() == rulesPerFile || i == ruleCount - 1) {
            files.append({QStringLiteral("rules-%1.json").arg(i / rulesPerFile, 4, 10, QLatin1Char('0')),
                          QJsonDocument(QJsonObject{{QStringLiteral("rules"), rules}}).toJson(QJsonDocument::Compact)});
            rules = QJsonArray();
        }
    }
    return files;
}

std::vector<Request> generatedRequests(int actionCount)
{
    std::mt19937 random(42);
    std::vector<Request> requests;
    for (int i = 0; i < 256; ++i) {
        const QString user = QStringLiteral("user-%1").arg(random() % 50);
        requests.push_back(Request{
            entity(QStringLiteral("user"), user, {{QStringLiteral("department"), QStringLiteral("support")}}),
            entity(QStringLiteral("type-%1").arg(random() % 7), QStringLiteral("r-%1").arg(i), {{QStringLiteral("owner"), QStringLiteral("someone")}}),
            action(QStringLiteral("action-%1").arg(random() % actionCount)),
            QJsonObject{{QStringLiteral("level"), int(random() % 6)}, {QStringLiteral("risk"), QStringLiteral("low")},
                        {QStringLiteral("time"), QStringLiteral("2025-06-01T09:30:00Z")}},
        });
    }
    return requests;
}

void runDecisions(benchmark::State &state, const PolicySet &set, const std::vector<Request> &requests, bool explain)
{
    size_t next = 0;
    int permits = 0;
    for (auto _ : state) {
        const Request &request = requests[next];
        next = next + 1 == requests.size() ? 0 : next + 1;
        const Decision decision = explain ? set.explain(request) : set.evaluate(request);
        permits += decision.effect == Effect::Permit;
        benchmark::DoNotOptimize(decision);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["permit_share"] = benchmark::Counter(double(permits) / double(std::max<int64_t>(1, state.iterations())));
}

void BM_CertificationEvaluate(benchmark::State &state)
{
    const auto set = unwrap(PolicySet::loadFolder(QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/certification")));
    runDecisions(state, *set, certificationRequests(), false);
}

void BM_CertificationExplain(benchmark::State &state)
{
    const auto set = unwrap(PolicySet::loadFolder(QStringLiteral(RECOURSE_SOURCE_DIR "/resources/policies/certification")));
    runDecisions(state, *set, certificationRequests(), true);
}

void BM_GeneratedEvaluate(benchmark::State &state)
{
    int actionCount = 0;
    const auto set = unwrap(PolicySet::loadDocuments(generatedPolicy(int(state.range(0)), &actionCount)));
    runDecisions(state, *set, generatedRequests(actionCount), false);
    state.counters["rules"] = double(set->ruleCount());
}

void BM_GeneratedLoad(benchmark::State &state)
{
    int actionCount = 0;
    const auto files = generatedPolicy(int(state.range(0)), &actionCount);
    for (auto _ : state)
        benchmark::DoNotOptimize(PolicySet::loadDocuments(files));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

} // namespace

BENCHMARK(BM_CertificationEvaluate);
BENCHMARK(BM_CertificationExplain);
BENCHMARK(BM_GeneratedEvaluate)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_GeneratedLoad)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
