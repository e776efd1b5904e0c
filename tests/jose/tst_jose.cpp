#include "core/jose/jose.h"

#include "core/json/json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <sys/stat.h>

using namespace Recourse;
using namespace Recourse::Jose;

namespace {

const QString kIssuer = QStringLiteral("https://pdp.example.com");
const QString kOtherIssuer = QStringLiteral("https://other-pdp.example.com");
const QString kAudience = QStringLiteral("https://ars.example.com");
const QString kTyp = QStringLiteral("recourse-binding+jwt");
constexpr qint64 kNow = 1'750'000'000;

// RFC 7517 appendix A.1. Its thumbprint was computed independently with the npm jose package
// (calculateJwkThumbprint) and with Python's hashlib over the RFC 7638 member string.
const QString kRfcX = QStringLiteral("MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4");
const QString kRfcY = QStringLiteral("4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM");
const QString kRfcThumbprint = QStringLiteral("cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s");

// The order n of the P-256 group, big-endian.
const QByteArray kCurveOrder
    = QByteArray::fromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

// Returns the error message of a failed result. QVERIFY2 in Qt 6.4 builds its message even on success.
template <typename T> QString failureText(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

QByteArray jsonBytes(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray segment(const QByteArray &json)
{
    return base64UrlEncode(json);
}

QJsonObject validClaims()
{
    return QJsonObject {
        { QStringLiteral("iss"), kIssuer },
        { QStringLiteral("aud"), kAudience },
        { QStringLiteral("sub"), QStringLiteral("user-a") },
        { QStringLiteral("iat"), kNow },
        { QStringLiteral("exp"), kNow + 300 },
    };
}

QJsonObject headerFor(const QString &kid, const QString &typ = kTyp)
{
    return QJsonObject {
        { QStringLiteral("alg"), QStringLiteral("ES256") },
        { QStringLiteral("typ"), typ },
        { QStringLiteral("kid"), kid },
    };
}

// A compact JWS over raw header and payload text, so tests can put anything in either.
QByteArray craftToken(const QByteArray &headerJson, const QByteArray &payloadJson, const SigningKey &signer)
{
    const QByteArray signingInput = segment(headerJson) + '.' + segment(payloadJson);
    const auto signature = signer.sign(signingInput);
    if (!signature)
        return {};
    return signingInput + '.' + base64UrlEncode(*signature);
}

QByteArray withSignature(const QByteArray &token, const QByteArray &signature)
{
    return token.left(token.lastIndexOf('.') + 1) + base64UrlEncode(signature);
}

QByteArray signatureOf(const QByteArray &token)
{
    return base64UrlDecode(token.mid(token.lastIndexOf('.') + 1)).value();
}

VerifyOptions defaultOptions()
{
    VerifyOptions options;
    options.typ = kTyp;
    options.expectedIssuer = kIssuer;
    options.audience = kAudience;
    options.nowSeconds = kNow;
    options.leewaySeconds = 30;
    return options;
}

// A DER INTEGER holding a 32-byte big-endian value, with the sign byte DER requires.
QByteArray derInteger(QByteArray value)
{
    while (value.size() > 1 && value.at(0) == '\0' && (uchar(value.at(1)) & 0x80) == 0)
        value.remove(0, 1);
    if (uchar(value.at(0)) & 0x80)
        value.prepend('\0');
    return QByteArray(1, '\x02') + char(value.size()) + value;
}

QByteArray derSignature(const QByteArray &raw)
{
    const QByteArray body = derInteger(raw.left(32)) + derInteger(raw.mid(32));
    return QByteArray(1, '\x30') + char(body.size()) + body;
}

QByteArray pemOf(EVP_PKEY *pkey, const EVP_CIPHER *cipher = nullptr)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char passphrase[] = "secret";
    PEM_write_bio_PKCS8PrivateKey(
        bio, pkey, cipher, cipher ? passphrase : nullptr, cipher ? 6 : 0, nullptr, nullptr);
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    QByteArray pem(data, qsizetype(length));
    BIO_free(bio);
    return pem;
}

} // namespace

class TestJose : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void base64UrlEncodesKnownValues();
    void base64UrlRejects_data();
    void base64UrlRejects();

    void signVerifyRoundTrip();
    void signatureIs64Bytes();
    void tamperedPayloadFails();
    void algHeaderRejected_data();
    void algHeaderRejected();
    void signatureEncodingRejected_data();
    void signatureEncodingRejected();
    void tokenStructureRejected_data();
    void tokenStructureRejected();

    void audience_data();
    void audience();
    void kid_data();
    void kid();
    void typ_data();
    void typ();
    void issuer_data();
    void issuer();
    void times_data();
    void times();

    void jwkRoundTrip();
    void jwkImportRejects_data();
    void jwkImportRejects();
    void jwkPrivateMemberIgnored();
    void thumbprintKnownAnswer();
    void thumbprintMatchesManualJcs();
    void pemRoundTrip();
    void pemImportRejects();
    void keySetJwks();
    void keySetRejectsConflictingKid();

    void loadOrCreateCreatesOwnerOnlyFile();
    void loadOrCreateRejectsCorruptFile();
    void loadOrCreateWarnsAboutReadableKey();

