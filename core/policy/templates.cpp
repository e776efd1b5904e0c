#include "core/policy/compiledpolicy.h"
#include "core/policy/logging.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

namespace Recourse::Policy::Detail {

namespace {

const QStringList kTemplateMembers = {
    QStringLiteral("title"), QStringLiteral("reason"), QStringLiteral("hint_lifetime"),
    QStringLiteral("relevant_context"), QStringLiteral("steps"), QStringLiteral("max_duration"),
    QStringLiteral("default_duration"), QStringLiteral("task_lifetime"), QStringLiteral("broaden"),
    QStringLiteral("auto_approve"), QStringLiteral("provisioning_delay"), QStringLiteral("display"),
    QStringLiteral("request_schema"), QStringLiteral("catalogs"), QStringLiteral("conflicting_groups"),
};

// Members the ARAP response itself defines; binding them as request context would be circular.
const QStringList kReservedContextMembers = {
    QStringLiteral("access_request"), QStringLiteral("evaluation_id"), QStringLiteral("evaluated_at"),
    QStringLiteral("reason"), QStringLiteral("approval"),
};

bool isValidName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"));
    return pattern.match(name).hasMatch();
}

// Reads the member `key` as a duration into `target`; absent leaves the default.
bool readDuration(const QJsonObject &object, const QString &key, const QString &pointer, SourceFile &file,
                  qint64 *target, bool allowZero = false)
{
    if (!object.contains(key))
        return true;
    const QJsonValue value = object.value(key);
    const auto seconds = parseDurationSeconds(value);
    if (!seconds || (*seconds == 0 && !allowZero)) {
        file.error(childPointer(pointer, key),
                   QStringLiteral("\"%1\" must be a %2duration such as \"30s\", \"10m\", \"8h\" or \"1d\", got %3")
                       .arg(key, allowZero ? QString() : QStringLiteral("positive "),
                            value.isString() ? u'"' + value.toString() + u'"' : describeType(value)));
        return false;
    }
    *target = *seconds;
    return true;
}

std::optional<QStringList> readStringList(const QJsonValue &value, const QString &key, const QString &pointer,
                                          SourceFile &file)
{
    if (!value.isArray()) {
        file.error(pointer, QStringLiteral("\"%1\" must be an array of strings, got %2").arg(key, describeType(value)));
        return std::nullopt;
    }
    QStringList names;
    const QJsonArray items = value.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (!items.at(i).isString() || items.at(i).toString().isEmpty()) {
            file.error(childPointer(pointer, i), QStringLiteral("\"%1\" must contain only non-empty strings").arg(key));
            return std::nullopt;
        }
        if (names.contains(items.at(i).toString())) {
            file.error(childPointer(pointer, i), QStringLiteral("\"%1\" lists \"%2\" twice").arg(key, items.at(i).toString()));
            return std::nullopt;
        }
        names.append(items.at(i).toString());
    }
    return names;
}

bool readRelevantContext(const QJsonObject &object, const QString &pointer, SourceFile &file, Template &tmpl)
{
    const QString key = QStringLiteral("relevant_context");
    if (!object.contains(key))
        return true;
    const auto names = readStringList(object.value(key), key, childPointer(pointer, key), file);
    if (!names)
        return false;

    bool ok = true;
    for (qsizetype i = 0; i < names->size(); ++i) {
        const QString &name = names->at(i);
        if (kReservedContextMembers.contains(name)) {
            file.error(childPointer(childPointer(pointer, key), i),
                       QStringLiteral("\"%1\" cannot be an authorization-relevant context member because the approval protocol sets it").arg(name));
            ok = false;
        } else if (name == u"time") {
            qCWarning(lcPolicy).noquote() << QStringLiteral("%1:%2: template \"%3\" binds \"time\", which changes with every request, so an approval may never match a later request")
                                                 .arg(file.name()).arg(file.lineOf(childPointer(childPointer(pointer, key), i))).arg(tmpl.name);
        }
    }
    tmpl.relevantContext = *names;
    return ok;
}

