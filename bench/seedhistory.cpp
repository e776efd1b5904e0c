#include "bench/seedhistory.h"

#include "core/base/rfc3339.h"
#include "core/escalation/binding.h"

#include <QJsonArray>

#include <algorithm>
#include <array>
#include <random>

namespace Recourse::Bench {

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;
// The arap-conformance templates all keep a task 24 hours and a denial's hint 10 minutes.
constexpr qint64 kTaskLifetimeMs = kDay;
constexpr qint64 kHintLifetimeMs = 10 * kMinute;
// Tasks younger than this are mostly still pending when the folder is seeded.
constexpr qint64 kRecentMs = 12 * kHour;
constexpr double kRecentShare = 0.2;

struct TemplateInfo
{
    const char *name;
    const char *action;
    int steps;
    double weight;
    QStringList relevantContext;
};

const std::array<TemplateInfo, 4> &templates()
{
    static const std::array<TemplateInfo, 4> list{{
        {"manager_approval", "can_read", 1, 0.5, {QStringLiteral("tenant")}},
        {"security_review", "can_read", 2, 0.2, {QStringLiteral("tenant"), QStringLiteral("ip"), QStringLiteral("device")}},
        {"auto_low_risk", "can_call", 1, 0.2, {}},
        {"slow_provisioning", "can_write", 1, 0.1, {}},
    }};
    return list;
}

const QStringList kManagers{QStringLiteral("bob"), QStringLiteral("alice"), QStringLiteral("dana"), QStringLiteral("erik"),
                            QStringLiteral("fatima")};
const QStringList kSecurity{QStringLiteral("carol"), QStringLiteral("sven"), QStringLiteral("mei")};
const QStringList kDenyReasons{QStringLiteral("not_justified"), QStringLiteral("wrong_tenant"),
                               QStringLiteral("use_the_summary"), QStringLiteral("outside_change_window")};
const QStringList kFirstNames{
    QStringLiteral("alex"),  QStringLiteral("bea"),   QStringLiteral("chen"),   QStringLiteral("dmitri"), QStringLiteral("elif"),
    QStringLiteral("farid"), QStringLiteral("greta"), QStringLiteral("hana"),   QStringLiteral("ines"),   QStringLiteral("jonas"),
    QStringLiteral("kofi"),  QStringLiteral("lena"),  QStringLiteral("marco"),  QStringLiteral("nadia"),  QStringLiteral("oskar"),
    QStringLiteral("priya"), QStringLiteral("quinn"), QStringLiteral("rosa"),   QStringLiteral("sam"),    QStringLiteral("tariq")};
const QStringList kJustifications{
    QStringLiteral("Customer escalation: reconcile the Q4 figures before the board call."),
    QStringLiteral("Incident follow-up: check the provider's log for failed captures."),
    QStringLiteral("Month-end close needs the detailed plan."),
    QStringLiteral("Agent run for ticket triage found a new tool."),
    QStringLiteral("Audit request from finance."),
};
const QStringList kTools{QStringLiteral("crm.export"), QStringLiteral("crm.lookup"), QStringLiteral("billing.refund"),
                         QStringLiteral("mail.send"), QStringLiteral("calendar.book"), QStringLiteral("search.web")};
const QStringList kLogs{QStringLiteral("payments-provider"), QStringLiteral("auth-gateway"), QStringLiteral("ledger-db"),
                        QStringLiteral("card-vault")};
const QStringList kDocuments{QStringLiteral("q4-plan"), QStringLiteral("q4-budget"), QStringLiteral("q4-roadmap"),
                             QStringLiteral("pricing-2027"), QStringLiteral("headcount"), QStringLiteral("vendor-contracts")};

// splitmix64's finalizer: neighbouring inputs give unrelated outputs.
quint64 mix(quint64 value)
{
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

// A random number source that depends only on the seed, the task and the purpose, so a task's
// content can be derived again when it is written instead of being kept in memory.
std::mt19937_64 rngFor(quint64 seed, int task, quint64 stream)
{
    return std::mt19937_64(mix(mix(seed) ^ mix((quint64(quint32(task)) << 8) | stream)));
}

double uniform(std::mt19937_64 &rng)
{
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

int pick(std::mt19937_64 &rng, qsizetype count)
{
    return int(std::uniform_int_distribution<qsizetype>(0, count - 1)(rng));
}

qint64 between(std::mt19937_64 &rng, qint64 low, qint64 high)
{
    return high <= low ? low : std::uniform_int_distribution<qint64>(low, high)(rng);
}

// prefix + 26 digits of Crockford's base32, like Ids::random(), but reproducible from the seed.
QString seededId(std::mt19937_64 &rng, QStringView prefix)
{
    static constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    QString id = prefix.toString();
    for (int digit = 0; digit < 26; ++digit)
        id.append(QLatin1Char(kAlphabet[rng() & 0x1f]));
    return id;
}

Store::EventRecord eventFor(const QString &type, const Store::TaskRecord &task, QJsonObject data)
{
    // The service's task events repeat the bound tuple, so a subscriber needs no second request.
    for (const char *member : {"subject", "resource", "action"}) {
        if (!data.contains(QLatin1String(member)))
            data.insert(QLatin1String(member), task.doc.value(QLatin1String(member)));
    }
    Store::EventRecord event;
    event.type = type;
    event.taskId = task.id;
    event.evaluationId = task.evaluationId;
    event.data = data;
    return event;
}

Store::AuditRecord auditFor(const QString &type, const QString &actor, const Store::TaskRecord &task,
                            const QJsonObject &data, const QString &approvalId = {})
{
    Store::AuditRecord record;
    record.type = type;
    record.actor = actor;
    record.taskId = task.id;
    record.evaluationId = task.evaluationId;
    record.approvalId = approvalId;
    record.subjectId = task.subjectId;
    record.data = data;
    return record;
}

} // namespace

SeedHistory::SeedHistory(const SeedOptions &options) : m_options(options)
{
    plan();
}

void SeedHistory::plan()
{
    const qint64 now = m_options.nowMs;
    const qint64 oldest = now - qint64(std::max(1, m_options.days)) * kDay;
    m_plans.resize(size_t(std::max(0, m_options.tasks)));

    for (int i = 0; i < int(m_plans.size()); ++i) {
        TaskPlan &plan = m_plans[size_t(i)];
        std::mt19937_64 rng = rngFor(m_options.seed, i, 1);

        double draw = uniform(rng);
        plan.templateIndex = 0;
        for (const TemplateInfo &info : templates()) {
            if (draw < info.weight)
                break;
            draw -= info.weight;
            ++plan.templateIndex;
        }
        plan.templateIndex = std::min(plan.templateIndex, int(templates().size()) - 1);
        const TemplateInfo &info = templates()[size_t(plan.templateIndex)];

        const bool recent = uniform(rng) < kRecentShare || oldest >= now - kRecentMs;
        plan.createdMs = recent ? between(rng, now - kRecentMs, now - kMinute) : between(rng, oldest, now - kRecentMs);
        plan.deniedMs = plan.createdMs - between(rng, 2000, kHintLifetimeMs / 2);

        // Low-risk tool calls are approved at submission, like the template's auto_approve rule.
        if (plan.templateIndex == 2 && uniform(rng) < 0.7) {
            plan.autoApproved = true;
            plan.finalStatus = QStringLiteral("approved");
        } else {
            const double outcome = uniform(rng);
            if (recent)
                plan.finalStatus = outcome < 0.65 ? QStringLiteral("pending")
                                 : outcome < 0.85 ? QStringLiteral("approved")
                                 : outcome < 0.95 ? QStringLiteral("denied")
                                                  : QStringLiteral("cancelled");
            else
                plan.finalStatus = outcome < 0.55 ? QStringLiteral("approved")
                                 : outcome < 0.75 ? QStringLiteral("denied")
                                 : outcome < 0.95 ? QStringLiteral("expired")
                                                  : QStringLiteral("cancelled");
            // A task expires 24 hours after creation; one younger than that is denied instead.
            if (plan.finalStatus == u"expired" && plan.createdMs + kTaskLifetimeMs >= now)
                plan.finalStatus = QStringLiteral("denied");
        }

        // Decisions come minutes to hours after creation, and before now.
        const qint64 window = std::min<qint64>(3 * kHour, now - plan.createdMs - 1000);
        const auto decision = [&](int step, bool approve, qint64 after) {
            TaskPlan::Decision d;
            d.step = step;
            d.approve = approve;
            d.atMs = between(rng, after + 1000, std::max(after + 1000, plan.createdMs + window));
            d.approver = step == 0 ? kManagers.at(pick(rng, kManagers.size())) : kSecurity.at(pick(rng, kSecurity.size()));
            if (!approve) {
                d.reason = kDenyReasons.at(pick(rng, kDenyReasons.size()));
                d.comment = QStringLiteral("Ask again with a ticket number.");
            } else if (uniform(rng) < 0.3) {
                d.comment = QStringLiteral("Approved for this ticket only.");
            }
            plan.decisions.append(d);
        };
        if (!plan.autoApproved && plan.finalStatus == u"approved") {
            decision(0, true, plan.createdMs);
            if (info.steps == 2)
                decision(1, true, plan.decisions.constLast().atMs);
        } else if (plan.finalStatus == u"denied") {
            // A two-step task is denied by its manager or, after the manager approved, by security.
            if (info.steps == 2 && uniform(rng) < 0.5) {
                decision(0, true, plan.createdMs);
                decision(1, false, plan.decisions.constLast().atMs);
            } else {
                decision(0, false, plan.createdMs);
            }
        } else if (plan.finalStatus == u"pending" && info.steps == 2 && uniform(rng) < 0.4) {
            decision(0, true, plan.createdMs);
        }

        if (plan.finalStatus == u"expired")
            plan.closedMs = std::min(now - 1000, plan.createdMs + kTaskLifetimeMs + between(rng, 0, kMinute));
        else if (plan.finalStatus == u"cancelled")
            plan.closedMs = between(rng, plan.createdMs + 1000, std::max(plan.createdMs + 1000, plan.createdMs + window));

        if (plan.finalStatus == u"approved") {
            const qint64 approvedMs = plan.autoApproved ? plan.createdMs : plan.decisions.constLast().atMs;
            for (int r = 0; r < m_options.reevaluationsPerApproval; ++r)
                plan.reevaluationsMs.append(between(rng, approvedMs + 1000, std::max(approvedMs + 1000, std::min(now, approvedMs + kHour))));
            std::sort(plan.reevaluationsMs.begin(), plan.reevaluationsMs.end());
        }
    }

    for (int i = 0; i < int(m_plans.size()); ++i) {
        const TaskPlan &plan = m_plans[size_t(i)];
        m_happenings.push_back({plan.deniedMs, i, Happening::Kind::DenialIssued, 0});
        m_happenings.push_back({plan.createdMs, i, Happening::Kind::TaskCreated, 0});
        for (int d = 0; d < plan.decisions.size(); ++d)
            m_happenings.push_back({plan.decisions.at(d).atMs, i, Happening::Kind::Decision, d});
        if (plan.closedMs > 0)
            m_happenings.push_back({plan.closedMs, i, Happening::Kind::Closed, 0});
        for (int r = 0; r < plan.reevaluationsMs.size(); ++r)
            m_happenings.push_back({plan.reevaluationsMs.at(r), i, Happening::Kind::Reevaluation, r});
    }
    m_remaining.assign(m_plans.size(), 0);
    for (const Happening &happening : m_happenings)
        ++m_remaining[size_t(happening.task)];
    // Stable, so the happenings of one task at the same instant keep their order.
    std::stable_sort(m_happenings.begin(), m_happenings.end(),
                     [](const Happening &a, const Happening &b) { return a.atMs < b.atMs; });
}

const SeedHistory::Content &SeedHistory::content(int taskNumber) const
{
    // A task's happenings lie at most a day or two apart in a history of weeks, so only the tasks
    // with happenings still to come stay cached.
    const auto cached = m_contents.find(taskNumber);
    if (cached != m_contents.end())
        return cached->second;
    return m_contents.emplace(taskNumber, makeContent(taskNumber)).first->second;
}

void SeedHistory::release(int taskNumber) const
{
    if (--m_remaining[size_t(taskNumber)] == 0)
        m_contents.erase(taskNumber);
}

SeedHistory::Content SeedHistory::makeContent(int taskNumber) const
{
    const TaskPlan &plan = m_plans[size_t(taskNumber)];
    const TemplateInfo &info = templates()[size_t(plan.templateIndex)];
    std::mt19937_64 rng = rngFor(m_options.seed, taskNumber, 2);

    // 2,000 people in 20 tenants; a third of the requests come from an agent acting for them.
    const int person = pick(rng, 2000);
    const QString tenant = QStringLiteral("tenant-%1").arg(person % 20, 2, 10, QLatin1Char('0'));
    QJsonObject subject{{QStringLiteral("type"), QStringLiteral("user")},
                        {QStringLiteral("id"), QStringLiteral("%1.%2").arg(kFirstNames.at(person % kFirstNames.size())).arg(person)}};
    QJsonObject properties{{QStringLiteral("department"), person % 3 == 0 ? QStringLiteral("finance") : QStringLiteral("support")}};
    if (uniform(rng) < 0.33) {
        properties.insert(QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent-%1").arg(pick(rng, 150))},
                                                             {QStringLiteral("sub_profile"), QStringLiteral("ai_agent")}});
    }
    subject.insert(QStringLiteral("properties"), properties);

    QJsonObject client{{QStringLiteral("name"), QStringLiteral("support-console")}, {QStringLiteral("version"), QStringLiteral("4.2.0")}};
    if (uniform(rng) < 0.15) {
        client.insert(QStringLiteral("actor"), QJsonObject{{QStringLiteral("id"), QStringLiteral("gateway-%1").arg(pick(rng, 8))},
                                                           {QStringLiteral("type"), QStringLiteral("gateway")}});
    }

    QJsonObject resource;
    switch (plan.templateIndex) {
    case 1:
        resource = {{QStringLiteral("type"), QStringLiteral("log")}, {QStringLiteral("id"), kLogs.at(pick(rng, kLogs.size()))}};
        break;
    case 2: {
        const bool high = !plan.autoApproved;
        resource = {{QStringLiteral("type"), QStringLiteral("tool")},
                    {QStringLiteral("id"), kTools.at(pick(rng, kTools.size()))},
                    {QStringLiteral("properties"), QJsonObject{{QStringLiteral("risk"), high ? QStringLiteral("high") : QStringLiteral("low")}}}};
        break;
    }
    default:
        resource = {{QStringLiteral("type"), QStringLiteral("document")},
                    {QStringLiteral("id"), QStringLiteral("%1-%2").arg(kDocuments.at(pick(rng, kDocuments.size()))).arg(person % 20)}};
        break;
    }
    const QJsonObject action{{QStringLiteral("name"), QLatin1String(info.action)}};

    QJsonObject context{{QStringLiteral("tenant"), tenant}};
    if (plan.templateIndex == 1) {
        context.insert(QStringLiteral("ip"), QStringLiteral("10.%1.%2.%3").arg(person % 200).arg(pick(rng, 250)).arg(pick(rng, 250)));
        context.insert(QStringLiteral("device"), QStringLiteral("laptop-%1").arg(person));
    }
    if (uniform(rng) < 0.5) {
        context.insert(QStringLiteral("business_justification"), kJustifications.at(pick(rng, kJustifications.size())));
        context.insert(QStringLiteral("ticket"), QStringLiteral("SUP-%1").arg(10000 + pick(rng, 90000)));
    }
    QStringList members;
    for (const QString &member : info.relevantContext) {
        if (context.contains(member))
            members.append(member);
    }

    QJsonObject requested;
    if (uniform(rng) < 0.03)
        requested.insert(QStringLiteral("emergency"), true);
    if (uniform(rng) < 0.3)
        requested.insert(QStringLiteral("requested_until"), Rfc3339::format(plan.createdMs + between(rng, 1, 8) * kHour));

    Content content;
    const QString requester = taskNumber % 4 == 0 ? QStringLiteral("pep-b") : QStringLiteral("pep-a");
    Store::EvaluationRecord &evaluation = content.evaluation;
    evaluation.id = seededId(rng, u"evl_");
    evaluation.createdMs = plan.deniedMs;
    evaluation.expiresMs = plan.deniedMs + kHintLifetimeMs;
    evaluation.subject = subject;
    evaluation.resource = resource;
    evaluation.action = action;
    evaluation.context = Escalation::Binding::project(context, members);
    evaluation.members = members;
    evaluation.templateName = QLatin1String(info.name);
    evaluation.reason = QStringLiteral("approval_required");
    evaluation.bindingHash = Escalation::Binding::hash(subject, resource, action, context, members);
    evaluation.jti = seededId(rng, u"jti_");
    evaluation.caller = requester;
    content.denialEventData = QJsonObject{{QStringLiteral("subject"), subject},
                                          {QStringLiteral("resource"), resource},
                                          {QStringLiteral("action"), action},
                                          {QStringLiteral("reason"), evaluation.reason},
                                          {QStringLiteral("template"), evaluation.templateName},
                                          {QStringLiteral("expires_at"), Rfc3339::format(evaluation.expiresMs)},
                                          {QStringLiteral("caller"), requester}};

    QJsonArray actorChain = Escalation::Binding::actorChain(subject, client);
    for (qsizetype a = 0; a < actorChain.size(); ++a) {
        QJsonObject actor = actorChain.at(a).toObject();
        actor.insert(QStringLiteral("verified"), false);
        actorChain.replace(a, actor);
    }

    Store::TaskRecord &task = content.task;
    task.id = seededId(rng, u"arq_");
    task.status = QStringLiteral("pending");
    task.createdMs = plan.createdMs;
    task.updatedMs = plan.createdMs;
    task.expiresMs = plan.createdMs + kTaskLifetimeMs;
    task.templateName = evaluation.templateName;
    task.requester = requester;
    task.evaluationId = evaluation.id;
    task.subjectId = subject.value(QStringLiteral("id")).toString();
    const QString evaluatedAt = Rfc3339::format(plan.deniedMs - plan.deniedMs % 1000);
    task.doc = QJsonObject{
        {QStringLiteral("subject"), subject},
        {QStringLiteral("resource"), resource},
        {QStringLiteral("action"), action},
        {QStringLiteral("context"), context},
        {QStringLiteral("requested_access"), requested},
        {QStringLiteral("client"), client},
        {QStringLiteral("binding_context_members"), QJsonArray::fromStringList(members)},
        {QStringLiteral("actor_chain"), actorChain},
        {QStringLiteral("evaluation"), QJsonObject{{QStringLiteral("evaluation_id"), evaluation.id},
                                                   {QStringLiteral("evaluated_at"), evaluatedAt},
                                                   {QStringLiteral("expires_at"), Rfc3339::format(evaluation.expiresMs)},
                                                   {QStringLiteral("reason"), evaluation.reason}}},
        {QStringLiteral("denial"), QJsonObject{{QStringLiteral("evaluation_id"), evaluation.id},
                                               {QStringLiteral("evaluated_at"), evaluatedAt},
                                               {QStringLiteral("expires_at"), Rfc3339::format(evaluation.expiresMs)},
                                               {QStringLiteral("reason"), evaluation.reason},
                                               {QStringLiteral("template"), evaluation.templateName}}},
    };
    const QString justification = context.value(QStringLiteral("business_justification")).toString();
    if (!justification.isEmpty())
        task.doc.insert(QStringLiteral("justification"), justification);

    content.approvalId = seededId(rng, u"apr_");
    return content;
}

Result<void> SeedHistory::write(Store::WriteTx &tx, const Happening &happening) const
{
    const Result<void> written = writeHappening(tx, happening);
    release(happening.task);
    return written;
}

Result<void> SeedHistory::writeHappening(Store::WriteTx &tx, const Happening &happening) const
{
    switch (happening.kind) {
    case Happening::Kind::DenialIssued:
        return writeDenial(tx, happening.task);
    case Happening::Kind::TaskCreated:
        return writeCreated(tx, happening.task);
    case Happening::Kind::Decision:
        return writeDecision(tx, happening.task, happening.index);
    case Happening::Kind::Closed:
        return writeClosed(tx, happening.task);
    case Happening::Kind::Reevaluation:
        return writeReevaluation(tx, happening.task, happening.index);
    }
    return {};
}

Result<void> SeedHistory::writeDenial(Store::WriteTx &tx, int taskNumber) const
{
    const Content &c = content(taskNumber);
    if (auto r = tx.insertEvaluation(c.evaluation); !r)
        return r;

    Store::AuditRecord audit;
    audit.type = QStringLiteral("denial.issued");
    audit.actor = c.evaluation.caller;
    audit.evaluationId = c.evaluation.id;
    audit.subjectId = c.task.subjectId;
    audit.data = c.denialEventData;
    if (auto r = tx.appendAudit(audit); !r)
        return r;
    if (!m_options.events)
        return {};
    Store::EventRecord event;
    event.type = QStringLiteral("evaluation.denied.requestable");
    event.evaluationId = c.evaluation.id;
    event.data = c.denialEventData;
    return tx.appendEvent(event);
}

Result<void> SeedHistory::writeCreated(Store::WriteTx &tx, int taskNumber) const
{
    const TaskPlan &plan = m_plans[size_t(taskNumber)];
    const Content &c = content(taskNumber);
    if (auto r = tx.insertTask(c.task); !r)
        return r;
    if (auto r = tx.linkEvaluationToTask(c.evaluation.id, c.task.id); !r)
        return r;

    const QJsonObject created{{QStringLiteral("subject"), c.task.doc.value(QStringLiteral("subject"))},
                              {QStringLiteral("status"), c.task.status},
                              {QStringLiteral("template"), c.task.templateName},
                              {QStringLiteral("requester"), c.task.requester},
                              {QStringLiteral("resource"), c.task.doc.value(QStringLiteral("resource"))},
                              {QStringLiteral("action"), c.task.doc.value(QStringLiteral("action"))}};
    if (auto r = tx.appendAudit(auditFor(QStringLiteral("task.created"), c.task.requester, c.task, created)); !r)
        return r;
    if (m_options.events) {
        if (auto r = tx.appendEvent(eventFor(QStringLiteral("task.created"), c.task, created)); !r)
            return r;
    }

    if (!plan.autoApproved)
        return {};
    return grant(tx, c, c.task, QStringLiteral("policy:auto-approval"), plan.createdMs);
}

Result<void> SeedHistory::writeDecision(Store::WriteTx &tx, int taskNumber, int index) const
{
    const TaskPlan &plan = m_plans[size_t(taskNumber)];
    const TaskPlan::Decision &d = plan.decisions.at(index);
    const Content &c = content(taskNumber);

    Store::DecisionRecord decision;
    decision.taskId = c.task.id;
    decision.step = d.step;
    decision.approver = d.approver;
    decision.decision = d.approve ? QStringLiteral("approve") : QStringLiteral("deny");
    decision.comment = d.comment;
    decision.reason = d.reason;
    decision.atMs = d.atMs;
    if (auto r = tx.insertDecision(decision); !r)
        return r;

    const QJsonObject data{{QStringLiteral("decision"), decision.decision},
                           {QStringLiteral("step"), d.step + 1},
                           {QStringLiteral("comment"), d.comment},
                           {QStringLiteral("reason"), d.reason}};
    const bool last = index == plan.decisions.size() - 1 && plan.finalStatus != u"pending";
    if (last && !d.approve) {
        QJsonObject closed = data;
        closed.insert(QStringLiteral("status"), QStringLiteral("denied"));
        closed.insert(QStringLiteral("approver"), d.approver);
        if (auto r = tx.updateTaskStatus(c.task.id, QStringLiteral("denied"), d.approver, c.task.doc); !r)
            return r;
        if (auto r = tx.appendAudit(auditFor(QStringLiteral("task.denied"), d.approver, c.task, closed)); !r)
            return r;
        return m_options.events ? tx.appendEvent(eventFor(QStringLiteral("task.denied"), c.task, closed)) : Result<void>{};
    }
    if (last)
        return grant(tx, c, c.task, d.approver, d.atMs);

    // An approved first step of a two-step workflow.
    if (auto r = tx.appendAudit(auditFor(QStringLiteral("task.progressed"), d.approver, c.task, data)); !r)
        return r;
    if (auto r = tx.updateTaskDoc(c.task.id, c.task.doc); !r)
        return r;
    if (!m_options.events)
        return {};
    QJsonObject eventData = data;
    eventData.insert(QStringLiteral("status"), QStringLiteral("pending"));
    eventData.insert(QStringLiteral("approver"), d.approver);
    return tx.appendEvent(eventFor(QStringLiteral("task.progressed"), c.task, eventData));
}

Result<void> SeedHistory::grant(Store::WriteTx &tx, const Content &c, Store::TaskRecord task, const QString &approver,
                                qint64 atMs) const
{
    const QJsonObject scope{{QStringLiteral("mode"), QStringLiteral("exact")}};
    Store::ApprovalRecord approval;
    approval.id = c.approvalId;
    approval.taskId = task.id;
    approval.evaluationId = task.evaluationId;
    approval.approvedMs = atMs;
    approval.untilMs = atMs - atMs % 1000 + kHour;
    approval.scope = scope;
    approval.subject = c.evaluation.subject;
    approval.resource = c.evaluation.resource;
    approval.action = c.evaluation.action;
    approval.context = c.evaluation.context;
    approval.members = c.evaluation.members;
    approval.requester = task.requester;
    approval.templateName = task.templateName;
    // NOTE: a seeded approval's state is not a signed token, so presenting it in a re-evaluation
    // fails verification. The console never reads the state.
    approval.state = QStringLiteral("seeded.unsigned.") + approval.id;
    if (auto r = tx.insertApproval(approval); !r)
        return r;

    const QJsonObject data{{QStringLiteral("approval_id"), approval.id},
                           {QStringLiteral("approved_until"), Rfc3339::format(approval.untilMs)},
                           {QStringLiteral("scope"), scope},
                           {QStringLiteral("status"), QStringLiteral("approved")},
                           {QStringLiteral("approver"), approver}};
    if (auto r = tx.updateTaskStatus(task.id, QStringLiteral("approved"), approver, task.doc); !r)
        return r;
    if (auto r = tx.appendAudit(auditFor(QStringLiteral("task.approved"), approver, task, data)); !r)
        return r;
    return m_options.events ? tx.appendEvent(eventFor(QStringLiteral("task.approved"), task, data)) : Result<void>{};
}

Result<void> SeedHistory::writeClosed(Store::WriteTx &tx, int taskNumber) const
{
    const TaskPlan &plan = m_plans[size_t(taskNumber)];
    const Content &c = content(taskNumber);
    const bool expired = plan.finalStatus == u"expired";
    // An expiry has no actor, so the audit log records "system". A cancellation is the requester's.
    const QString actor = expired ? QString() : c.task.requester;
    QJsonObject data{{QStringLiteral("status"), plan.finalStatus}};
    if (!expired) {
        data.insert(QStringLiteral("reason"), QStringLiteral("no_longer_needed"));
        data.insert(QStringLiteral("comment"), QString());
        data.insert(QStringLiteral("approver"), actor);
    }
    if (auto r = tx.updateTaskStatus(c.task.id, plan.finalStatus, actor, c.task.doc); !r)
        return r;
    const QString type = QStringLiteral("task.") + plan.finalStatus;
    if (auto r = tx.appendAudit(auditFor(type, expired ? QStringLiteral("system") : actor, c.task, data)); !r)
        return r;
    return m_options.events ? tx.appendEvent(eventFor(type, c.task, data)) : Result<void>{};
}

Result<void> SeedHistory::writeReevaluation(Store::WriteTx &tx, int taskNumber, int index) const
{
    const TaskPlan &plan = m_plans[size_t(taskNumber)];
    const Content &c = content(taskNumber);
    Store::ReevaluationRecord record;
    record.approvalId = c.approvalId;
    record.taskId = c.task.id;
    record.atMs = plan.reevaluationsMs.at(index);
    record.decision = true;
    record.reason = QStringLiteral("approved_access");
    record.resource = c.evaluation.resource;
    record.action = c.evaluation.action;
    if (auto r = tx.insertReevaluation(record); !r)
        return r;

    const QJsonObject data{{QStringLiteral("subject"), c.evaluation.subject},
                           {QStringLiteral("resource"), record.resource},
                           {QStringLiteral("action"), record.action},
                           {QStringLiteral("decision"), true},
                           {QStringLiteral("reason"), record.reason},
                           {QStringLiteral("next_action"), QString()},
                           {QStringLiteral("approval_id"), record.approvalId}};
    if (auto r = tx.appendAudit(auditFor(QStringLiteral("reevaluation"), c.task.requester, c.task, data, record.approvalId)); !r)
        return r;
    if (!m_options.events)
        return {};
    Store::EventRecord event;
    event.type = QStringLiteral("reevaluation.allowed");
    event.taskId = c.task.id;
    event.data = data;
    return tx.appendEvent(event);
}

} // namespace Recourse::Bench
