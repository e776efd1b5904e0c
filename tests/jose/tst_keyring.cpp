// The signing key ring in a data folder: the active key, rotation, the durable record of each
// key's last token expiry, removal of retired keys, recovery from interrupted rotations, and the
// lock that keeps a second owner out.

#include "core/base/rfc3339.h"
#include "core/jose/jose.h"
#include "core/jose/keyring.h"
#include "core/json/json.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Recourse;
using namespace Recourse::Jose;

namespace {

const QString kIssuer = QStringLiteral("https://pdp.example.com");
const QString kTyp = QStringLiteral("recourse-binding+jwt");
constexpr qint64 kNowSeconds = 1'796'378'400; // 2026-12-04T10:00:00Z
constexpr qint64 kMarginMs = 15 * 60 * 1000;

template <typename T> QString failureText(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

mode_t modeOf(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return 0;
    return info.st_mode & 0777;
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const auto parsed = Json::parseObject(file.readAll());
    return parsed ? parsed.value() : QJsonObject();
}

// The last token expiry in the record at `path`, in ms, or 0 when the record has none.
qint64 recordedExpiry(const QString &path)
{
    const auto parsed = Rfc3339::parse(readJson(path).value(u"last_token_exp").toString());
    return parsed ? parsed.value() : 0;
}

QString recordPath(const QString &dataDir, const QString &kid)
{
    return QDir(dataDir).filePath(QStringLiteral("signing-keys/%1.json").arg(kid));
}

QString retiredKeyPath(const QString &dataDir, const QString &kid)
{
    return QDir(dataDir).filePath(QStringLiteral("signing-keys/%1.pem").arg(kid));
}

// Signs a token that expires at `expSeconds` with the ring's active key.
Result<QByteArray> signExpiringAt(const KeyRing &ring, qint64 expSeconds)
{
    const QJsonObject claims{{QStringLiteral("iss"), kIssuer},
                             {QStringLiteral("iat"), double(kNowSeconds)},
                             {QStringLiteral("exp"), double(expSeconds)}};
    return signCompact(*ring.activeKey(), kTyp, claims);
}

std::optional<KeyInfo> infoOf(const KeyRing &ring, const QString &kid)
{
    for (const KeyInfo &info : ring.keys()) {
        if (info.key->kid() == kid)
            return info;
    }
    return std::nullopt;
}

} // namespace

class TestKeyRing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openCreatesOwnerOnlyKeyAndRecord();
    void signingRecordsExpiryBeforeReturning();
    void tokenWithoutExpIsNotSigned();
    void rotationRetiresPreviousKey();
    void rotationSurvivesReopen();
    void settleStoresExactExpiry();
    void closeStoresExactExpiry();
    void removeDeletesRetiredKeyFiles();
    void removeRejectsActiveOrUnsettledKey();
    void interruptedRotationIsUndone();
    void strayRecordIsRemoved();
    void legacyKeyIsUnrecordedUntilCovered();
    void secondOpenIsRejected();
    void keyOutlivingRingFailsToSign();
    void keySetStopsTrustingRetiredKey();

private:
    std::unique_ptr<KeyRing> openRing(const QString &dataDir)
    {
        auto ring = KeyRing::open(dataDir);
        if (!ring) {
            qWarning("open failed: %s", qPrintable(ring.error().message));
            return nullptr;
        }
        return std::move(ring).value();
    }
};

void TestKeyRing::openCreatesOwnerOnlyKeyAndRecord()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const auto ring = openRing(dir.path());

    QVERIFY(ring);
    const QList<KeyInfo> keys = ring->keys();
    QCOMPARE(keys.size(), 1);
    QVERIFY(keys.first().active);
    QVERIFY(keys.first().recorded);
    QVERIFY(!keys.first().lastTokenExpiryMs);
    const QString kid = ring->activeKey()->kid();
    QCOMPARE(modeOf(dir.filePath(QStringLiteral("signing-key.pem"))), mode_t(0600));
    QCOMPARE(modeOf(recordPath(dir.path(), kid)), mode_t(0600));
    QCOMPARE(readJson(recordPath(dir.path(), kid)).value(u"kid").toString(), kid);
}

