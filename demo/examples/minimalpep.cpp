// The smallest complete PEP built on the reference PEP library, as docs/reference-pep.md shows it:
// evaluate, escalate a requestable denial, wait for the decision, and re-evaluate with the
// approval. Usage: recourse-pep-example URL TOKEN
#include "demo/referencepep.h"

#include <QCoreApplication>
#include <QTextStream>

using Recourse::Pep::ReferencePep;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const QStringList args = app.arguments();
    if (args.size() != 3) {
        out << "Usage: recourse-pep-example URL TOKEN\n";
        return 2;
    }

    ReferencePep::Config config;
    config.serviceUrl = QUrl(args.at(1));
    config.token = args.at(2);
    ReferencePep pep(config);

    // 1. Read the PDP's metadata; the PEP refuses metadata that names another PDP.
    if (auto metadata = pep.discover(); !metadata) {
        out << "Discovery failed: " << metadata.error().message << '\n';
        return 1;
    }

    // 2. Ask for access. decision:false is a denial, with or without an access_request.
    const QJsonObject request{
        {QStringLiteral("subject"),
         QJsonObject{{QStringLiteral("type"), QStringLiteral("user")}, {QStringLiteral("id"), QStringLiteral("sam")},
                     {QStringLiteral("properties"), QJsonObject{{QStringLiteral("department"), QStringLiteral("support")}}}}},
        {QStringLiteral("resource"),
         QJsonObject{{QStringLiteral("type"), QStringLiteral("log")}, {QStringLiteral("id"), QStringLiteral("payments-provider")}}},
        {QStringLiteral("action"), QJsonObject{{QStringLiteral("name"), QStringLiteral("read")}}},
        {QStringLiteral("context"), QJsonObject{{QStringLiteral("tenant"), QStringLiteral("acme")}}}};
    auto decision = pep.evaluate(request);
    if (!decision) {
        out << "Evaluation failed: " << decision.error().message << '\n';
        return 1;
    }
    if (decision->value(QStringLiteral("decision")).toBool()) {
        out << "Permitted without escalation.\n";
        return 0;
    }
    if (!ReferencePep::isRequestable(decision.value())) {
        out << "Denied, and no escalation is offered.\n";
        return 1;
    }

    // 3. Escalate: the binding material goes back unchanged, with an Idempotency-Key.
    const QJsonObject additions{{QStringLiteral("business_justification"), QStringLiteral("Investigating a failed charge.")}};
    auto submitted = pep.submit(request, decision.value(), additions, {});
    if (!submitted || (submitted->status != 201 && submitted->status != 202)) {
        out << "The access request was not accepted.\n";
        return 1;
    }

    // 4. A 201 carries the outcome; a 202 is polled with backoff until it ends or expires.
    QJsonObject outcome = submitted->body;
    if (submitted->status == 202) {
        out << "Waiting for an approver...\n";
        out.flush();
        auto completed = pep.waitForCompletion(submitted->body.value(QStringLiteral("task")).toObject());
        if (!completed) {
            out << "No approval: " << completed.error().message << '\n';
            return 1;
        }
        outcome = completed.value();
    }
    auto approval = ReferencePep::approvalFrom(outcome);
    if (!approval) {
        out << "Not approved: " << approval.error().message << '\n';
        return 1;
    }

    // 5. The approval is an input to a fresh decision, never a key: ask again.
    auto fresh = pep.reevaluate(request, approval.value());
    if (!fresh || !fresh->value(QStringLiteral("decision")).toBool()) {
        out << "Current policy still denies the request.\n";
        return 1;
    }
    out << "Permitted by a fresh decision with the approval.\n";
    return 0;
}
