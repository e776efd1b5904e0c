#pragma once

#include "core/policy/attributecache.h"
#include "core/policy/attributepath.h"
#include "core/policy/condition.h"
#include "core/policy/policy.h"
#include "core/policy/scalar.h"

#include <QHash>
#include <QString>

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace Recourse::Policy::Detail {

// One `match` entry: the attribute equals the scalar, or is one of the listed scalars.
struct MatchTerm
{
    AttributePath path;
    ScalarSet values;
};

struct Rule
{
    QString id;
    QString description;
    QString file;
    int line = 0;
    Effect effect = Effect::Deny;
    QString templateName;
    const Template *tmpl = nullptr; // resolved once every file is loaded
    std::vector<MatchTerm> match;
    // The match term on action.name that the action index already satisfied, or -1.
    qsizetype pinnedTerm = -1;
    std::optional<Condition> when;

    // Match terms first: they are cheap equality checks that reject most requests.
    bool matches(AttributeCache &cache) const;
};

// Indexes of rules in file order, split by effect so evaluation can stop at the first match of
// the strongest effect.
struct RuleBucket
{
    std::vector<qsizetype> forbid;
    std::vector<qsizetype> requestable;
    std::vector<qsizetype> permit;

    void add(const Rule &rule, qsizetype index);
};

// The immutable result of loading a policy folder.
struct CompiledPolicy
{
    std::vector<Rule> rules; // file order: files sorted by name, rules in array order
    std::vector<std::unique_ptr<Template>> templates;
    QHash<QString, const Template *> templateByName;
    QHash<QString, std::shared_ptr<const Condition>> autoApprovalConditions; // by template name

    // Rules whose match pins action.name, by that name; the rest are checked for every request.
    QHash<QString, RuleBucket> rulesByAction;
    RuleBucket unpinnedRules;
    std::optional<AttributePath> actionName; // "action.name" with this policy's cache slot

    QStringList files;
    QList<QJsonObject> subjects;
    QList<QJsonObject> resources;
    QList<QJsonObject> actions;

    void buildIndex(AttributeSlots &slots);
};

// Compiles the "templates" member of one file into `policy`.
void compileTemplates(const QJsonValue &json, const QString &pointer, SourceFile &file, CompiledPolicy &policy,
                      QHash<QString, QString> &origins);

// Reads a template's "catalogs" member into `tmpl`; needs relevant_context and request_schema read
// first. Absent is fine.
bool readCatalogs(const QJsonObject &object, const QString &pointer, SourceFile &file, Template &tmpl);

// Parses "10m"-style durations: a whole number followed by s, m, h or d.
std::optional<qint64> parseDurationSeconds(const QJsonValue &value);

} // namespace Recourse::Policy::Detail

namespace Recourse::Policy {

struct PolicySet::Private
{
    Detail::CompiledPolicy policy;

    // The result of exampleRequest(), built on first use, because the console requests it with
    // every status refresh.
    mutable std::once_flag exampleOnce;
    mutable QJsonObject example;
};

} // namespace Recourse::Policy