    void nodeWebCryptoVerifiesToken();

private:
    std::optional<SigningKey> m_key; // trusted for kIssuer
    std::optional<SigningKey> m_second; // also trusted for kIssuer
    std::optional<SigningKey> m_foreign; // trusted only for kOtherIssuer
    std::optional<SigningKey> m_untrusted; // in no key set
    KeySet m_keys;

    QByteArray validToken() const { return signCompact(*m_key, kTyp, validClaims()).value(); }
};

void TestJose::initTestCase()
{
    for (auto *slot : { &m_key, &m_second, &m_foreign, &m_untrusted }) {
        auto key = SigningKey::generate({});
        QVERIFY2(key.ok(), qPrintable(failureText(key)));
        slot->emplace(std::move(key).value());
    }
    QVERIFY(m_keys.tryAdd(kIssuer, m_key->publicJwk()).ok());
    QVERIFY(m_keys.tryAdd(kIssuer, m_second->publicJwk()).ok());
    QVERIFY(m_keys.tryAdd(kOtherIssuer, m_foreign->publicJwk()).ok());
    QCOMPARE(m_keys.size(), 3);
}

void TestJose::base64UrlEncodesKnownValues()
{
    QCOMPARE(base64UrlEncode(QByteArray("a")), QByteArray("YQ"));
    QCOMPARE(base64UrlEncode(QByteArray("ab")), QByteArray("YWI"));
    QCOMPARE(base64UrlEncode(QByteArray::fromHex("fbff")), QByteArray("-_8"));
    QCOMPARE(base64UrlDecode("-_8").value(), QByteArray::fromHex("fbff"));
    QCOMPARE(base64UrlDecode("YWJj").value(), QByteArray("abc"));
    QCOMPARE(base64UrlDecode("").value(), QByteArray());
}

void TestJose::base64UrlRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("padding") << QByteArray("YQ==");
    QTest::newRow("single padding") << QByteArray("YWI=");
    QTest::newRow("plus") << QByteArray("+_8");
    QTest::newRow("slash") << QByteArray("-/8");
    QTest::newRow("space") << QByteArray("YW I");
    QTest::newRow("newline") << QByteArray("YWJj\n");
    QTest::newRow("one leftover character") << QByteArray("YWJjZ");
    QTest::newRow("nonzero unused bits") << QByteArray("YR");
    QTest::newRow("non-ASCII") << QByteArray("YW\xc3\xa9");
}

void TestJose::base64UrlRejects()
{
    QFETCH(QByteArray, text);
    QVERIFY(!base64UrlDecode(text).ok());
}

void TestJose::signVerifyRoundTrip()
{
    const QByteArray token = validToken();

    const auto verified = verifyCompact(token, m_keys, defaultOptions());

    QVERIFY2(verified.ok(), qPrintable(failureText(verified)));
    QCOMPARE(verified->claims, validClaims());
    QCOMPARE(verified->header.value(QStringLiteral("alg")).toString(), QStringLiteral("ES256"));
    QCOMPARE(verified->header.value(QStringLiteral("typ")).toString(), kTyp);
    QCOMPARE(verified->header.value(QStringLiteral("kid")).toString(), m_key->kid());
}

void TestJose::signatureIs64Bytes()
{
    for (int i = 0; i < 200; ++i) {
        QByteArray message(int(QRandomGenerator::global()->bounded(1, 512)), Qt::Uninitialized);
        for (char &c : message)
            c = char(QRandomGenerator::global()->bounded(256));

        const auto signature = m_key->sign(message);

        QVERIFY(signature.ok());
        QCOMPARE(signature->size(), 64);
        QVERIFY(m_key->verify(message, *signature));
    }
    QCOMPARE(signatureOf(validToken()).size(), 64);
}

void TestJose::tamperedPayloadFails()
{
    const QByteArray token = validToken();
    const QList<QByteArray> parts = token.split('.');
    QByteArray payload = base64UrlDecode(parts[1]).value();
    const qsizetype at = payload.indexOf("user-a");
    QVERIFY(at > 0);
    payload[at] = 'v';
    const QByteArray tampered = parts[0] + '.' + base64UrlEncode(payload) + '.' + parts[2];

    const auto verified = verifyCompact(tampered, m_keys, defaultOptions());

    QVERIFY(!verified.ok());
    QCOMPARE(verified.error().code, ErrorCode::InvalidDenialBinding);
    QVERIFY2(
        verified.error().message.contains(QStringLiteral("signature")), qPrintable(verified.error().message));

    const QByteArray data("header.payload");
    QByteArray flipped = data;
    flipped[3] = char(flipped[3] ^ 0x01);
    QVERIFY(!m_key->verify(flipped, m_key->sign(data).value()));
}