std::optional<WorkflowStep> readStep(const QJsonValue &value, const QString &pointer, SourceFile &file)
{
    if (!value.isObject()) {
        file.error(pointer, QStringLiteral("a workflow step must be an object with \"name\", \"groups\" and \"quorum\", got %1").arg(describeType(value)));
        return std::nullopt;
    }
    const QJsonObject object = value.toObject();
    if (!checkMembers(object, pointer, {QStringLiteral("name"), QStringLiteral("groups"), QStringLiteral("quorum")},
                      QStringLiteral("workflow step"), file))
        return std::nullopt;

    WorkflowStep step;
    const QJsonValue name = object.value(QStringLiteral("name"));
    if (!name.isString() || !isValidName(name.toString())) {
        file.error(childPointer(pointer, QStringLiteral("name")), QStringLiteral("a workflow step needs a \"name\" made of letters, digits, '_', '.' or '-'"));
        return std::nullopt;
    }
    step.name = name.toString();

    const auto groups = readStringList(object.value(QStringLiteral("groups")), QStringLiteral("groups"),
                                       childPointer(pointer, QStringLiteral("groups")), file);
    if (!groups)
        return std::nullopt;
    if (groups->isEmpty()) {
        file.error(childPointer(pointer, QStringLiteral("groups")), QStringLiteral("step \"%1\" needs at least one approver group").arg(step.name));
        return std::nullopt;
    }
    step.groups = *groups;

    if (object.contains(QStringLiteral("quorum"))) {
        const double quorum = object.value(QStringLiteral("quorum")).toDouble(-1);
        if (quorum < 1 || quorum > 100 || quorum != double(qint64(quorum))) {
            file.error(childPointer(pointer, QStringLiteral("quorum")), QStringLiteral("\"quorum\" must be a whole number from 1 to 100"));
            return std::nullopt;
        }
        step.quorum = int(quorum);
    }
    return step;
}

bool readSteps(const QJsonObject &object, const QString &pointer, SourceFile &file, Template &tmpl)
{
    const QString key = QStringLiteral("steps");
    if (!object.contains(key))
        return true;
    const QJsonValue value = object.value(key);
    if (!value.isArray()) {
        file.error(childPointer(pointer, key), QStringLiteral("\"steps\" must be an array of workflow steps, got %1").arg(describeType(value)));
        return false;
    }
    const QJsonArray items = value.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString stepPointer = childPointer(childPointer(pointer, key), i);
        const auto step = readStep(items.at(i), stepPointer, file);
        if (!step)
            return false;
        for (const WorkflowStep &existing : std::as_const(tmpl.steps)) {
            if (existing.name == step->name) {
                file.error(stepPointer, QStringLiteral("two steps are named \"%1\"").arg(step->name));
                return false;
            }
        }
        tmpl.steps.append(*step);
    }
    return true;
}

// Reads "conflicting_groups", the groups that clash with this template's access. Read after
// "steps": a group cannot both approve and conflict, because its members could never decide.
bool readConflictingGroups(const QJsonObject &object, const QString &pointer, SourceFile &file, Template &tmpl)
{
    const QString key = QStringLiteral("conflicting_groups");
    if (!object.contains(key))
        return true;
    const QString listPointer = childPointer(pointer, key);
    const auto groups = readStringList(object.value(key), key, listPointer, file);
    if (!groups)
        return false;

    for (qsizetype i = 0; i < groups->size(); ++i) {
        for (const WorkflowStep &step : std::as_const(tmpl.steps)) {
            if (step.groups.contains(groups->at(i))) {
                file.error(childPointer(listPointer, i),
                           QStringLiteral("\"%1\" is an approver group of step \"%2\" and cannot also be a conflicting group")
                               .arg(groups->at(i), step.name));
                return false;
            }
        }
    }
    tmpl.conflictingGroups = *groups;
    return true;
}

bool readBroaden(const QJsonObject &object, const QString &pointer, SourceFile &file, Template &tmpl)
{
    const QString key = QStringLiteral("broaden");
    if (!object.contains(key))
        return true;
    const QString broadenPointer = childPointer(pointer, key);
    const QJsonValue value = object.value(key);
    if (!value.isObject()) {
        file.error(broadenPointer, QStringLiteral("\"broaden\" must be an object, got %1").arg(describeType(value)));
        return false;
    }
    const QJsonObject broaden = value.toObject();
    if (!checkMembers(broaden, broadenPointer, {QStringLiteral("resources"), QStringLiteral("actions"), QStringLiteral("same_context")},
                      QStringLiteral("\"broaden\""), file))
        return false;

    for (const QString &flag : {QStringLiteral("resources"), QStringLiteral("actions")}) {
        if (broaden.contains(flag) && !broaden.value(flag).isBool()) {
            file.error(childPointer(broadenPointer, flag), QStringLiteral("\"%1\" must be true or false").arg(flag));
            return false;
        }
    }
    tmpl.broaden.resources = broaden.value(QStringLiteral("resources")).toBool(false);
    tmpl.broaden.actions = broaden.value(QStringLiteral("actions")).toBool(false);

    const QString sameKey = QStringLiteral("same_context");
    if (!broaden.contains(sameKey))
        return true;
    const auto members = readStringList(broaden.value(sameKey), sameKey, childPointer(broadenPointer, sameKey), file);
    if (!members)
        return false;
    for (qsizetype i = 0; i < members->size(); ++i) {
        // A member kept equal must be bound to the request, or there is no value to compare with.
        if (!tmpl.relevantContext.contains(members->at(i))) {
            file.error(childPointer(childPointer(broadenPointer, sameKey), i),
                       QStringLiteral("\"%1\" must also be listed in \"relevant_context\" so its value is bound to the request").arg(members->at(i)));
            return false;
        }
    }
    tmpl.broaden.sameContextMembers = *members;
    return true;
}

