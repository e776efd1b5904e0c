#pragma once

#include "core/base/result.h"
#include "core/json/flatdocument.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <variant>

namespace Recourse::Policy {

// One step of an approval workflow: `quorum` distinct approvers from any of `groups`.
// Steps are ANDed: every step must be complete; steps may be decided in any order.
struct WorkflowStep
{
    QString name;
    QStringList groups;
    int quorum = 1;
};

// What may be broadened beyond the exact request when an approver edits the scope.
struct BroadenRules
{
    bool resources = false; // other resources (same type) may be added
    bool actions = false;   // other actions may be added
    // Context members that must stay equal to the bound values when resources are broadened
    // (for example "tenant": other documents of the same tenant only).
    QStringList sameContextMembers;
};

// An automatic approval evaluated at submission. Runs through the same eligibility check as a
// person (see Escalation::checkAutomatedEligibility); `duration_seconds` bounds the approval.
struct AutoApproval
{
    qint64 durationSeconds = 0;
    QJsonObject condition; // raw condition over the submission (same language as rules); empty = always
};

namespace Detail {
class Condition;
}

// One selectable value of a catalog-backed request field.
struct CatalogItem
{
    QString value; // opaque: a submission must carry exactly this string
    QString label;
    QString description;
    QString riskLevel;
    QJsonValue owner;     // a string or an object; undefined when the item names no owner
    bool retired = false; // listed nowhere and rejected at submission, kept so the policy records it
    // Who may see and request the item, over the denied evaluation; null means every caller.
    std::shared_ptr<const Detail::Condition> when;
};

// The values a request field may take: `pointer` is a JSON Pointer into the submission body,
// for example "/context/entitlement". Items keep their policy file order.
struct Catalog
{
    QString pointer;
    QList<CatalogItem> items;
};

// The workflow and limits a requestable denial carries, referenced by name from rules.
struct Template
{
    QString name;
    QString title;                // human title for the console
    QString reason = QStringLiteral("approval_required");
    qint64 hintLifetimeSeconds = 600;       // access_request.expires_at - evaluated_at
    QStringList relevantContext;            // authorization-relevant context members
    QList<WorkflowStep> steps;
    // Separation of duties: holders of these roles may not decide this template's requests, and a
    // subject holding one must not get this access without a person's review.
    QStringList conflictingGroups;
    qint64 maxDurationSeconds = 8 * 3600;   // approved_until - approved_at never exceeds this
    qint64 defaultDurationSeconds = 0;      // 0 = maxDurationSeconds
    qint64 taskLifetimeSeconds = 24 * 3600; // a pending task expires after this
    BroadenRules broaden;
    std::optional<AutoApproval> autoApproval;
    qint64 provisioningDelaySeconds = 0;    // re-evaluations answer grant_pending this long after approval
    QJsonObject display;                    // access_request.display
    QJsonObject requestSchema;              // JSON Schema for submission context/requested_access additions
    QList<Catalog> catalogs;                // sorted by pointer; a template with catalogs has a requestSchema

    // The duration an approval gets when neither the approver nor the PEP names an end.
    qint64 effectiveDefaultSeconds() const
    {
        return defaultDurationSeconds > 0 ? defaultDurationSeconds : maxDurationSeconds;
    }
};

enum class Effect { Permit, Deny, Requestable, Forbid };

// Why a decision came out as it did, for the "test a request" view and audit.
struct RuleMatch
{
    QString ruleId;
    QString file;
    int line = 0;
    Effect effect = Effect::Deny;
    QString description;
};

struct Decision
{
    Effect effect = Effect::Deny;   // Deny = no rule matched (default deny)
    const Template *tmpl = nullptr; // set when effect == Requestable
    QString ruleId;                 // the rule that decided, empty for default deny
    QList<RuleMatch> matched;       // every rule that matched, in precedence order
    QString explanation;            // one plain paragraph: which rules matched and why this effect won
};

// The AuthZEN request as the engine sees it. context may carry "approval"; rules may refer to
// any attribute including properties and context members.
struct Request
{
    QJsonObject subject;
    QJsonObject resource;
    QJsonObject action;
    QJsonObject context;
    // When set, attributes are read from this document, an evaluation request body whose
    // top-level members are subject, resource, action and context, and the objects above are
    // ignored. It spares a request read by Json::FlatDocument the QJsonObjects.
    const Json::FlatDocument *document = nullptr;
};

// A load problem with its position: "policies/demo.json:12: unknown operator \"equalz\"".
struct LoadError
{
    QString file;
    int line = 0;
    QString message;
    QString toString() const;
};

// An immutable compiled policy. Thread-safe for concurrent evaluate() calls.
class PolicySet
{
public:
    ~PolicySet();