void TestJose::algHeaderRejected_data()
{
    QTest::addColumn<QByteArray>("token");

    const QByteArray payload = segment(jsonBytes(validClaims()));
    auto headerWithAlg = [this](const QJsonValue &alg) {
        QJsonObject header = headerFor(m_key->kid());
        if (alg.isUndefined())
            header.remove(QStringLiteral("alg"));
        else
            header.insert(QStringLiteral("alg"), alg);
        return segment(jsonBytes(header));
    };

    QTest::newRow("none, empty signature") << headerWithAlg(QStringLiteral("none")) + '.' + payload + '.';
    // A real ES256 signature over a header claiming "none": only the alg check can reject it.
    QTest::newRow("none, valid signature") << craftToken(
        jsonBytes(headerFor(m_key->kid())).replace("ES256", "none"), jsonBytes(validClaims()), *m_key);
    QTest::newRow("None") << craftToken(
        jsonBytes(headerFor(m_key->kid())).replace("ES256", "None"), jsonBytes(validClaims()), *m_key);
    QTest::newRow("NONE") << craftToken(
        jsonBytes(headerFor(m_key->kid())).replace("ES256", "NONE"), jsonBytes(validClaims()), *m_key);
    QTest::newRow("lower-case es256") << craftToken(
        jsonBytes(headerFor(m_key->kid())).replace("ES256", "es256"), jsonBytes(validClaims()), *m_key);
    QTest::newRow("ES384") << craftToken(
        jsonBytes(headerFor(m_key->kid())).replace("ES256", "ES384"), jsonBytes(validClaims()), *m_key);
    QTest::newRow("alg not a string") << craftToken(
        jsonBytes(headerFor(m_key->kid())).replace("\"ES256\"", "256"), jsonBytes(validClaims()), *m_key);

    QJsonObject noAlg = headerFor(m_key->kid());
    noAlg.remove(QStringLiteral("alg"));
    QTest::newRow("missing alg") << craftToken(jsonBytes(noAlg), jsonBytes(validClaims()), *m_key);

    // The classic confusion attack: HMAC keyed with bytes the verifier publishes.
    const QByteArray hsInput = headerWithAlg(QStringLiteral("HS256")) + '.' + payload;
    const QByteArray jwkText = jsonBytes(m_key->publicJwk());
    const QByteArray point = QByteArray(1, '\x04')
        + base64UrlDecode(m_key->publicJwk().value(QStringLiteral("x")).toString().toLatin1()).value()
        + base64UrlDecode(m_key->publicJwk().value(QStringLiteral("y")).toString().toLatin1()).value();
    for (const auto &[name, secret] : { std::pair { "HS256 keyed with the JWK text", jwkText },
             std::pair { "HS256 keyed with the public point", point } }) {
        const QByteArray mac = QMessageAuthenticationCode::hash(hsInput, secret, QCryptographicHash::Sha256);
        QTest::newRow(name) << hsInput + '.' + base64UrlEncode(mac);
    }
}

void TestJose::algHeaderRejected()
{
    QFETCH(QByteArray, token);
    QVERIFY(!token.isEmpty());

    const auto verified = verifyCompact(token, m_keys, defaultOptions());

    QVERIFY(!verified.ok());
    QCOMPARE(verified.error().code, ErrorCode::InvalidDenialBinding);
}

void TestJose::signatureEncodingRejected_data()
{
    QTest::addColumn<QByteArray>("signature");

    const QByteArray real = signatureOf(validToken());
    const QByteArray r = real.left(32);
    const QByteArray s = real.mid(32);

    QTest::newRow("64 zero bytes") << QByteArray(64, '\0');
    QTest::newRow("real signature as DER") << derSignature(real);
    QTest::newRow("DER of two zero integers") << QByteArray::fromHex("3006020100020100");
    QTest::newRow("r equals n") << kCurveOrder + s;
    QTest::newRow("s equals n") << r + kCurveOrder;
    QTest::newRow("r above n") << QByteArray(32, '\xff') + s;
    QTest::newRow("r zero, s real") << QByteArray(32, '\0') + s;
    QTest::newRow("r real, s zero") << r + QByteArray(32, '\0');
    QTest::newRow("63 bytes") << real.left(63);
    QTest::newRow("65 bytes") << real + '\0';
    QTest::newRow("r and s swapped") << s + r;
}

void TestJose::signatureEncodingRejected()
{
    QFETCH(QByteArray, signature);
    const QByteArray token = validToken();
    const QByteArray signingInput = token.left(token.lastIndexOf('.'));

    QVERIFY(!m_key->verify(signingInput, signature));

    const auto verified = verifyCompact(withSignature(token, signature), m_keys, defaultOptions());
    QVERIFY(!verified.ok());
    QCOMPARE(verified.error().code, ErrorCode::InvalidDenialBinding);
}