bool readAutoApproval(const QJsonObject &object, const QString &pointer, SourceFile &file, Template &tmpl,
                      std::shared_ptr<const Condition> *compiled)
{
    const QString key = QStringLiteral("auto_approve");
    if (!object.contains(key))
        return true;
    const QString autoPointer = childPointer(pointer, key);
    const QJsonValue value = object.value(key);
    if (!value.isObject()) {
        file.error(autoPointer, QStringLiteral("\"auto_approve\" must be an object with \"duration\" and an optional \"when\", got %1").arg(describeType(value)));
        return false;
    }
    const QJsonObject autoObject = value.toObject();
    if (!checkMembers(autoObject, autoPointer, {QStringLiteral("duration"), QStringLiteral("when")}, QStringLiteral("\"auto_approve\""), file))
        return false;

    AutoApproval approval;
    if (!autoObject.contains(QStringLiteral("duration"))) {
        file.error(autoPointer, QStringLiteral("\"auto_approve\" needs a \"duration\" such as \"30m\""));
        return false;
    }
    if (!readDuration(autoObject, QStringLiteral("duration"), autoPointer, file, &approval.durationSeconds))
        return false;

    if (autoObject.contains(QStringLiteral("when"))) {
        const QJsonValue when = autoObject.value(QStringLiteral("when"));
        auto condition = Condition::compile(when, childPointer(autoPointer, QStringLiteral("when")), file);
        if (!condition)
            return false;
        approval.condition = when.toObject();
        *compiled = std::make_shared<const Condition>(std::move(*condition));
    }
    tmpl.autoApproval = approval;
    return true;
}

bool readObject(const QJsonObject &object, const QString &key, const QString &pointer, SourceFile &file, QJsonObject *target)
{
    if (!object.contains(key))
        return true;
    if (!object.value(key).isObject()) {
        file.error(childPointer(pointer, key), QStringLiteral("\"%1\" must be an object, got %2").arg(key, describeType(object.value(key))));
        return false;
    }
    *target = object.value(key).toObject();
    return true;
}

bool readText(const QJsonObject &object, const QString &key, const QString &pointer, SourceFile &file, QString *target)
{
    if (!object.contains(key))
        return true;
    if (!object.value(key).isString() || object.value(key).toString().isEmpty()) {
        file.error(childPointer(pointer, key), QStringLiteral("\"%1\" must be a non-empty string").arg(key));
        return false;
    }
    *target = object.value(key).toString();
    return true;
}

// Limits that only make sense together, checked once every member has been read.
bool checkLimits(const QString &pointer, SourceFile &file, const Template &tmpl)
{
    if (tmpl.steps.isEmpty() && !tmpl.autoApproval) {
        file.error(pointer, QStringLiteral("template \"%1\" needs at least one entry in \"steps\" or an \"auto_approve\"").arg(tmpl.name));
        return false;
    }
    if (tmpl.defaultDurationSeconds > tmpl.maxDurationSeconds) {
        file.error(childPointer(pointer, QStringLiteral("default_duration")),
                   QStringLiteral("\"default_duration\" is longer than \"max_duration\" in template \"%1\"").arg(tmpl.name));
        return false;
    }
    if (tmpl.autoApproval && tmpl.autoApproval->durationSeconds > tmpl.maxDurationSeconds) {
        file.error(childPointer(pointer, QStringLiteral("auto_approve")),
                   QStringLiteral("the \"auto_approve\" duration is longer than \"max_duration\" in template \"%1\"").arg(tmpl.name));
        return false;
    }
    return true;
}