    // Loads every *.json file of a folder (sorted by name) into one policy set.
    static std::variant<std::shared_ptr<const PolicySet>, QList<LoadError>> loadFolder(const QString &folder);
    // Loads from in-memory documents keyed by file name (tests, upstream mode), in name order
    // like loadFolder().
    static std::variant<std::shared_ptr<const PolicySet>, QList<LoadError>> loadDocuments(
        const QList<QPair<QString, QByteArray>> &files);

    Decision evaluate(const Request &request) const;
    // As evaluate(), but fills Decision::matched and Decision::explanation (slower).
    Decision explain(const Request &request) const;

    // Whether a template's auto_approve applies to a submission. The submission is passed as a
    // Request, so its condition uses the same attribute paths as rules. False when the template
    // has no auto_approve, and true when it has one without a "when" condition.
    bool autoApproves(const Template &tmpl, const Request &submission) const;

    // A request that this policy decides as requestable (or, without such a rule, permits), built
    // from the match values and conditions of the first rule that yields one, with placeholder ids
    // where the rule names none. Empty when no rule does. The console's "test a request" view
    // starts from it, so it explains something real whatever pack or folder is loaded.
    QJsonObject exampleRequest() const;

    // Templates, and Decision::tmpl, live as long as this set.
    const Template *findTemplate(const QString &name) const;
    QStringList templateNames() const;
    QStringList files() const; // loaded file names
    qsizetype ruleCount() const;

    // Declared entities for the search endpoints: {"type","id","properties"} objects.
    const QList<QJsonObject> &subjects() const;
    const QList<QJsonObject> &resources() const;
    const QList<QJsonObject> &actions() const;

private:
    PolicySet();
    QJsonObject findExample() const;
    struct Private;
    std::unique_ptr<Private> d;
};

// Whether a catalog item may be listed to, and requested by, the caller of the denied evaluation
// `original`: its `when` holds there and it is not retired.
bool catalogItemOffered(const CatalogItem &item, const Request &original);

// Compiles and evaluates one condition of the policy language against a request; fails with
// InvalidRequest when the condition is not valid.
Result<bool> evaluateCondition(const QJsonObject &condition, const Request &request);

// Resolves a policy argument: an existing folder, or the name of a shipped pack
// (demo, certification, arap-conformance) searched in the installed and source resource folders.
Result<QString> resolvePolicyFolder(const QString &nameOrFolder);

// Watches a policy folder and swaps in a new PolicySet when files change; a broken change keeps
// the last good set and reports errors. current() is safe to call from any thread.
class PolicyStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PolicyStore)

public:
    explicit PolicyStore(QObject *parent = nullptr);
    ~PolicyStore() override;

    // Loads the folder and starts watching it. Fails when the first load fails.
    Result<void> open(const QString &folder);
    std::shared_ptr<const PolicySet> current() const;
    QString folder() const;
    QList<LoadError> lastErrors() const; // empty when the last reload succeeded
    // Reloads now (also called by the file watcher, debounced).
    bool reload();

Q_SIGNALS:
    void reloaded(bool ok);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

QString effectName(Effect effect);

} // namespace Recourse::Policy