void TestKeyRing::signingRecordsExpiryBeforeReturning()
{
    QTemporaryDir dir;
    const auto ring = openRing(dir.path());
    QVERIFY(ring);
    const QString kid = ring->activeKey()->kid();

    QVERIFY(signExpiringAt(*ring, kNowSeconds + 300).ok());

    // The stored bound covers the token with a margin, so the next tokens need no write.
    const qint64 bound = recordedExpiry(recordPath(dir.path(), kid));
    QCOMPARE(bound, (kNowSeconds + 300) * 1000 + kMarginMs);
    QVERIFY(signExpiringAt(*ring, kNowSeconds + 600).ok());
    QCOMPARE(recordedExpiry(recordPath(dir.path(), kid)), bound);

    // A token past the bound raises it before it is returned.
    QVERIFY(signExpiringAt(*ring, kNowSeconds + 7200).ok());
    QCOMPARE(recordedExpiry(recordPath(dir.path(), kid)), (kNowSeconds + 7200) * 1000 + kMarginMs);
}

void TestKeyRing::tokenWithoutExpIsNotSigned()
{
    QTemporaryDir dir;
    const auto ring = openRing(dir.path());
    QVERIFY(ring);

    const auto token = signCompact(*ring->activeKey(), kTyp, QJsonObject{{QStringLiteral("iss"), kIssuer}});

    QVERIFY(!token.ok());
    QVERIFY2(token.error().message.contains(QStringLiteral("exp")), qPrintable(token.error().message));
}

void TestKeyRing::rotationRetiresPreviousKey()
{
    QTemporaryDir dir;
    const auto ring = openRing(dir.path());
    QVERIFY(ring);
    const QString oldKid = ring->activeKey()->kid();
    QVERIFY(signExpiringAt(*ring, kNowSeconds + 300).ok());

    const auto retired = ring->rotate(kNowSeconds * 1000);

    QVERIFY2(retired.ok(), qPrintable(failureText(retired)));
    QCOMPARE(retired.value()->kid(), oldKid);
    const QString newKid = ring->activeKey()->kid();
    QVERIFY(newKid != oldKid);
    const QList<KeyInfo> keys = ring->keys();
    QCOMPARE(keys.size(), 2);
    QCOMPARE(keys.at(0).key->kid(), newKid);
    QVERIFY(keys.at(0).active);
    QCOMPARE(keys.at(1).key->kid(), oldKid);
    QVERIFY(!keys.at(1).active);
    QVERIFY(!keys.at(1).settled);
    QCOMPARE(keys.at(1).retiredMs, kNowSeconds * 1000);
    QCOMPARE(modeOf(retiredKeyPath(dir.path(), oldKid)), mode_t(0600));
    QCOMPARE(modeOf(dir.filePath(QStringLiteral("signing-key.pem"))), mode_t(0600));
    QCOMPARE(loadOrCreateSigningKey(dir.path()).value().kid(), newKid);

    // New tokens carry the new kid.
    const auto token = signExpiringAt(*ring, kNowSeconds + 60);
    QVERIFY(token.ok());
    const auto headerBytes = base64UrlDecode(token.value().split('.').first());
    QVERIFY(headerBytes.ok());
    const auto header = Json::parseObject(headerBytes.value());
    QVERIFY(header.ok());
    QCOMPARE(header->value(u"kid").toString(), newKid);
}

void TestKeyRing::rotationSurvivesReopen()
{
    QTemporaryDir dir;
    QString oldKid;
    QString newKid;
    {
        const auto ring = openRing(dir.path());
        QVERIFY(ring);
        oldKid = ring->activeKey()->kid();
        QVERIFY(signExpiringAt(*ring, kNowSeconds + 300).ok());
        QVERIFY(ring->rotate(kNowSeconds * 1000).ok());
        QVERIFY(ring->settle(oldKid).ok());
        newKid = ring->activeKey()->kid();
    }

    const auto reopened = openRing(dir.path());

    QVERIFY(reopened);
    QCOMPARE(reopened->activeKey()->kid(), newKid);
    const std::optional<KeyInfo> old = infoOf(*reopened, oldKid);
    QVERIFY(old);
    QVERIFY(!old->active);
    QVERIFY(old->settled);
    QVERIFY(old->recorded);
    QCOMPARE(old->retiredMs, kNowSeconds * 1000);
    QCOMPARE(old->lastTokenExpiryMs, std::optional<qint64>((kNowSeconds + 300) * 1000));
    QVERIFY(old->key->hasPrivateKey());
}