void TestJose::tokenStructureRejected_data()
{
    QTest::addColumn<QByteArray>("token");

    const QByteArray valid = validToken();
    const QList<QByteArray> parts = valid.split('.');

    QTest::newRow("two parts") << parts[0] + '.' + parts[1];
    QTest::newRow("four parts") << valid + '.' + parts[2];
    QTest::newRow("five parts") << valid + ".e30.e30";
    QTest::newRow("empty header") << '.' + parts[1] + '.' + parts[2];
    QTest::newRow("empty payload") << parts[0] + ".." + parts[2];
    QTest::newRow("empty signature") << parts[0] + '.' + parts[1] + '.';
    QTest::newRow("empty token") << QByteArray();
    QTest::newRow("padded signature") << valid + "==";
    // A signature whose base64url text has no '-' or '_' reads the same in the standard
    // alphabet, so the row signs again until it differs. ECDSA signatures are randomized, and
    // about one in fifteen lacks both characters.
    QByteArray mixed = valid;
    for (int attempt = 0; attempt < 100 && !mixed.split('.').value(2).contains('-')
         && !mixed.split('.').value(2).contains('_');
         ++attempt)
        mixed = validToken();
    const QList<QByteArray> mixedParts = mixed.split('.');
    QVERIFY(mixedParts.value(2).contains('-') || mixedParts.value(2).contains('_'));
    QTest::newRow("standard alphabet in signature")
        << mixedParts[0] + '.' + mixedParts[1] + '.' + signatureOf(mixed).toBase64(QByteArray::OmitTrailingEquals);
    QTest::newRow("whitespace") << parts[0] + ". " + parts[1] + '.' + parts[2];
    QTest::newRow("trailing newline") << valid + '\n';
    QTest::newRow("oversized") << QByteArray(70 * 1024, 'A') + '.' + parts[1] + '.' + parts[2];

    const QByteArray header = jsonBytes(headerFor(m_key->kid()));
    const QByteArray claims = jsonBytes(validClaims());
    QTest::newRow("header not JSON") << craftToken("{\"alg\":\"ES256\"", claims, *m_key);
    QTest::newRow("header is an array") << craftToken("[\"ES256\"]", claims, *m_key);
    QTest::newRow("header with duplicate alg")
        << craftToken(QByteArray(header).insert(1, "\"alg\":\"none\","), claims, *m_key);
    QTest::newRow("header with escaped duplicate alg")
        << craftToken(QByteArray(header).insert(1, "\"\\u0061lg\":\"none\","), claims, *m_key);
    QTest::newRow("header with crit")
        << craftToken(QByteArray(header).insert(1, "\"crit\":[\"b64\"],\"b64\":false,"), claims, *m_key);
    QTest::newRow("payload with duplicate aud")
        << craftToken(header, QByteArray(claims).insert(1, "\"aud\":\"https://evil.example\","), *m_key);
    QTest::newRow("payload not JSON") << craftToken(header, "not json", *m_key);
    QTest::newRow("payload is a string") << craftToken(header, "\"claims\"", *m_key);
}

void TestJose::tokenStructureRejected()
{
    QFETCH(QByteArray, token);

    const auto verified = verifyCompact(token, m_keys, defaultOptions());

    QVERIFY(!verified.ok());
    QCOMPARE(verified.error().code, ErrorCode::InvalidDenialBinding);
}

void TestJose::audience_data()
{
    QTest::addColumn<QJsonValue>("aud");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("string equal") << QJsonValue(kAudience) << true;
    QTest::newRow("array containing")
        << QJsonValue(QJsonArray { QStringLiteral("https://x.example"), kAudience }) << true;
    QTest::newRow("array of one") << QJsonValue(QJsonArray { kAudience }) << true;
    QTest::newRow("array without") << QJsonValue(QJsonArray { QStringLiteral("https://x.example") }) << false;
    QTest::newRow("empty array") << QJsonValue(QJsonArray {}) << false;
    QTest::newRow("trailing slash") << QJsonValue(kAudience + QLatin1Char('/')) << false;
    QTest::newRow("trailing slash in array")
        << QJsonValue(QJsonArray { QString(kAudience + QLatin1Char('/')) }) << false;
    QTest::newRow("nested array") << QJsonValue(QJsonArray { QJsonValue(QJsonArray { kAudience }) }) << false;
    QTest::newRow("array with a number") << QJsonValue(QJsonArray { kAudience, 1 }) << false;
    QTest::newRow("empty string") << QJsonValue(QString()) << false;
    QTest::newRow("different case") << QJsonValue(kAudience.toUpper()) << false;
    QTest::newRow("object") << QJsonValue(QJsonObject { { kAudience, true } }) << false;
    QTest::newRow("absent") << QJsonValue(QJsonValue::Undefined) << false;
}

void TestJose::audience()
{
    QFETCH(QJsonValue, aud);
    QFETCH(bool, accepted);
    QJsonObject claims = validClaims();
    if (aud.isUndefined())
        claims.remove(QStringLiteral("aud"));
    else
        claims.insert(QStringLiteral("aud"), aud);

    const auto verified = verifyCompact(signCompact(*m_key, kTyp, claims).value(), m_keys, defaultOptions());

    QCOMPARE(verified.ok(), accepted);
    if (!accepted)
        QVERIFY2(
            verified.error().message.contains(QStringLiteral("aud")), qPrintable(verified.error().message));
}

void TestJose::kid_data()
{
    QTest::addColumn<QJsonValue>("kid");
    QTest::addColumn<int>("signer"); // 0: the key, 1: the second key, 2: the foreign key, 3: untrusted
    QTest::addColumn<bool>("accepted");

    QTest::newRow("second key") << QJsonValue(m_second->kid()) << 1 << true;
    QTest::newRow("kid of one key, signed by another") << QJsonValue(m_key->kid()) << 1 << false;
    QTest::newRow("kid of an untrusted key") << QJsonValue(m_untrusted->kid()) << 3 << false;
    QTest::newRow("unknown kid") << QJsonValue(QStringLiteral("no-such-key")) << 0 << false;
    QTest::newRow("kid trusted for another issuer") << QJsonValue(m_foreign->kid()) << 2 << false;
    QTest::newRow("10 kB kid") << QJsonValue(QString(10 * 1024, QLatin1Char('k'))) << 0 << false;
    QTest::newRow("path-like kid") << QJsonValue(QStringLiteral("../../../etc/passwd")) << 0 << false;
    QTest::newRow("SQL kid") << QJsonValue(QStringLiteral("x' OR '1'='1'; DROP TABLE keys; --")) << 0
                             << false;
    QTest::newRow("kid with NUL") << QJsonValue(m_key->kid() + QChar(0)) << 0 << false;
    QTest::newRow("empty kid") << QJsonValue(QString()) << 0 << false;
    QTest::newRow("numeric kid") << QJsonValue(1) << 0 << false;
    QTest::newRow("missing kid") << QJsonValue(QJsonValue::Undefined) << 0 << false;
}