std::unique_ptr<Template> compileTemplate(const QString &name, const QJsonValue &json, const QString &pointer,
                                          SourceFile &file, std::shared_ptr<const Condition> *autoCondition)
{
    if (!json.isObject()) {
        file.error(pointer, QStringLiteral("template \"%1\" must be an object, got %2").arg(name, describeType(json)));
        return nullptr;
    }
    const QJsonObject object = json.toObject();
    if (!checkMembers(object, pointer, kTemplateMembers, QStringLiteral("template \"%1\"").arg(name), file))
        return nullptr;

    auto tmpl = std::make_unique<Template>();
    tmpl->name = name;
    tmpl->title = name;
    const bool ok = readText(object, QStringLiteral("title"), pointer, file, &tmpl->title)
        && readText(object, QStringLiteral("reason"), pointer, file, &tmpl->reason)
        && readDuration(object, QStringLiteral("hint_lifetime"), pointer, file, &tmpl->hintLifetimeSeconds)
        && readRelevantContext(object, pointer, file, *tmpl)
        && readSteps(object, pointer, file, *tmpl)
        && readConflictingGroups(object, pointer, file, *tmpl)
        && readDuration(object, QStringLiteral("max_duration"), pointer, file, &tmpl->maxDurationSeconds)
        && readDuration(object, QStringLiteral("default_duration"), pointer, file, &tmpl->defaultDurationSeconds)
        && readDuration(object, QStringLiteral("task_lifetime"), pointer, file, &tmpl->taskLifetimeSeconds)
        && readBroaden(object, pointer, file, *tmpl)
        && readAutoApproval(object, pointer, file, *tmpl, autoCondition)
        && readDuration(object, QStringLiteral("provisioning_delay"), pointer, file, &tmpl->provisioningDelaySeconds, true)
        && readObject(object, QStringLiteral("display"), pointer, file, &tmpl->display)
        && readObject(object, QStringLiteral("request_schema"), pointer, file, &tmpl->requestSchema)
        && readCatalogs(object, pointer, file, *tmpl)
        && checkLimits(pointer, file, *tmpl);
    if (!ok)
        return nullptr;
    return tmpl;
}

} // namespace

std::optional<qint64> parseDurationSeconds(const QJsonValue &value)
{
    if (!value.isString())
        return std::nullopt;
    const QString text = value.toString();
    // Nine digits keep the product below 2^63 for every unit.
    if (text.size() < 2 || text.size() > 10)
        return std::nullopt;

    qint64 amount = 0;
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text.at(i) < u'0' || text.at(i) > u'9')
            return std::nullopt;
        amount = amount * 10 + (text.at(i).unicode() - u'0');
    }

    switch (text.back().unicode()) {
    case u's':
        return amount;
    case u'm':
        return amount * 60;
    case u'h':
        return amount * 3600;
    case u'd':
        return amount * 86400;
    default:
        return std::nullopt;
    }
}

void compileTemplates(const QJsonValue &json, const QString &pointer, SourceFile &file, CompiledPolicy &policy,
                      QHash<QString, QString> &origins)
{
    if (!json.isObject()) {
        file.error(pointer, QStringLiteral("\"templates\" must be an object that maps template names to templates, got %1").arg(describeType(json)));
        return;
    }

    const QJsonObject templates = json.toObject();
    for (auto it = templates.constBegin(); it != templates.constEnd(); ++it) {
        const QString name = it.key();
        const QString templatePointer = childPointer(pointer, name);
        if (!isValidName(name)) {
            file.error(templatePointer, QStringLiteral("invalid template name \"%1\"; use letters, digits, '_', '.' or '-'").arg(name));
            continue;
        }
        const QString location = file.name() + u':' + QString::number(file.lineOf(templatePointer));
        if (origins.contains(name)) {
            file.error(templatePointer, QStringLiteral("duplicate template \"%1\"; it is already defined at %2").arg(name, origins.value(name)));
            continue;
        }
        origins.insert(name, location);

        std::shared_ptr<const Condition> autoCondition;
        auto tmpl = compileTemplate(name, it.value(), templatePointer, file, &autoCondition);
        if (!tmpl)
            continue;
        if (autoCondition)
            policy.autoApprovalConditions.insert(name, autoCondition);
        policy.templateByName.insert(name, tmpl.get());
        policy.templates.push_back(std::move(tmpl));
    }
}

} // namespace Recourse::Policy::Detail
