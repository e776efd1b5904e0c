// Fuzzes compact JWS verification (Jose::verifyCompact) against a fixed set of trusted keys.
//
// An input is read in one of two ways:
// - A token: the bytes are verified as they are. Seeds are real tokens signed with the keys
//   below and their hostile variants (alg none, DER signatures, wrong kid or issuer).
// - A signing request, when the input starts with '{': the first line is the protected header,
//   the second line the claims. The target signs them with the trusted key, so the checks behind
//   the signature (header, issuer, audience, times) are reached with fuzzed JSON. Bytes after a
//   second newline replace the signature.
//
// The keys are test keys, generated for this target only; they sign nothing else.

#include "core/jose/jose.h"

#include "fuzzsupport.h"

#include <cstddef>
#include <cstdint>
#include <memory>

using namespace Recourse;

namespace {

// Trusted for kIssuer under kid "fuzz-a".
constexpr char kTrustedKeyPem[] = "-----BEGIN PRIVATE KEY-----\n"
                                  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgzEPXFKgPB1NaGsK/\n"
                                  "v2+UqYJjFAIPI3lMv2xP9iEidNKhRANCAAR46Znt/lO/t36JxZNXZykxC0d2I0Wi\n"
                                  "hutLNvSu4IUeYbZ9hm4UDQqSisHaYg8lY6gpQWajQgSjGBQudMGgYkSZ\n"
                                  "-----END PRIVATE KEY-----\n";
// Trusted only for kOtherIssuer under kid "fuzz-b", so a token naming it for kIssuer must fail.
constexpr char kOtherKeyPem[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9r0vFwU4hmQxH+PE\n"
                                "wdP5pfJPFyn01da2zoDZwfVXwoShRANCAARhkJdDDIQMUFCGgaQP0s9UyTNMWni+\n"
                                "lwdWV3L1UDFdQcVkZNM4WC24V9Ur+xemgrFuwUB8pbIdZhyL6B7HVG7d\n"
                                "-----END PRIVATE KEY-----\n";

const QString kIssuer = QStringLiteral("https://pdp.example");
const QString kOtherIssuer = QStringLiteral("https://other.example");
const QString kAudience = QStringLiteral("https://pdp.example/access/v1/requests");
const QString kTokenType = QStringLiteral("recourse-binding+jwt");
// 2026-01-01T00:00:00Z; the seed tokens expire after it.
constexpr qint64 kNowSeconds = 1767225600;

struct Fixture
{
    std::unique_ptr<Jose::SigningKey> signer;
    Jose::KeySet keys;
    Jose::VerifyOptions options;
};

const Fixture *fixture = nullptr;

std::unique_ptr<Jose::SigningKey> loadKey(const char *pem, const QString &kid)
{
    auto key = Jose::SigningKey::fromPrivatePem(QByteArray(pem), kid);
    FUZZ_CHECK(key.ok());
    return std::make_unique<Jose::SigningKey>(std::move(key).value());
}

void verifyToken(QByteArrayView token)
{
    const Result<Jose::VerifiedToken> verified = Jose::verifyCompact(token, fixture->keys, fixture->options);
    if (!verified) {
        FUZZ_CHECK(verified.error().code == ErrorCode::InvalidDenialBinding);
        FUZZ_CHECK(verified.error().value.size() <= 64);
        return;
    }

    // Whatever passed must satisfy every documented check.
    FUZZ_CHECK(verified->header.value(QLatin1String("alg")).toString() == QLatin1String("ES256"));
    FUZZ_CHECK(verified->header.value(QLatin1String("typ")).toString() == kTokenType);
    FUZZ_CHECK(verified->header.value(QLatin1String("kid")).toString() == QLatin1String("fuzz-a"));
    FUZZ_CHECK(!verified->header.contains(QLatin1String("crit")));
    FUZZ_CHECK(verified->claims.value(QLatin1String("iss")).toString() == kIssuer);
    FUZZ_CHECK(verified->claims.value(QLatin1String("exp")).toDouble() + 30 >= double(kNowSeconds));
}

// Signs the header and claims text as given, byte for byte, so malformed JSON reaches the parser.
void signAndVerify(QByteArrayView input)
{
    const qsizetype firstBreak = input.indexOf('\n');
    if (firstBreak < 0)
        return;
    const QByteArrayView header = input.first(firstBreak);
    QByteArrayView claims = input.sliced(firstBreak + 1);
    QByteArrayView replacedSignature;
    const qsizetype secondBreak = claims.indexOf('\n');
    const bool replacesSignature = secondBreak >= 0;
    if (replacesSignature) {
        replacedSignature = claims.sliced(secondBreak + 1);
        claims = claims.first(secondBreak);
    }

    const QByteArray signingInput
        = Jose::base64UrlEncode(header.toByteArray()) + '.' + Jose::base64UrlEncode(claims.toByteArray());
    const Result<QByteArray> signature = fixture->signer->sign(signingInput);
    FUZZ_CHECK(signature.ok());
    FUZZ_CHECK(signature->size() == 64);
    const QByteArray usedSignature = replacesSignature ? replacedSignature.toByteArray() : *signature;
    verifyToken(QByteArray(signingInput + '.' + Jose::base64UrlEncode(usedSignature)));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    Fuzz::silenceLogging();

    auto *created = new Fixture;
    created->signer = loadKey(kTrustedKeyPem, QStringLiteral("fuzz-a"));
    const auto other = loadKey(kOtherKeyPem, QStringLiteral("fuzz-b"));
    FUZZ_CHECK(created->keys.tryAdd(kIssuer, created->signer->publicJwk()).ok());
    FUZZ_CHECK(created->keys.tryAdd(kOtherIssuer, other->publicJwk()).ok());
    created->options.typ = kTokenType;
    created->options.expectedIssuer = kIssuer;
    created->options.audience = kAudience;
    created->options.nowSeconds = kNowSeconds;
    created->options.leewaySeconds = 30;
    fixture = created;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    if (input.startsWith('{'))
        signAndVerify(input);
    else
        verifyToken(input);
    return 0;
}