void TestJose::kid()
{
    QFETCH(QJsonValue, kid);
    QFETCH(int, signer);
    QFETCH(bool, accepted);
    const std::array<const SigningKey *, 4> signers { &*m_key, &*m_second, &*m_foreign, &*m_untrusted };
    QJsonObject header = headerFor({});
    if (kid.isUndefined())
        header.remove(QStringLiteral("kid"));
    else
        header.insert(QStringLiteral("kid"), kid);

    const QByteArray token
        = craftToken(jsonBytes(header), jsonBytes(validClaims()), *signers[size_t(signer)]);
    const auto verified = verifyCompact(token, m_keys, defaultOptions());

    QCOMPARE(verified.ok(), accepted);
    if (!accepted) {
        QCOMPARE(verified.error().code, ErrorCode::InvalidDenialBinding);
        QVERIFY(verified.error().value.size() <= 64);
    }
}

void TestJose::typ_data()
{
    QTest::addColumn<QJsonValue>("tokenTyp");
    QTest::addColumn<QString>("requiredTyp");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("same typ") << QJsonValue(QStringLiteral("B")) << QStringLiteral("B") << true;
    QTest::newRow("typ A where B is required")
        << QJsonValue(QStringLiteral("A")) << QStringLiteral("B") << false;
    QTest::newRow("typ differs in case") << QJsonValue(QStringLiteral("b")) << QStringLiteral("B") << false;
    QTest::newRow("typ missing") << QJsonValue(QJsonValue::Undefined) << QStringLiteral("B") << false;
    QTest::newRow("typ not a string")
        << QJsonValue(QJsonArray { QStringLiteral("B") }) << QStringLiteral("B") << false;
    QTest::newRow("empty typ required") << QJsonValue(QString()) << QString() << false;
}

void TestJose::typ()
{
    QFETCH(QJsonValue, tokenTyp);
    QFETCH(QString, requiredTyp);
    QFETCH(bool, accepted);
    QJsonObject header = headerFor(m_key->kid());
    if (tokenTyp.isUndefined())
        header.remove(QStringLiteral("typ"));
    else
        header.insert(QStringLiteral("typ"), tokenTyp);
    VerifyOptions options = defaultOptions();
    options.typ = requiredTyp;

    const auto verified
        = verifyCompact(craftToken(jsonBytes(header), jsonBytes(validClaims()), *m_key), m_keys, options);

    QCOMPARE(verified.ok(), accepted);
    if (!accepted && !requiredTyp.isEmpty())
        QVERIFY2(
            verified.error().message.contains(QStringLiteral("typ")), qPrintable(verified.error().message));
}

void TestJose::issuer_data()
{
    QTest::addColumn<QJsonValue>("iss");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("expected issuer") << QJsonValue(kIssuer) << true;
    QTest::newRow("other issuer") << QJsonValue(kOtherIssuer) << false;
    QTest::newRow("trailing slash") << QJsonValue(kIssuer + QLatin1Char('/')) << false;
    QTest::newRow("array") << QJsonValue(QJsonArray { kIssuer }) << false;
    QTest::newRow("absent") << QJsonValue(QJsonValue::Undefined) << false;
}

void TestJose::issuer()
{
    QFETCH(QJsonValue, iss);
    QFETCH(bool, accepted);
    QJsonObject claims = validClaims();
    if (iss.isUndefined())
        claims.remove(QStringLiteral("iss"));
    else
        claims.insert(QStringLiteral("iss"), iss);

    const auto verified = verifyCompact(signCompact(*m_key, kTyp, claims).value(), m_keys, defaultOptions());

    QCOMPARE(verified.ok(), accepted);
    if (!accepted)
        QVERIFY2(verified.error().message.contains(QStringLiteral("issuer")),
            qPrintable(verified.error().message));
}

void TestJose::times_data()
{
    QTest::addColumn<QJsonObject>("changes"); // claims to set; null removes the claim
    QTest::addColumn<bool>("requireExp");
    QTest::addColumn<bool>("accepted");

    auto set = [](const char *name, const QJsonValue &value) {
        return QJsonObject { { QLatin1String(name), value } };
    };

    QTest::newRow("exp ahead") << set("exp", kNow + 300) << true << true;
    QTest::newRow("exp now") << set("exp", kNow) << true << true;
    QTest::newRow("exp past, within leeway") << set("exp", kNow - 30) << true << true;
    QTest::newRow("exp past leeway") << set("exp", kNow - 31) << true << false;
    QTest::newRow("exp fractional past leeway") << set("exp", double(kNow) - 30.5) << true << false;
    QTest::newRow("exp missing, required") << set("exp", QJsonValue::Null) << true << false;
    QTest::newRow("exp missing, optional") << set("exp", QJsonValue::Null) << false << true;
    QTest::newRow("exp as string") << set("exp", QString::number(kNow + 300)) << true << false;
    QTest::newRow("exp as string, optional") << set("exp", QString::number(kNow + 300)) << false << false;
    QTest::newRow("iat within leeway") << set("iat", kNow + 30) << true << true;
    QTest::newRow("iat in future") << set("iat", kNow + 31) << true << false;
    QTest::newRow("iat as string") << set("iat", QStringLiteral("now")) << true << false;
    QTest::newRow("iat missing") << set("iat", QJsonValue::Null) << true << true;
    QTest::newRow("nbf passed") << set("nbf", kNow - 10) << true << true;
    QTest::newRow("nbf within leeway") << set("nbf", kNow + 30) << true << true;
    QTest::newRow("nbf in future") << set("nbf", kNow + 31) << true << false;
    QTest::newRow("nbf as boolean") << set("nbf", true) << true << false;
}

