#include "core/policy/compiledpolicy.h"
#include "core/policy/logging.h"
#include "core/policy/policy.h"

#include "core/json/json.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

namespace Recourse::Policy {

namespace {

using namespace Detail;

// Policy files are written by people and reviewed; 16 MiB leaves room for generated rule sets.
const Json::ParseLimits kPolicyLimits{16 * 1024 * 1024, 64};

const QStringList kTopLevelMembers = {QStringLiteral("templates"), QStringLiteral("rules"), QStringLiteral("entities")};
const QStringList kRuleMembers = {QStringLiteral("id"), QStringLiteral("description"), QStringLiteral("effect"),
                                  QStringLiteral("template"), QStringLiteral("match"), QStringLiteral("when")};

bool isValidRuleId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"));
    return pattern.match(id).hasMatch();
}

// Compiles documents one by one, then checks what spans files (template references, duplicate
// ids) and builds the action index.
class PolicyCompiler
{
public:
    void addDocument(const QString &name, const QByteArray &bytes);
    std::variant<CompiledPolicy, QList<LoadError>> finish();

private:
    void compileRules(const QJsonValue &json, SourceFile &file);
    std::optional<Rule> compileRule(const QJsonValue &json, const QString &pointer, SourceFile &file);
    bool compileEffect(const QJsonObject &object, const QString &pointer, SourceFile &file, Rule &rule);
    bool compileMatch(const QJsonValue &json, const QString &pointer, SourceFile &file, Rule &rule);
    void compileEntities(const QJsonValue &json, const QString &pointer, SourceFile &file);
    void compileEntityList(const QJsonValue &json, const QString &pointer, SourceFile &file, bool isAction,
                           QList<QJsonObject> &target);
    void resolveTemplates();

    struct TemplateReference
    {
        qsizetype ruleIndex = 0;
        int line = 0;
    };

