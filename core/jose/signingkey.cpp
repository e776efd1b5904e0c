#include "core/jose/jose.h"

#include "core/jose/logging.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

namespace Recourse::Jose {

namespace {

// P-256 field elements and scalars are 32 bytes, and a JWS signature is r || s.
constexpr int kCoordinateSize = 32;
constexpr int kSignatureSize = 2 * kCoordinateSize;

// OpenSSL's name for P-256 (SEC 2 calls it secp256r1).
constexpr char kGroupName[] = "prime256v1";

// The order n of the P-256 base point (SEC 2, section 2.4.2), big-endian.
constexpr std::array<unsigned char, kCoordinateSize> kCurveOrder { 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
    0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51 };

template <auto Free> struct Deleter
{
    template <typename T> void operator()(T *pointer) const { Free(pointer); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;

// Returns the last queued OpenSSL error as text and empties the queue, so later calls start clean.
QString takeOpenSslError()
{
    const unsigned long code = ERR_peek_last_error();
    std::array<char, 256> text {};
    if (code != 0)
        ERR_error_string_n(code, text.data(), text.size());
    ERR_clear_error();
    return QString::fromLatin1(text.data());
}

const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

bool isP256(EVP_PKEY *pkey)
{
    if (!EVP_PKEY_is_a(pkey, "EC"))
        return false;
    std::array<char, 64> group {};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &length)
        != 1)
        return false;
    return QByteArrayView(group.data(), qsizetype(length)) == QByteArrayView(kGroupName);
}

QByteArray coordinate(EVP_PKEY *pkey, const char *name)
{
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1)
        return {};
    const BignumPtr value(raw);

    QByteArray out(kCoordinateSize, Qt::Uninitialized);
    if (BN_bn2binpad(value.get(), reinterpret_cast<unsigned char *>(out.data()), kCoordinateSize)
        != kCoordinateSize)
        return {};
    return out;
}

// Declines to supply a passphrase, so an encrypted key fails to load instead of prompting on a terminal.
int rejectPassphrasePrompt(char *, int, int, void *)
{
    return 0;
}

// r or s as a scalar: non-zero and below the group order, as ECDSA verification requires.
bool isValidScalar(QByteArrayView value)
{
    const bool isZero = std::all_of(value.begin(), value.end(), [](char c) { return c == 0; });
    if (isZero)
        return false;
    // Equal-length big-endian strings compare as numbers.
    return std::memcmp(value.data(), kCurveOrder.data(), kCoordinateSize) < 0;
}

QByteArray derFromRaw(QByteArrayView signature)
{
    BignumPtr r(BN_bin2bn(bytes(signature.first(kCoordinateSize)), kCoordinateSize, nullptr));
    BignumPtr s(BN_bin2bn(bytes(signature.last(kCoordinateSize)), kCoordinateSize, nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig)
        return {};
    if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return {};
    // ECDSA_SIG_set0 took ownership of both numbers.
    (void)r.release();
    (void)s.release();

    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig.get(), &der);
    if (length <= 0)
        return {};
    QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    return out;
}

QByteArray rawFromDer(const QByteArray &der)
{
    const unsigned char *cursor = bytes(der);
    const EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, long(der.size())));
    if (!sig)
        return {};

    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    QByteArray out(kSignatureSize, Qt::Uninitialized);
    auto *target = reinterpret_cast<unsigned char *>(out.data());
    if (BN_bn2binpad(r, target, kCoordinateSize) != kCoordinateSize
        || BN_bn2binpad(s, target + kCoordinateSize, kCoordinateSize) != kCoordinateSize)
        return {};
    return out;
}

Error invalidJwk(const QString &message, const QString &value = {})
{
    return Error::make(ErrorCode::InvalidRequest, message, value);
}

// Builds a public key from affine coordinates, rejecting points that are not on P-256.
Result<PkeyPtr> importPublicPoint(const QByteArray &x, const QByteArray &y)
{
    // Uncompressed SEC 1 point: 0x04 || x || y. Import rejects points not on the curve, and the
    // public check below repeats that and rejects the point at infinity.
    const QByteArray point = QByteArray(1, '\x04') + x + y;
    const ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder
        || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupName, 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(
               builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(), size_t(point.size()))
            != 1)
        return Error::make(ErrorCode::Internal,
            QStringLiteral("Failed to prepare the JWK import: %1").arg(takeOpenSslError()));
    const ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
    const PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *raw = nullptr;
    if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1
        || EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        takeOpenSslError();
        return invalidJwk(QStringLiteral("The JWK's point is not on the P-256 curve."));
    }
    PkeyPtr pkey(raw);

    const PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        takeOpenSslError();
        return invalidJwk(QStringLiteral("The JWK's point is not a valid P-256 public key."));
    }
    return pkey;
}

} // namespace

