#include "core/service/adminpolicyapi.h"

#include "core/authzen/authzen.h"
#include "core/policy/policy.h"

#include <QJsonArray>

namespace Recourse::Service {

namespace {

QJsonObject matchObject(const Policy::RuleMatch &match)
{
    return QJsonObject{{QStringLiteral("rule"), match.ruleId},
                       {QStringLiteral("file"), match.file},
                       {QStringLiteral("line"), match.line},
                       {QStringLiteral("effect"), Policy::effectName(match.effect)},
                       {QStringLiteral("description"), match.description}};
}

QJsonObject errorObject(const Policy::LoadError &error)
{
    QJsonObject object{{QStringLiteral("file"), error.file}, {QStringLiteral("message"), error.message}};
    // Some errors concern a whole file (unreadable, not JSON at all) and have no line.
    if (error.line > 0)
        object.insert(QStringLiteral("line"), error.line);
    return object;
}

} // namespace

AdminPolicyApi::AdminPolicyApi(Policy::PolicyStore *policies) : m_policies(policies) { }

Result<QJsonObject> AdminPolicyApi::explain(const QJsonObject &body) const
{
    auto parsed = AuthZen::parseEvaluationRequest(body);
    if (!parsed)
        return parsed.error();

    const AuthZen::EvaluationRequest &request = parsed.value();
    const Policy::Decision decision = m_policies->current()->explain(
        Policy::Request{request.subject, request.resource, request.action, request.context});

    QJsonArray matched;
    for (const Policy::RuleMatch &match : decision.matched)
        matched.append(matchObject(match));

    QJsonObject answer{{QStringLiteral("decision"), decision.effect == Policy::Effect::Permit},
                       {QStringLiteral("effect"), Policy::effectName(decision.effect)},
                       {QStringLiteral("matched"), matched},
                       {QStringLiteral("explanation"), decision.explanation}};
    if (decision.tmpl)
        answer.insert(QStringLiteral("template"), decision.tmpl->name);
    return answer;
}

QJsonObject AdminPolicyApi::status() const
{
    const std::shared_ptr<const Policy::PolicySet> policy = m_policies->current();

    QJsonArray errors;
    for (const Policy::LoadError &error : m_policies->lastErrors())
        errors.append(errorObject(error));

    const QStringList templates = policy->templateNames();
    QJsonObject status{
        {QStringLiteral("folder"), m_policies->folder()},
        {QStringLiteral("files"), QJsonArray::fromStringList(policy->files())},
        {QStringLiteral("rule_count"), double(policy->ruleCount())},
        {QStringLiteral("template_count"), double(templates.size())},
        {QStringLiteral("templates"), QJsonArray::fromStringList(templates)},
        {QStringLiteral("entities"), QJsonObject{{QStringLiteral("subjects"), double(policy->subjects().size())},
                                                 {QStringLiteral("resources"), double(policy->resources().size())},
                                                 {QStringLiteral("actions"), double(policy->actions().size())}}},
        {QStringLiteral("errors"), errors},
    };
    const QJsonObject example = policy->exampleRequest();
    if (!example.isEmpty())
        status.insert(QStringLiteral("example_request"), example);
    return status;
}

} // namespace Recourse::Service