void TestKeyRing::settleStoresExactExpiry()
{
    QTemporaryDir dir;
    const auto ring = openRing(dir.path());
    QVERIFY(ring);
    const auto retired = ring->rotate(kNowSeconds * 1000);
    QVERIFY(retired.ok());
    const QString oldKid = retired.value()->kid();

    // A job queued before the rotation still signs with the retired key.
    const QJsonObject claims{{QStringLiteral("exp"), double(kNowSeconds + 900)}};
    QVERIFY(signCompact(*retired.value(), kTyp, claims).ok());
    QVERIFY(!infoOf(*ring, oldKid)->settled);

    QVERIFY(ring->settle(oldKid).ok());

    QVERIFY(infoOf(*ring, oldKid)->settled);
    QCOMPARE(infoOf(*ring, oldKid)->lastTokenExpiryMs, std::optional<qint64>((kNowSeconds + 900) * 1000));
    const QJsonObject record = readJson(recordPath(dir.path(), oldKid));
    QCOMPARE(record.value(u"last_token_exp").toString(), Rfc3339::format((kNowSeconds + 900) * 1000));
    QCOMPARE(record.value(u"retired_at").toString(), Rfc3339::format(kNowSeconds * 1000));
}

void TestKeyRing::closeStoresExactExpiry()
{
    QTemporaryDir dir;
    const auto ring = openRing(dir.path());
    QVERIFY(ring);
    const QString kid = ring->activeKey()->kid();
    QVERIFY(signExpiringAt(*ring, kNowSeconds + 300).ok());

    QVERIFY(ring->close().ok());

    QCOMPARE(readJson(recordPath(dir.path(), kid)).value(u"last_token_exp").toString(),
             Rfc3339::format((kNowSeconds + 300) * 1000));
}

void TestKeyRing::removeDeletesRetiredKeyFiles()
{
    QTemporaryDir dir;
    QString oldKid;
    {
        const auto ring = openRing(dir.path());
        QVERIFY(ring);
        oldKid = ring->activeKey()->kid();
        QVERIFY(ring->rotate(kNowSeconds * 1000).ok());
        QVERIFY(ring->settle(oldKid).ok());

        QVERIFY(ring->remove(oldKid).ok());

        QCOMPARE(ring->keys().size(), 1);
        QVERIFY(!QFile::exists(retiredKeyPath(dir.path(), oldKid)));
        QVERIFY(!QFile::exists(recordPath(dir.path(), oldKid)));
    }
    const auto reopened = openRing(dir.path());
    QVERIFY(reopened);
    QCOMPARE(reopened->keys().size(), 1);
}

void TestKeyRing::removeRejectsActiveOrUnsettledKey()
{
    QTemporaryDir dir;
    const auto ring = openRing(dir.path());
    QVERIFY(ring);
    const QString oldKid = ring->activeKey()->kid();
    QVERIFY(ring->rotate(kNowSeconds * 1000).ok());

    QVERIFY(!ring->remove(ring->activeKey()->kid()).ok());
    QVERIFY(!ring->remove(oldKid).ok());
    QVERIFY(QFile::exists(retiredKeyPath(dir.path(), oldKid)));
    QCOMPARE(ring->keys().size(), 2);
}

void TestKeyRing::interruptedRotationIsUndone()
{
    QTemporaryDir dir;
    QString kid;
    QByteArray pem;
    {
        const auto ring = openRing(dir.path());
        QVERIFY(ring);
        kid = ring->activeKey()->kid();
        pem = ring->activeKey()->privatePem();
    }
    // What a crash leaves after the retired copy was written but before the new key took over.
    QFile copy(retiredKeyPath(dir.path(), kid));
    QVERIFY(copy.open(QIODevice::WriteOnly));
    copy.write(pem);
    copy.close();
    QFile record(recordPath(dir.path(), kid));
    QVERIFY(record.open(QIODevice::WriteOnly));
    record.write(R"({"kid":")" + kid.toLatin1() + R"(","retired_at":"2026-12-04T10:00:00Z"})");
    record.close();

    const auto reopened = openRing(dir.path());

    QVERIFY(reopened);
    QCOMPARE(reopened->activeKey()->kid(), kid);
    QCOMPARE(reopened->keys().size(), 1);
    QVERIFY(!QFile::exists(retiredKeyPath(dir.path(), kid)));
    QVERIFY(!readJson(recordPath(dir.path(), kid)).contains(u"retired_at"));
}