    CompiledPolicy m_policy;
    QList<LoadError> m_errors;
    QHash<QString, QString> m_ruleOrigins;
    QHash<QString, QString> m_templateOrigins;
    QSet<QString> m_entityKeys;
    std::vector<TemplateReference> m_templateReferences;
    AttributeSlots m_attributeSlots;
};

void PolicyCompiler::addDocument(const QString &name, const QByteArray &bytes)
{
    m_policy.files.append(name);

    auto parsed = Json::parseLocated(bytes, kPolicyLimits);
    if (const auto *failure = std::get_if<Json::ParseFailure>(&parsed)) {
        m_errors.append(LoadError{name, failure->line,
                                  QStringLiteral("invalid JSON at column %1: %2").arg(failure->column).arg(failure->message)});
        return;
    }

    auto &document = std::get<Json::LocatedDocument>(parsed);
    SourceFile file(name, std::move(document.lineOfPointer), &m_errors, &m_attributeSlots);
    if (!document.value.isObject()) {
        file.error(QString(), QStringLiteral("a policy file must contain a JSON object with \"templates\", \"rules\" or \"entities\", got %1")
                                  .arg(describeType(document.value)));
        return;
    }

    const QJsonObject root = document.value.toObject();
    checkMembers(root, QString(), kTopLevelMembers, QStringLiteral("a policy file"), file);
    if (root.contains(QStringLiteral("templates")))
        compileTemplates(root.value(QStringLiteral("templates")), QStringLiteral("/templates"), file, m_policy, m_templateOrigins);
    if (root.contains(QStringLiteral("rules")))
        compileRules(root.value(QStringLiteral("rules")), file);
    if (root.contains(QStringLiteral("entities")))
        compileEntities(root.value(QStringLiteral("entities")), QStringLiteral("/entities"), file);
}

std::variant<CompiledPolicy, QList<LoadError>> PolicyCompiler::finish()
{
    if (m_policy.files.isEmpty())
        m_errors.append(LoadError{QString(), 0, QStringLiteral("no policy files to load; a policy folder needs at least one *.json file")});
    resolveTemplates();
    if (!m_errors.isEmpty())
        return m_errors;

    m_policy.buildIndex(m_attributeSlots);
    return std::move(m_policy);
}

void PolicyCompiler::compileRules(const QJsonValue &json, SourceFile &file)
{
    const QString pointer = QStringLiteral("/rules");
    if (!json.isArray()) {
        file.error(pointer, QStringLiteral("\"rules\" must be an array of rules, got %1").arg(describeType(json)));
        return;
    }

    const QJsonArray rules = json.toArray();
    for (qsizetype i = 0; i < rules.size(); ++i) {
        auto rule = compileRule(rules.at(i), childPointer(pointer, i), file);
        if (!rule)
            continue;
        m_policy.rules.push_back(std::move(*rule));
    }
}

std::optional<Rule> PolicyCompiler::compileRule(const QJsonValue &json, const QString &pointer, SourceFile &file)
{
    if (!json.isObject()) {
        file.error(pointer, QStringLiteral("a rule must be an object, got %1").arg(describeType(json)));
        return std::nullopt;
    }
    const QJsonObject object = json.toObject();
    const int errorsBefore = file.errorCount();
    checkMembers(object, pointer, kRuleMembers, QStringLiteral("rule"), file);

    Rule rule;
    rule.file = file.name();
    rule.line = file.lineOf(pointer);
    const QJsonValue id = object.value(QStringLiteral("id"));
    if (!id.isString() || !isValidRuleId(id.toString())) {
        file.error(object.contains(QStringLiteral("id")) ? childPointer(pointer, QStringLiteral("id")) : pointer,
                   QStringLiteral("a rule needs an \"id\" of letters, digits, '_', '.', ':' or '-' (at most 128)"));
        return std::nullopt;
    }
    rule.id = id.toString();

    const QString location = file.name() + u':' + QString::number(rule.line);
    if (m_ruleOrigins.contains(rule.id)) {
        file.error(childPointer(pointer, QStringLiteral("id")),
                   QStringLiteral("duplicate rule id \"%1\"; it is already defined at %2").arg(rule.id, m_ruleOrigins.value(rule.id)));
        return std::nullopt;
    }
    m_ruleOrigins.insert(rule.id, location);

    const QJsonValue description = object.value(QStringLiteral("description"));
    if (!description.isUndefined() && !description.isString())
        file.error(childPointer(pointer, QStringLiteral("description")), QStringLiteral("\"description\" must be a string"));
    rule.description = description.toString();

    compileEffect(object, pointer, file, rule);
    if (object.contains(QStringLiteral("match")))
        compileMatch(object.value(QStringLiteral("match")), childPointer(pointer, QStringLiteral("match")), file, rule);
    if (object.contains(QStringLiteral("when")))
        rule.when = Condition::compile(object.value(QStringLiteral("when")), childPointer(pointer, QStringLiteral("when")), file);

    if (file.errorCount() != errorsBefore)
        return std::nullopt;
    if (!rule.templateName.isEmpty())
        m_templateReferences.push_back({qsizetype(m_policy.rules.size()), file.lineOf(childPointer(pointer, QStringLiteral("template")))});
    return rule;
}

bool PolicyCompiler::compileEffect(const QJsonObject &object, const QString &pointer, SourceFile &file, Rule &rule)
{
    const QString effect = object.value(QStringLiteral("effect")).toString();
    if (effect == u"permit") {
        rule.effect = Effect::Permit;
    } else if (effect == u"forbid") {
        rule.effect = Effect::Forbid;
    } else if (effect == u"requestable") {
        rule.effect = Effect::Requestable;
    } else {
        const bool present = object.contains(QStringLiteral("effect"));
        file.error(present ? childPointer(pointer, QStringLiteral("effect")) : pointer,
                   present ? QStringLiteral("unknown effect \"%1\" in rule \"%2\"; expected \"permit\", \"forbid\" or \"requestable\"").arg(effect, rule.id)
                           : QStringLiteral("rule \"%1\" needs an \"effect\": \"permit\", \"forbid\" or \"requestable\"").arg(rule.id));
        return false;
    }

    const QJsonValue tmpl = object.value(QStringLiteral("template"));
    if (rule.effect != Effect::Requestable) {
        if (tmpl.isUndefined())
            return true;
        file.error(childPointer(pointer, QStringLiteral("template")),
                   QStringLiteral("rule \"%1\" has a \"template\" but only requestable rules use one").arg(rule.id));
        return false;
    }
    if (!tmpl.isString() || tmpl.toString().isEmpty()) {
        file.error(tmpl.isUndefined() ? pointer : childPointer(pointer, QStringLiteral("template")),
                   QStringLiteral("requestable rule \"%1\" needs a \"template\" naming one of the templates").arg(rule.id));
        return false;
    }
    rule.templateName = tmpl.toString();
    return true;
}

bool PolicyCompiler::compileMatch(const QJsonValue &json, const QString &pointer, SourceFile &file, Rule &rule)
{
    if (!json.isObject()) {
        file.error(pointer, QStringLiteral("\"match\" must be an object that maps attribute paths to values, got %1").arg(describeType(json)));
        return false;
    }

    bool ok = true;
    const QJsonObject match = json.toObject();
    for (auto it = match.constBegin(); it != match.constEnd(); ++it) {
        const QString termPointer = childPointer(pointer, it.key());
        QString pathError;
        const auto path = AttributePath::parse(it.key(), m_attributeSlots, &pathError);
        if (!path) {
            file.error(termPointer, pathError);
            ok = false;
            continue;
        }

        MatchTerm term{*path, {}};
        const QJsonArray values = it.value().isArray() ? it.value().toArray() : QJsonArray{it.value()};
        if (values.isEmpty()) {
            file.error(termPointer, QStringLiteral("the list for \"%1\" is empty, so the rule could never match").arg(it.key()));
            ok = false;
            continue;
        }
        for (const QJsonValue &value : values) {
            const auto scalar = Scalar::fromJson(value);
            if (!scalar) {
                file.error(termPointer, QStringLiteral("\"%1\" must be matched against a string, number, boolean or null, or a list of them; got %2")
                                            .arg(it.key(), describeType(value)));
                ok = false;
                break;
            }
            term.values.add(*scalar);
        }
        rule.match.push_back(std::move(term));
    }
    return ok;
}

void PolicyCompiler::compileEntities(const QJsonValue &json, const QString &pointer, SourceFile &file)
{
    if (!json.isObject()) {
        file.error(pointer, QStringLiteral("\"entities\" must be an object with \"subjects\", \"resources\" or \"actions\", got %1").arg(describeType(json)));
        return;
    }
    const QJsonObject entities = json.toObject();
    checkMembers(entities, pointer, {QStringLiteral("subjects"), QStringLiteral("resources"), QStringLiteral("actions")},
                 QStringLiteral("\"entities\""), file);
    compileEntityList(entities.value(QStringLiteral("subjects")), childPointer(pointer, QStringLiteral("subjects")), file, false, m_policy.subjects);
    compileEntityList(entities.value(QStringLiteral("resources")), childPointer(pointer, QStringLiteral("resources")), file, false, m_policy.resources);
    compileEntityList(entities.value(QStringLiteral("actions")), childPointer(pointer, QStringLiteral("actions")), file, true, m_policy.actions);
}

void PolicyCompiler::compileEntityList(const QJsonValue &json, const QString &pointer, SourceFile &file, bool isAction,
                                       QList<QJsonObject> &target)
{
    if (json.isUndefined())
        return;
    const QString kind = pointer.mid(pointer.lastIndexOf(u'/') + 1);
    if (!json.isArray()) {
        file.error(pointer, QStringLiteral("\"%1\" must be an array, got %2").arg(kind, describeType(json)));
        return;
    }

    const QStringList identity = isAction ? QStringList{QStringLiteral("name")} : QStringList{QStringLiteral("type"), QStringLiteral("id")};
    const QJsonArray items = json.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString itemPointer = childPointer(pointer, i);
        if (!items.at(i).isObject()) {
            file.error(itemPointer, QStringLiteral("each of \"%1\" must be an object, got %2").arg(kind, describeType(items.at(i))));
            continue;
        }
        const QJsonObject entity = items.at(i).toObject();
        if (!checkMembers(entity, itemPointer, identity + QStringList{QStringLiteral("properties")}, kind, file))
            continue;

        QStringList keyParts{kind};
        bool valid = true;
        for (const QString &member : identity) {
            valid = valid && entity.value(member).isString() && !entity.value(member).toString().isEmpty();
            keyParts.append(entity.value(member).toString());
        }
        if (!valid || (entity.contains(QStringLiteral("properties")) && !entity.value(QStringLiteral("properties")).isObject())) {
            file.error(itemPointer, QStringLiteral("each of \"%1\" needs %2 as non-empty strings and optional \"properties\" as an object")
                                        .arg(kind, quotedList(identity, QStringLiteral(" and "))));
            continue;
        }

        const QString key = keyParts.join(QChar(0));
        if (m_entityKeys.contains(key)) {
            file.error(itemPointer, QStringLiteral("%1 \"%2\" is declared twice").arg(kind, keyParts.mid(1).join(u'/')));
            continue;
        }
        m_entityKeys.insert(key);
        target.append(entity);
    }
}