void TestJose::times()
{
    QFETCH(QJsonObject, changes);
    QFETCH(bool, requireExp);
    QFETCH(bool, accepted);
    QJsonObject claims = validClaims();
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        if (it.value().isNull())
            claims.remove(it.key());
        else
            claims.insert(it.key(), it.value());
    }
    VerifyOptions options = defaultOptions();
    options.requireExp = requireExp;

    const auto verified = verifyCompact(signCompact(*m_key, kTyp, claims).value(), m_keys, options);

    QCOMPARE(verified.ok(), accepted);
    if (!accepted)
        QCOMPARE(verified.error().code, ErrorCode::InvalidDenialBinding);
}

void TestJose::jwkRoundTrip()
{
    const QJsonObject jwk = m_key->publicJwk();
    QCOMPARE(jwk.value(QStringLiteral("kty")).toString(), QStringLiteral("EC"));
    QCOMPARE(jwk.value(QStringLiteral("crv")).toString(), QStringLiteral("P-256"));
    QCOMPARE(jwk.value(QStringLiteral("use")).toString(), QStringLiteral("sig"));
    QCOMPARE(jwk.value(QStringLiteral("alg")).toString(), QStringLiteral("ES256"));
    QCOMPARE(jwk.value(QStringLiteral("kid")).toString(), m_key->kid());
    QVERIFY(!jwk.contains(QStringLiteral("d")));
    for (const char *member : { "x", "y" }) {
        const QString text = jwk.value(QLatin1String(member)).toString();
        QCOMPARE(text.size(), 43);
        QCOMPARE(base64UrlDecode(text.toLatin1()).value().size(), 32);
    }

    const auto imported = SigningKey::fromPublicJwk(jwk);

    QVERIFY2(imported.ok(), qPrintable(failureText(imported)));
    QVERIFY(!imported->hasPrivateKey());
    QVERIFY(imported->privatePem().isEmpty());
    QCOMPARE(imported->publicJwk(), jwk);
    QCOMPARE(imported->kid(), m_key->kid());
    QCOMPARE(thumbprint(imported->publicJwk()), thumbprint(jwk));
    QCOMPARE(m_key->kid(), thumbprint(jwk));
    QVERIFY(imported->verify("data", m_key->sign("data").value()));
    QVERIFY(!imported->sign("data").ok());
}

void TestJose::jwkImportRejects_data()
{
    QTest::addColumn<QJsonObject>("jwk");

    const QJsonObject good { { QStringLiteral("kty"), QStringLiteral("EC") },
        { QStringLiteral("crv"), QStringLiteral("P-256") }, { QStringLiteral("x"), kRfcX },
        { QStringLiteral("y"), kRfcY } };
    QVERIFY(SigningKey::fromPublicJwk(good).ok());
    auto with = [good](const char *name, const QJsonValue &value) {
        QJsonObject jwk = good;
        if (value.isUndefined())
            jwk.remove(QLatin1String(name));
        else
            jwk.insert(QLatin1String(name), value);
        return jwk;
    };
    const QByteArray y = base64UrlDecode(kRfcY.toLatin1()).value();
    QByteArray offCurve = y;
    offCurve[31] = char(offCurve[31] ^ 0x01);

    QTest::newRow("kty RSA") << with("kty", QStringLiteral("RSA"));
    QTest::newRow("kty OKP") << with("kty", QStringLiteral("OKP"));
    QTest::newRow("kty missing") << with("kty", QJsonValue::Undefined);
    QTest::newRow("crv P-384") << with("crv", QStringLiteral("P-384"));
    QTest::newRow("crv secp256k1") << with("crv", QStringLiteral("secp256k1"));
    QTest::newRow("crv missing") << with("crv", QJsonValue::Undefined);
    QTest::newRow("x of 31 bytes") << with("x", QString::fromLatin1(base64UrlEncode(QByteArray(31, '\x01'))));
    QTest::newRow("y of 33 bytes") << with(
        "y", QString::fromLatin1(base64UrlEncode(QByteArray(1, '\0') + y)));
    QTest::newRow("y padded") << with("y", QString(kRfcY + QLatin1Char('=')));
    QTest::newRow("x in standard base64")
        << with("x", QString::fromLatin1(base64UrlDecode(kRfcX.toLatin1()).value().toBase64()));
    QTest::newRow("x not a string") << with("x", 1);
    QTest::newRow("y missing") << with("y", QJsonValue::Undefined);
    QTest::newRow("point not on the curve") << with("y", QString::fromLatin1(base64UrlEncode(offCurve)));
    QTest::newRow("zero point") << with("x", QString::fromLatin1(base64UrlEncode(QByteArray(32, '\0'))));
    QTest::newRow("alg RS256") << with("alg", QStringLiteral("RS256"));
    QTest::newRow("use enc") << with("use", QStringLiteral("enc"));
    QTest::newRow("kid not a string") << with("kid", 7);
}