struct SigningKey::Private
{
    PkeyPtr pkey;
    QString kid;
    bool hasPrivateKey = false;
    ExpiryRecorder expiryRecorder;
};

SigningKey::SigningKey(std::unique_ptr<Private> data)
    : d(std::move(data))
{
}
SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey &&) noexcept = default;
SigningKey &SigningKey::operator=(SigningKey &&) noexcept = default;

void SigningKey::setExpiryRecorder(ExpiryRecorder recorder)
{
    d->expiryRecorder = std::move(recorder);
}

bool SigningKey::hasExpiryRecorder() const
{
    return bool(d->expiryRecorder);
}

Result<void> SigningKey::recordExpiry(qint64 expSeconds) const
{
    if (!d->expiryRecorder)
        return {};
    return d->expiryRecorder(d->kid, expSeconds);
}

Result<SigningKey> SigningKey::generate(const QString &kid)
{
    const PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!context || EVP_PKEY_keygen_init(context.get()) != 1
        || EVP_PKEY_CTX_set_group_name(context.get(), kGroupName) != 1)
        return Error::make(ErrorCode::Internal,
            QStringLiteral("Failed to set up P-256 key generation: %1").arg(takeOpenSslError()));

    EVP_PKEY *raw = nullptr;
    if (EVP_PKEY_generate(context.get(), &raw) != 1)
        return Error::make(ErrorCode::Internal,
            QStringLiteral("Failed to generate a P-256 key: %1").arg(takeOpenSslError()));

    auto d = std::make_unique<Private>();
    d->pkey.reset(raw);
    d->hasPrivateKey = true;
    SigningKey key(std::move(d));
    key.d->kid = kid.isEmpty() ? thumbprint(key.publicJwk()) : kid;
    return key;
}

Result<SigningKey> SigningKey::fromPrivatePem(const QByteArray &pem, const QString &kid)
{
    const BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    if (!bio)
        return Error::make(ErrorCode::Internal, QStringLiteral("Failed to allocate a buffer for the key."));

    PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, rejectPassphrasePrompt, nullptr));
    if (!pkey)
        return Error::make(ErrorCode::InvalidRequest,
            QStringLiteral("The PEM text is not an unencrypted private key: %1").arg(takeOpenSslError()));
    if (!isP256(pkey.get()))
        return Error::make(
            ErrorCode::InvalidRequest, QStringLiteral("The private key is not an EC key on P-256."));

    // A damaged file can carry a private scalar that does not match its public point.
    const PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_pairwise_check(check.get()) != 1)
        return Error::make(ErrorCode::InvalidRequest,
            QStringLiteral("The private key failed its consistency check: %1").arg(takeOpenSslError()));

    auto d = std::make_unique<Private>();
    d->pkey = std::move(pkey);
    d->hasPrivateKey = true;
    SigningKey key(std::move(d));
    key.d->kid = kid.isEmpty() ? thumbprint(key.publicJwk()) : kid;
    return key;
}

Result<SigningKey> SigningKey::fromPublicJwk(const QJsonObject &jwk)
{
    if (jwk.value(QLatin1String("kty")) != QJsonValue(QLatin1String("EC")))
        return invalidJwk(
            QStringLiteral("The JWK's kty must be \"EC\"."), jwk.value(QLatin1String("kty")).toString());
    if (jwk.value(QLatin1String("crv")) != QJsonValue(QLatin1String("P-256")))
        return invalidJwk(
            QStringLiteral("The JWK's crv must be \"P-256\"."), jwk.value(QLatin1String("crv")).toString());
    if (jwk.contains(QLatin1String("alg"))
        && jwk.value(QLatin1String("alg")) != QJsonValue(QLatin1String("ES256")))
        return invalidJwk(QStringLiteral("The JWK's alg must be \"ES256\" when present."));
    if (jwk.contains(QLatin1String("use"))
        && jwk.value(QLatin1String("use")) != QJsonValue(QLatin1String("sig")))
        return invalidJwk(QStringLiteral("The JWK's use must be \"sig\" when present."));
    if (jwk.contains(QLatin1String("kid")) && !jwk.value(QLatin1String("kid")).isString())
        return invalidJwk(QStringLiteral("The JWK's kid must be a string."));

    const auto x = base64UrlDecode(jwk.value(QLatin1String("x")).toString().toLatin1());
    const auto y = base64UrlDecode(jwk.value(QLatin1String("y")).toString().toLatin1());
    if (!jwk.value(QLatin1String("x")).isString() || !x || x->size() != kCoordinateSize)
        return invalidJwk(QStringLiteral("The JWK's x must be 32 bytes in base64url."));
    if (!jwk.value(QLatin1String("y")).isString() || !y || y->size() != kCoordinateSize)
        return invalidJwk(QStringLiteral("The JWK's y must be 32 bytes in base64url."));

    auto pkey = importPublicPoint(*x, *y);
    if (!pkey)
        return pkey.error();

    auto d = std::make_unique<Private>();
    d->pkey = std::move(pkey).value();
    SigningKey key(std::move(d));
    const QString kid = jwk.value(QLatin1String("kid")).toString();
    key.d->kid = kid.isEmpty() ? thumbprint(key.publicJwk()) : kid;
    return key;
}