void TestKeyRing::strayRecordIsRemoved()
{
    QTemporaryDir dir;
    {
        const auto ring = openRing(dir.path());
        QVERIFY(ring);
    }
    // A rotation that failed after writing the new key's record leaves it behind.
    const QString stray = recordPath(dir.path(), QStringLiteral("never-activated"));
    QFile record(stray);
    QVERIFY(record.open(QIODevice::WriteOnly));
    record.write(R"({"kid":"never-activated"})");
    record.close();

    const auto reopened = openRing(dir.path());

    QVERIFY(reopened);
    QVERIFY(!QFile::exists(stray));
}

void TestKeyRing::legacyKeyIsUnrecordedUntilCovered()
{
    QTemporaryDir dir;
    // A data folder from before key rotation has only signing-key.pem.
    const auto legacy = loadOrCreateSigningKey(dir.path());
    QVERIFY(legacy.ok());

    const auto ring = openRing(dir.path());

    QVERIFY(ring);
    QCOMPARE(ring->activeKey()->kid(), legacy->kid());
    QVERIFY(!ring->keys().first().recorded);
    QVERIFY(ring->coverUnrecordedTokens(legacy->kid(), (kNowSeconds + 3600) * 1000).ok());
    QVERIFY(ring->keys().first().recorded);
    QCOMPARE(ring->keys().first().lastTokenExpiryMs, std::optional<qint64>((kNowSeconds + 3600) * 1000));
    QCOMPARE(readJson(recordPath(dir.path(), legacy->kid())).value(u"last_token_exp").toString(),
             Rfc3339::format((kNowSeconds + 3600) * 1000));
}

void TestKeyRing::secondOpenIsRejected()
{
    QTemporaryDir dir;
    const auto first = openRing(dir.path());
    QVERIFY(first);

    const auto second = KeyRing::open(dir.path());

    QVERIFY(!second.ok());
    QVERIFY2(second.error().message.contains(QStringLiteral("in use")), qPrintable(second.error().message));
}

void TestKeyRing::keyOutlivingRingFailsToSign()
{
    QTemporaryDir dir;
    std::shared_ptr<const SigningKey> key;
    {
        const auto ring = openRing(dir.path());
        QVERIFY(ring);
        key = ring->activeKey();
    }

    const auto token = signCompact(*key, kTyp, QJsonObject{{QStringLiteral("exp"), double(kNowSeconds + 60)}});

    QVERIFY(!token.ok());
}

void TestKeyRing::keySetStopsTrustingRetiredKey()
{
    const auto active = SigningKey::generate({});
    const auto retired = SigningKey::generate({});
    QVERIFY(active.ok() && retired.ok());
    KeySet keys;
    QVERIFY(keys.tryAdd(kIssuer, active->publicJwk()).ok());
    QVERIFY(keys.tryAdd(kIssuer, retired->publicJwk()).ok());

    keys.retireAfter(retired->kid(), kNowSeconds + 330);

    QVERIFY(keys.find(kIssuer, retired->kid(), kNowSeconds + 330));
    QVERIFY(!keys.find(kIssuer, retired->kid(), kNowSeconds + 331));
    QVERIFY(keys.find(kIssuer, active->kid(), kNowSeconds + 100000));
    QCOMPARE(keys.toJwks(kNowSeconds + 330).value(u"keys").toArray().size(), 2);
    QCOMPARE(keys.toJwks(kNowSeconds + 331).value(u"keys").toArray().size(), 1);

    // verifyCompact judges the kid at the verifier's now, even when it checks no times itself.
    VerifyOptions options;
    options.typ = kTyp;
    options.expectedIssuer = kIssuer;
    options.audience = kIssuer;
    options.validateTime = false;
    const QJsonObject claims{{QStringLiteral("iss"), kIssuer}, {QStringLiteral("aud"), kIssuer},
                             {QStringLiteral("exp"), double(kNowSeconds + 300)}};
    const QByteArray token = signCompact(*retired, kTyp, claims).value();
    options.nowSeconds = kNowSeconds + 330;
    QVERIFY(verifyCompact(token, keys, options).ok());
    options.nowSeconds = kNowSeconds + 331;
    const auto rejected = verifyCompact(token, keys, options);
    QVERIFY(!rejected.ok());
    QVERIFY2(rejected.error().message.contains(QStringLiteral("kid")), qPrintable(rejected.error().message));

    keys.remove(retired->kid());
    QVERIFY(!keys.find(kIssuer, retired->kid()));
    QCOMPARE(keys.size(), 1);
}

QTEST_GUILESS_MAIN(TestKeyRing)
#include "tst_keyring.moc"