void TestJose::jwkImportRejects()
{
    QFETCH(QJsonObject, jwk);
    QVERIFY(!SigningKey::fromPublicJwk(jwk).ok());

    KeySet keys;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^Ignored a key for issuer")));
    keys.add(kIssuer, jwk);
    QCOMPARE(keys.size(), 0);
}

void TestJose::jwkPrivateMemberIgnored()
{
    QJsonObject jwk = m_key->publicJwk();
    jwk.insert(QStringLiteral("d"), QString::fromLatin1(base64UrlEncode(QByteArray(32, '\x07'))));

    const auto imported = SigningKey::fromPublicJwk(jwk);

    QVERIFY(imported.ok());
    QVERIFY(!imported->hasPrivateKey());
    QVERIFY(!imported->sign("data").ok());
    QVERIFY(!imported->publicJwk().contains(QStringLiteral("d")));
}

void TestJose::thumbprintKnownAnswer()
{
    const QJsonObject jwk { { QStringLiteral("kty"), QStringLiteral("EC") },
        { QStringLiteral("crv"), QStringLiteral("P-256") }, { QStringLiteral("x"), kRfcX },
        { QStringLiteral("y"), kRfcY }, { QStringLiteral("kid"), QStringLiteral("1") },
        { QStringLiteral("use"), QStringLiteral("sig") } };

    QCOMPARE(thumbprint(jwk), kRfcThumbprint);

    // Members outside the required set do not change the thumbprint.
    QJsonObject bare = jwk;
    bare.remove(QStringLiteral("kid"));
    bare.remove(QStringLiteral("use"));
    QCOMPARE(thumbprint(bare), kRfcThumbprint);

    // Without a kid member the imported key takes its thumbprint as kid.
    QCOMPARE(SigningKey::fromPublicJwk(bare).value().kid(), kRfcThumbprint);

    bare.remove(QStringLiteral("y"));
    QVERIFY(thumbprint(bare).isEmpty());
}

void TestJose::thumbprintMatchesManualJcs()
{
    const QJsonObject jwk = m_second->publicJwk();
    const QByteArray manual = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\""
        + jwk.value(QStringLiteral("x")).toString().toLatin1() + "\",\"y\":\""
        + jwk.value(QStringLiteral("y")).toString().toLatin1() + "\"}";
    const QByteArray digest = QCryptographicHash::hash(manual, QCryptographicHash::Sha256);

    QCOMPARE(thumbprint(jwk), QString::fromLatin1(base64UrlEncode(digest)));
    QCOMPARE(thumbprint(jwk).size(), 43);
}