void PolicyCompiler::resolveTemplates()
{
    for (const TemplateReference &reference : m_templateReferences) {
        Rule &rule = m_policy.rules.at(reference.ruleIndex);
        rule.tmpl = m_policy.templateByName.value(rule.templateName);
        if (rule.tmpl)
            continue;
        // A template that failed to compile was already reported, so it is not reported again here.
        if (m_templateOrigins.contains(rule.templateName))
            continue;
        const QStringList known = m_policy.templateByName.keys();
        m_errors.append(LoadError{rule.file, reference.line,
                                  QStringLiteral("rule \"%1\" names template \"%2\", which is not defined%3")
                                      .arg(rule.id, rule.templateName,
                                           known.isEmpty() ? QStringLiteral("; no file defines any template")
                                                           : QStringLiteral("; defined templates: ") + quotedList(known, QStringLiteral(", ")))});
    }
}

} // namespace

PolicySet::PolicySet() : d(std::make_unique<Private>()) { }

PolicySet::~PolicySet() = default;

std::variant<std::shared_ptr<const PolicySet>, QList<LoadError>> PolicySet::loadFolder(const QString &folder)
{
    const QDir dir(folder);
    if (!dir.exists())
        return QList<LoadError>{LoadError{folder, 0, QStringLiteral("policy folder not found")}};

    QList<QPair<QString, QByteArray>> documents;
    const QStringList names = dir.entryList({QStringLiteral("*.json")}, QDir::Files | QDir::Readable, QDir::Name);
    for (const QString &name : names) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            return QList<LoadError>{LoadError{name, 0, QStringLiteral("failed to read the file: %1").arg(file.errorString())}};
        documents.append({name, file.readAll()});
    }
    if (documents.isEmpty())
        return QList<LoadError>{LoadError{folder, 0, QStringLiteral("the policy folder contains no *.json files")}};

    return loadDocuments(documents);
}

std::variant<std::shared_ptr<const PolicySet>, QList<LoadError>> PolicySet::loadDocuments(
    const QList<QPair<QString, QByteArray>> &files)
{
    // Rule order decides which requestable rule names the template, so in-memory documents are
    // ordered by name exactly like the files of a folder.
    QList<QPair<QString, QByteArray>> ordered = files;
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto &a, const auto &b) { return a.first < b.first; });

    PolicyCompiler compiler;
    for (const auto &[name, bytes] : std::as_const(ordered))
        compiler.addDocument(name, bytes);

    auto result = compiler.finish();
    if (auto *errors = std::get_if<QList<LoadError>>(&result))
        return std::move(*errors);

    std::shared_ptr<PolicySet> set(new PolicySet);
    set->d->policy = std::get<CompiledPolicy>(std::move(result));
    qCDebug(lcPolicy) << "loaded" << set->d->policy.rules.size() << "rules and" << set->d->policy.templates.size()
                      << "templates from" << set->d->policy.files;
    return std::shared_ptr<const PolicySet>(std::move(set));
}

} // namespace Recourse::Policy
