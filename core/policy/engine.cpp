#include "core/policy/compiledpolicy.h"
#include "core/policy/policy.h"

namespace Recourse::Policy {

namespace Detail {

bool Rule::matches(AttributeCache &cache) const
{
    for (qsizetype i = 0; i < qsizetype(match.size()); ++i) {
        if (i == pinnedTerm)
            continue;
        const MatchTerm &term = match[size_t(i)];
        if (!term.values.contains(cache, term.path))
            return false;
    }
    return !when || when->evaluate(cache);
}

void RuleBucket::add(const Rule &rule, qsizetype index)
{
    switch (rule.effect) {
    case Effect::Forbid:
        forbid.push_back(index);
        break;
    case Effect::Requestable:
        requestable.push_back(index);
        break;
    case Effect::Permit:
        permit.push_back(index);
        break;
    case Effect::Deny:
        break;
    }
}

void CompiledPolicy::buildIndex(AttributeSlots &slots)
{
    QString unused;
    actionName = AttributePath::parse(QStringLiteral("action.name"), slots, &unused);

    for (qsizetype index = 0; index < qsizetype(rules.size()); ++index) {
        Rule &rule = rules[size_t(index)];
        for (qsizetype t = 0; t < qsizetype(rule.match.size()); ++t) {
            const MatchTerm &term = rule.match[size_t(t)];
            const bool onlyStrings = std::all_of(term.values.items().begin(), term.values.items().end(),
                                                 [](const Scalar &s) { return s.type() == QJsonValue::String; });
            if (term.path.isActionName() && onlyStrings) {
                rule.pinnedTerm = t;
                break;
            }
        }

        if (rule.pinnedTerm < 0) {
            unpinnedRules.add(rule, index);
            continue;
        }
        for (const Scalar &name : rule.match[size_t(rule.pinnedTerm)].values.items())
            rulesByAction[name.string()].add(rule, index);
    }
}

} // namespace Detail

namespace {

using namespace Detail;


// The rules that can apply to a request: those pinned to its action name plus the unpinned ones.
struct Candidates
{
    const RuleBucket *pinned = nullptr;
    const RuleBucket *unpinned = nullptr;

    // Calls `visit` with each index of both lists in file order until it returns true.
    template<typename Visit>
    static bool visitMerged(const std::vector<qsizetype> *first, const std::vector<qsizetype> &second, Visit visit)
    {
        const size_t firstSize = first ? first->size() : 0;
        size_t i = 0;
        size_t j = 0;
        while (i < firstSize || j < second.size()) {
            const bool takeFirst = j >= second.size() || (i < firstSize && (*first)[i] < second[j]);
            const qsizetype index = takeFirst ? (*first)[i++] : second[j++];
            if (visit(index))
                return true;
        }
        return false;
    }

    template<typename Visit>
    bool visit(std::vector<qsizetype> RuleBucket::*effect, Visit visitor) const
    {
        return visitMerged(pinned ? &(pinned->*effect) : nullptr, unpinned->*effect, visitor);
    }