void TestJose::pemRoundTrip()
{
    const QByteArray pem = m_key->privatePem();
    QVERIFY(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
    QVERIFY(pem.trimmed().endsWith("-----END PRIVATE KEY-----"));

    const auto loaded = SigningKey::fromPrivatePem(pem, QStringLiteral("named"));

    QVERIFY2(loaded.ok(), qPrintable(failureText(loaded)));
    QVERIFY(loaded->hasPrivateKey());
    QCOMPARE(loaded->kid(), QStringLiteral("named"));
    QCOMPARE(thumbprint(loaded->publicJwk()), thumbprint(m_key->publicJwk()));
    QVERIFY(m_key->verify("data", loaded->sign("data").value()));
    QCOMPARE(SigningKey::fromPrivatePem(pem, {}).value().kid(), m_key->kid());
}

void TestJose::pemImportRejects()
{
    QVERIFY(!SigningKey::fromPrivatePem(QByteArray(), {}).ok());
    QVERIFY(!SigningKey::fromPrivatePem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", {})
                 .ok());

    EVP_PKEY *p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
    QVERIFY(p384);
    const QByteArray p384Pem = pemOf(p384);
    EVP_PKEY_free(p384);
    QVERIFY(p384Pem.startsWith("-----BEGIN PRIVATE KEY-----"));
    QVERIFY(!SigningKey::fromPrivatePem(p384Pem, {}).ok());

    // An encrypted key must fail to load instead of prompting for a passphrase.
    const QByteArray plainPem = m_key->privatePem();
    BIO *bio = BIO_new_mem_buf(plainPem.constData(), int(plainPem.size()));
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    QVERIFY(pkey);
    const QByteArray encrypted = pemOf(pkey, EVP_aes_256_cbc());
    EVP_PKEY_free(pkey);
    QVERIFY(encrypted.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    QVERIFY(!SigningKey::fromPrivatePem(encrypted, {}).ok());
}

void TestJose::keySetJwks()
{
    const QJsonObject jwks = m_keys.toJwks();
    const QJsonArray keys = jwks.value(QStringLiteral("keys")).toArray();

    QCOMPARE(jwks.size(), 1);
    QCOMPARE(keys.size(), 3);
    QCOMPARE(keys.at(0).toObject(), m_key->publicJwk());
    QCOMPARE(keys.at(1).toObject(), m_second->publicJwk());
    QCOMPARE(keys.at(2).toObject(), m_foreign->publicJwk());
    QVERIFY(!QJsonDocument(jwks).toJson().contains("\"d\""));

    // A key trusted for a second issuer is published once.
    KeySet shared;
    shared.add(kIssuer, m_key->publicJwk());
    shared.add(kOtherIssuer, m_key->publicJwk());
    QCOMPARE(shared.size(), 2);
    QCOMPARE(shared.toJwks().value(QStringLiteral("keys")).toArray().size(), 1);
    QVERIFY(shared.find(kOtherIssuer, m_key->kid()));
}

void TestJose::keySetRejectsConflictingKid()
{
    KeySet keys;
    QVERIFY(keys.tryAdd(kIssuer, m_key->publicJwk()).ok());
    QVERIFY(keys.tryAdd(kIssuer, m_key->publicJwk()).ok());
    QCOMPARE(keys.size(), 1);

    QJsonObject impostor = m_second->publicJwk();
    impostor.insert(QStringLiteral("kid"), m_key->kid());
    QVERIFY(!keys.tryAdd(kIssuer, impostor).ok());
    QVERIFY(!keys.tryAdd(QString(), m_second->publicJwk()).ok());
    QCOMPARE(keys.size(), 1);
    QCOMPARE(keys.find(kIssuer, m_key->kid())->publicJwk(), m_key->publicJwk());
}

void TestJose::loadOrCreateCreatesOwnerOnlyFile()
{
    QTemporaryDir temporary;
    QVERIFY(temporary.isValid());
    const QString dataDir = temporary.filePath(QStringLiteral("state/recourse"));
    const QString keyPath = dataDir + QStringLiteral("/signing-key.pem");

    const auto created = loadOrCreateSigningKey(dataDir);

    QVERIFY2(created.ok(), qPrintable(failureText(created)));
    QVERIFY(created->hasPrivateKey());
    QCOMPARE(created->kid(), thumbprint(created->publicJwk()));
    struct stat info
    {
    };
    QCOMPARE(::stat(QFile::encodeName(keyPath).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));
    QCOMPARE(QDir(dataDir).entryList(QDir::Files | QDir::Hidden).size(), 1);

    const auto loaded = loadOrCreateSigningKey(dataDir);

    QVERIFY2(loaded.ok(), qPrintable(failureText(loaded)));
    QCOMPARE(loaded->kid(), created->kid());
    QCOMPARE(loaded->publicJwk(), created->publicJwk());
    QVERIFY(created->verify("data", loaded->sign("data").value()));
}

void TestJose::loadOrCreateRejectsCorruptFile()
{
    QTemporaryDir temporary;
    QVERIFY(temporary.isValid());
    QFile file(temporary.filePath(QStringLiteral("signing-key.pem")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a key\n");
    file.close();
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));

    const auto loaded = loadOrCreateSigningKey(temporary.path());

    QVERIFY(!loaded.ok());
    QVERIFY(loaded.error().message.contains(QStringLiteral("signing-key.pem")));
    // The broken file is left for the operator, not replaced with a new key.
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("not a key\n"));
}

void TestJose::loadOrCreateWarnsAboutReadableKey()
{
    QTemporaryDir temporary;
    QVERIFY(temporary.isValid());
    QFile file(temporary.filePath(QStringLiteral("signing-key.pem")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(m_second->privatePem());
    file.close();
    QVERIFY(file.setPermissions(
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));

    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("is readable or writable by other users")));
    const auto loaded = loadOrCreateSigningKey(temporary.path());

    QVERIFY2(loaded.ok(), qPrintable(failureText(loaded)));
    QCOMPARE(loaded->kid(), m_second->kid());
}

void TestJose::nodeWebCryptoVerifiesToken()
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty())
        QSKIP("node is not installed");

    // WebCrypto is built into Node, so this needs no package download. It accepts only raw r || s
    // ECDSA signatures, as JWS does.
    const QString script = QStringLiteral(R"(
const { webcrypto } = require('node:crypto');
const [jwkText, token] = process.argv.slice(1);
(async () => {
  const { kty, crv, x, y } = JSON.parse(jwkText);
  const key = await webcrypto.subtle.importKey('jwk', { kty, crv, x, y },
      { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const [h, p, s] = token.split('.');
  const ok = await webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key,
      Buffer.from(s, 'base64url'), Buffer.from(h + '.' + p, 'ascii'));
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  console.log(ok && header.alg === 'ES256' ? 'verified' : 'rejected');
})().catch((e) => { console.log('error: ' + e.message); });
)");
    const QByteArray token = validToken();
    const QString jwk = QString::fromUtf8(jsonBytes(m_key->publicJwk()));

    QProcess valid;
    valid.start(node, { QStringLiteral("-e"), script, jwk, QString::fromLatin1(token) });
    QTRY_COMPARE_WITH_TIMEOUT(valid.state(), QProcess::NotRunning, 30000);
    QCOMPARE(valid.readAllStandardOutput().trimmed(), QByteArray("verified"));

    // The same check must be able to fail, or "verified" above would prove nothing.
    QByteArray tampered = token;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    QProcess invalid;
    invalid.start(node, { QStringLiteral("-e"), script, jwk, QString::fromLatin1(tampered) });
    QTRY_COMPARE_WITH_TIMEOUT(invalid.state(), QProcess::NotRunning, 30000);
    QCOMPARE(invalid.readAllStandardOutput().trimmed(), QByteArray("rejected"));
}

QTEST_GUILESS_MAIN(TestJose)
#include "tst_jose.moc"
