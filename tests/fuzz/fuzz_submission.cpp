// Fuzzes the Access Request Endpoint's input handling. The body is parsed as the API parses it
// and checked by validateSubmission(). A body that passes then goes through what submit() computes
// from it before any signature or store work: the binding hash, the actor chain and the canonical
// form used for idempotency.
//
// Checked: a rejected body carries a submission error code and a message; a body that passes
// has the members the later steps read, with the types they assume.

#include "core/escalation/binding.h"
#include "core/escalation/submissionvalidation.h"
#include "core/json/json.h"

#include "fuzzsupport.h"

#include <QUrl>

#include <cstddef>
#include <cstdint>

using namespace Recourse;

namespace {

void checkRejection(const Error &error)
{
    FUZZ_CHECK(error.code == ErrorCode::InvalidRequest || error.code == ErrorCode::InvalidDenialBinding
               || error.code == ErrorCode::InvalidCallback);
    FUZZ_CHECK(!error.message.isEmpty());
}

void checkAccepted(const QJsonObject &body)
{
    for (const char *member : {"subject", "resource", "action", "denial"})
        FUZZ_CHECK(body.value(QLatin1String(member)).isObject());
    const QJsonObject denial = body.value(QLatin1String("denial")).toObject();
    FUZZ_CHECK(denial.value(QLatin1String("expires_at")).isString());
    FUZZ_CHECK(denial.contains(QLatin1String("binding_token")) || denial.contains(QLatin1String("evaluation_id")));
    FUZZ_CHECK(!body.contains(QLatin1String("items")));
    // A callback that passes has an https endpoint with a host, which submit() checks next.
    if (body.contains(QLatin1String("callback"))) {
        const QUrl endpoint(body.value(QLatin1String("callback")).toObject().value(QLatin1String("endpoint")).toString());
        FUZZ_CHECK(endpoint.scheme() == QLatin1String("https"));
        FUZZ_CHECK(!endpoint.host().isEmpty());
        FUZZ_CHECK(endpoint.userInfo().isEmpty());
    }

    const QJsonObject subject = body.value(QLatin1String("subject")).toObject();
    const QJsonObject context = body.value(QLatin1String("context")).toObject();
    const QJsonObject client = body.value(QLatin1String("client")).toObject();
    const QString hash = Escalation::Binding::hash(subject, body.value(QLatin1String("resource")).toObject(),
                                                   body.value(QLatin1String("action")).toObject(), context,
                                                   context.keys());
    FUZZ_CHECK(hash.size() == 43); // base64url of a SHA-256 digest, unpadded

    const QJsonArray chain = Escalation::Binding::actorChain(subject, client);
    Escalation::Binding::actorIds(chain);
    FUZZ_CHECK(Json::parse(Json::canonicalize(body), {64 * 1024 * 1024, 64}).ok());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    Fuzz::silenceLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));

    const Result<QJsonObject> body = Json::parseObject(text);
    if (!body)
        return 0;

    const Result<void> valid = Escalation::validateSubmission(*body);
    if (!valid) {
        checkRejection(valid.error());
        return 0;
    }
    checkAccepted(*body);
    return 0;
}