    qsizetype count() const
    {
        qsizetype total = 0;
        for (const RuleBucket *bucket : {pinned, unpinned}) {
            if (bucket)
                total += qsizetype(bucket->forbid.size() + bucket->requestable.size() + bucket->permit.size());
        }
        return total;
    }
};

Candidates candidatesFor(const CompiledPolicy &policy, AttributeCache &cache)
{
    Candidates candidates;
    candidates.unpinned = &policy.unpinnedRules;
    if (policy.rulesByAction.isEmpty())
        return candidates;

    const QString *name = cache.string(*policy.actionName);
    if (!name)
        return candidates;
    const auto it = policy.rulesByAction.constFind(*name);
    if (it != policy.rulesByAction.constEnd())
        candidates.pinned = &it.value();
    return candidates;
}

const Rule *firstMatch(const CompiledPolicy &policy, const Candidates &candidates,
                       std::vector<qsizetype> RuleBucket::*effect, AttributeCache &cache)
{
    const Rule *found = nullptr;
    candidates.visit(effect, [&](qsizetype index) {
        const Rule &rule = policy.rules[size_t(index)];
        if (!rule.matches(cache))
            return false;
        found = &rule;
        return true;
    });
    return found;
}

Decision decide(const Rule *rule)
{
    Decision decision;
    if (!rule)
        return decision;
    decision.effect = rule->effect;
    decision.ruleId = rule->id;
    if (rule->effect == Effect::Requestable)
        decision.tmpl = rule->tmpl;
    return decision;
}

QString ruleReference(const RuleMatch &match)
{
    return QStringLiteral("%1 rule \"%2\" (%3:%4)").arg(effectName(match.effect), match.ruleId, match.file).arg(match.line);
}

QString withDescription(const RuleMatch &match)
{
    if (match.description.isEmpty())
        return ruleReference(match) + u'.';
    QString description = match.description.trimmed();
    if (!description.endsWith(u'.'))
        description += u'.';
    return ruleReference(match) + QStringLiteral(" matched: ") + description;
}

QString actionName(const Request &request)
{
    if (!request.document)
        return request.action.value(QStringLiteral("name")).toString();
    const Json::FlatDocument &document = *request.document;
    const int name = document.member(document.member(Json::FlatDocument::kRoot, "action"), "name");
    return name < 0 ? QString() : document.value(name).toString();
}

QString explain(const Decision &decision, const Candidates &candidates, const Request &request)
{
    if (decision.matched.isEmpty()) {
        const QString action = actionName(request);
        const QString scope = action.isEmpty() ? QStringLiteral("this request")
                                               : QStringLiteral("action \"%1\"").arg(action);
        return QStringLiteral("Denied by default: none of the %1 rules that apply to %2 matched, "
                              "and a request that no rule permits is denied.")
            .arg(candidates.count())
            .arg(scope);
    }

    const RuleMatch &winner = decision.matched.constFirst();
    QString text;
    switch (decision.effect) {
    case Effect::Forbid:
        text = QStringLiteral("Forbidden: ") + withDescription(winner)
            + QStringLiteral(" A forbid rule outranks requestable and permit rules, so no approval can lift this denial.");
        break;
    case Effect::Requestable:
        text = QStringLiteral("Denied, but access can be requested: ") + withDescription(winner)
            + QStringLiteral(" It names template \"%1\", whose workflow decides the request. No forbid rule matched.")
                  .arg(decision.tmpl ? decision.tmpl->name : QString());
        break;
    case Effect::Permit:
        text = QStringLiteral("Permitted: ") + withDescription(winner) + QStringLiteral(" No forbid or requestable rule matched.");
        break;
    case Effect::Deny:
        break;
    }

    if (decision.matched.size() > 1) {
        QStringList others;
        for (qsizetype i = 1; i < decision.matched.size(); ++i)
            others.append(ruleReference(decision.matched.at(i)));
        text += QStringLiteral(" Also matched, but outranked: ") + others.join(QStringLiteral(", ")) + u'.';
    }
    return text;
}

} // namespace

Decision PolicySet::evaluate(const Request &request) const
{
    const CompiledPolicy &policy = d->policy;
    AttributeCache cache(request);
    const Candidates candidates = candidatesFor(policy, cache);

    // Effects are checked strongest first, so the first match decides.
    for (auto effect : {&RuleBucket::forbid, &RuleBucket::requestable, &RuleBucket::permit}) {
        if (const Rule *rule = firstMatch(policy, candidates, effect, cache))
            return decide(rule);
    }
    return Decision{};
}

Decision PolicySet::explain(const Request &request) const
{
    const CompiledPolicy &policy = d->policy;
    AttributeCache cache(request);
    const Candidates candidates = candidatesFor(policy, cache);

    Decision decision;
    const Rule *winner = nullptr;
    for (auto effect : {&RuleBucket::forbid, &RuleBucket::requestable, &RuleBucket::permit}) {
        candidates.visit(effect, [&](qsizetype index) {
            const Rule &rule = policy.rules[size_t(index)];
            if (!rule.matches(cache))
                return false;
            if (!winner)
                winner = &rule;
            decision.matched.append(RuleMatch{rule.id, rule.file, rule.line, rule.effect, rule.description});
            return false;
        });
    }

    const QList<RuleMatch> matched = decision.matched;
    decision = decide(winner);
    decision.matched = matched;
    decision.explanation = Policy::explain(decision, candidates, request);
    return decision;
}

bool PolicySet::autoApproves(const Template &tmpl, const Request &submission) const
{
    if (!tmpl.autoApproval)
        return false;
    const auto condition = d->policy.autoApprovalConditions.value(tmpl.name);
    if (!condition)
        return true;
    AttributeCache cache(submission);
    return condition->evaluate(cache);
}

const Template *PolicySet::findTemplate(const QString &name) const
{
    return d->policy.templateByName.value(name);
}

QStringList PolicySet::templateNames() const
{
    QStringList names;
    for (const auto &tmpl : d->policy.templates)
        names.append(tmpl->name);
    return names;
}

QStringList PolicySet::files() const
{
    return d->policy.files;
}

qsizetype PolicySet::ruleCount() const
{
    return qsizetype(d->policy.rules.size());
}

const QList<QJsonObject> &PolicySet::subjects() const
{
    return d->policy.subjects;
}

const QList<QJsonObject> &PolicySet::resources() const
{
    return d->policy.resources;
}

const QList<QJsonObject> &PolicySet::actions() const
{
    return d->policy.actions;
}

Result<bool> evaluateCondition(const QJsonObject &condition, const Request &request)
{
    QList<LoadError> errors;
    Detail::AttributeSlots slots;
    Detail::SourceFile file(QStringLiteral("condition"), {}, &errors, &slots);
    const auto compiled = Detail::Condition::compile(condition, QString(), file);
    if (!compiled)
        return Error::make(ErrorCode::InvalidRequest, errors.value(0).message);
    Detail::AttributeCache cache(request);
    return compiled->evaluate(cache);
}

QString LoadError::toString() const
{
    if (line <= 0)
        return file + QStringLiteral(": ") + message;
    return file + u':' + QString::number(line) + QStringLiteral(": ") + message;
}

QString effectName(Effect effect)
{
    switch (effect) {
    case Effect::Permit:
        return QStringLiteral("permit");
    case Effect::Deny:
        return QStringLiteral("deny");
    case Effect::Requestable:
        return QStringLiteral("requestable");
    case Effect::Forbid:
        return QStringLiteral("forbid");
    }
    return QString();
}

} // namespace Recourse::Policy
