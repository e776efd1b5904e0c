// Fuzzes the policy loader with one policy file (PolicySet::loadDocuments), then evaluates the
// policy that loaded.
//
// A rejected file must report at least one error, each naming the file. A loaded policy must find
// every template it lists. For requests built from the file's declared entities and for a fixed
// set, evaluate() and explain() must reach the same effect and rule, and a requestable effect
// must carry its template.

#include "core/policy/policy.h"

#include "fuzzsupport.h"

#include <QJsonArray>

#include <cstddef>
#include <cstdint>
#include <variant>

using namespace Recourse;

namespace {

const QString kFileName = QStringLiteral("fuzz.json");

// Entities beyond these counts add evaluation time but no new paths through the engine.
constexpr qsizetype kMaxEntitiesPerKind = 3;
constexpr qsizetype kMaxTemplates = 4;

// One member of every JSON type, so each operator meets values it compares and values it must skip.
QJsonObject requestContext()
{
    return QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")},
                       {QStringLiteral("risk"), 3},
                       {QStringLiteral("tags"), QJsonArray{QStringLiteral("a"), 2, true, QJsonValue::Null}},
                       {QStringLiteral("at"), QStringLiteral("2026-05-01T00:00:00Z")},
                       {QStringLiteral("urgent"), true},
                       {QStringLiteral("note"), QJsonValue::Null},
                       {QStringLiteral("owner"), QStringLiteral("alice")}};
}

QList<Policy::Request> fixedRequests()
{
    const QJsonObject alice{{QStringLiteral("type"), QStringLiteral("user")},
                            {QStringLiteral("id"), QStringLiteral("alice")},
                            {QStringLiteral("properties"), QJsonObject{{QStringLiteral("department"), QStringLiteral("support")}}}};
    const QJsonObject agent{
        {QStringLiteral("type"), QStringLiteral("agent")},
        {QStringLiteral("id"), QStringLiteral("agent-7")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("alice")}}}}}};
    const QJsonObject document{{QStringLiteral("type"), QStringLiteral("document")},
                               {QStringLiteral("id"), QStringLiteral("q4-plan")},
                               {QStringLiteral("properties"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")},
                                                                          {QStringLiteral("risk"), QStringLiteral("low")}}}};
    const QJsonObject read{{QStringLiteral("name"), QStringLiteral("can_read")}};
    return {
        Policy::Request{alice, document, read, requestContext()},
        Policy::Request{agent, document, read, {}},
        Policy::Request{{}, {}, {}, {}},
    };
}

QList<Policy::Request> declaredRequests(const Policy::PolicySet &policy)
{
    QList<Policy::Request> requests;
    const QList<QJsonObject> subjects = policy.subjects().mid(0, kMaxEntitiesPerKind);
    const QList<QJsonObject> resources = policy.resources().mid(0, kMaxEntitiesPerKind);
    const QList<QJsonObject> actions = policy.actions().mid(0, kMaxEntitiesPerKind);
    for (const QJsonObject &subject : subjects) {
        for (const QJsonObject &resource : resources) {
            for (const QJsonObject &action : actions)
                requests.append(Policy::Request{subject, resource, action, requestContext()});
        }
    }
    return requests;
}

void checkDecisions(const Policy::PolicySet &policy, const Policy::Request &request)
{
    const Policy::Decision decision = policy.evaluate(request);
    const Policy::Decision explained = policy.explain(request);
    FUZZ_CHECK(decision.effect == explained.effect);
    FUZZ_CHECK(decision.ruleId == explained.ruleId);
    FUZZ_CHECK(!explained.explanation.isEmpty());
    FUZZ_CHECK((decision.effect == Policy::Effect::Requestable) == (decision.tmpl != nullptr));
    if (decision.effect != Policy::Effect::Deny)
        FUZZ_CHECK(!decision.ruleId.isEmpty());
}

void checkLoaded(const Policy::PolicySet &policy)
{
    FUZZ_CHECK(policy.files() == QStringList{kFileName});
    const QStringList templateNames = policy.templateNames();
    for (const QString &name : templateNames) {
        const Policy::Template *tmpl = policy.findTemplate(name);
        FUZZ_CHECK(tmpl != nullptr);
        FUZZ_CHECK(tmpl->name == name);
    }

    const QList<Policy::Request> requests = fixedRequests() + declaredRequests(policy);
    for (const Policy::Request &request : requests) {
        checkDecisions(policy, request);
        for (const QString &name : templateNames.mid(0, kMaxTemplates))
            policy.autoApproves(*policy.findTemplate(name), request);
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    Fuzz::silenceLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    const auto loaded = Policy::PolicySet::loadDocuments({{kFileName, bytes}});
    if (const auto *errors = std::get_if<QList<Policy::LoadError>>(&loaded)) {
        FUZZ_CHECK(!errors->isEmpty());
        for (const Policy::LoadError &error : *errors) {
            FUZZ_CHECK(error.file == kFileName);
            FUZZ_CHECK(!error.message.isEmpty());
            FUZZ_CHECK(error.line >= 0);
        }
        return 0;
    }

    const auto &policy = std::get<std::shared_ptr<const Policy::PolicySet>>(loaded);
    FUZZ_CHECK(policy != nullptr);
    checkLoaded(*policy);
    return 0;
}