QString SigningKey::kid() const
{
    return d->kid;
}

bool SigningKey::hasPrivateKey() const
{
    return d->hasPrivateKey;
}

QByteArray SigningKey::privatePem() const
{
    if (!d->hasPrivateKey)
        return {};

    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio
        || PEM_write_bio_PKCS8PrivateKey(bio.get(), d->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr)
            != 1) {
        qCWarning(lcJose) << "Failed to export the private key as PKCS#8:" << takeOpenSslError();
        return {};
    }
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(length));
}

QJsonObject SigningKey::publicJwk() const
{
    const QByteArray x = coordinate(d->pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X);
    const QByteArray y = coordinate(d->pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
    if (x.isEmpty() || y.isEmpty()) {
        qCWarning(lcJose) << "Failed to read the public point of key" << d->kid << takeOpenSslError();
        return {};
    }

    QJsonObject jwk {
        { QStringLiteral("kty"), QStringLiteral("EC") },
        { QStringLiteral("crv"), QStringLiteral("P-256") },
        { QStringLiteral("x"), QString::fromLatin1(base64UrlEncode(x)) },
        { QStringLiteral("y"), QString::fromLatin1(base64UrlEncode(y)) },
        { QStringLiteral("use"), QStringLiteral("sig") },
        { QStringLiteral("alg"), QStringLiteral("ES256") },
    };
    // The kid is assigned after the key exists, and generate() derives it from this very JWK.
    if (!d->kid.isEmpty())
        jwk.insert(QStringLiteral("kid"), d->kid);
    return jwk;
}

Result<QByteArray> SigningKey::sign(QByteArrayView data) const
{
    if (!d->hasPrivateKey)
        return Error::make(
            ErrorCode::Internal, QStringLiteral("Key %1 has no private key to sign with.").arg(d->kid));

    const MdCtxPtr context(EVP_MD_CTX_new());
    size_t length = 0;
    if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, d->pkey.get()) != 1
        || EVP_DigestSign(context.get(), nullptr, &length, bytes(data), size_t(data.size())) != 1)
        return Error::make(
            ErrorCode::Internal, QStringLiteral("Failed to start signing: %1").arg(takeOpenSslError()));

    QByteArray der(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(der.data()), &length, bytes(data),
            size_t(data.size()))
        != 1)
        return Error::make(ErrorCode::Internal, QStringLiteral("Failed to sign: %1").arg(takeOpenSslError()));
    der.truncate(qsizetype(length));

    const QByteArray raw = rawFromDer(der);
    if (raw.size() != kSignatureSize)
        return Error::make(ErrorCode::Internal,
            QStringLiteral("Failed to convert the signature to r || s: %1").arg(takeOpenSslError()));
    return raw;
}

bool SigningKey::verify(QByteArrayView data, QByteArrayView signature) const
{
    if (signature.size() != kSignatureSize)
        return false;
    if (!isValidScalar(signature.first(kCoordinateSize)) || !isValidScalar(signature.last(kCoordinateSize)))
        return false;

    const QByteArray der = derFromRaw(signature);
    const MdCtxPtr context(EVP_MD_CTX_new());
    if (der.isEmpty() || !context
        || EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, d->pkey.get()) != 1) {
        qCWarning(lcJose) << "Failed to set up signature verification:" << takeOpenSslError();
        return false;
    }

    const int verified
        = EVP_DigestVerify(context.get(), bytes(der), size_t(der.size()), bytes(data), size_t(data.size()));
    // A mismatch leaves an error on the queue. It is an expected outcome, not a fault to report.
    ERR_clear_error();
    return verified == 1;
}

} // namespace Recourse::Jose
