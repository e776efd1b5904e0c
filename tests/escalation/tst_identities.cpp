// Bearer token look-ups of the identity registry, and the per-thread memory of the last token
// that lets a repeated token skip SHA-256.

#include "core/escalation/identities.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QTest>
#include <QThread>

#include <memory>

using namespace Recourse::Escalation;

namespace {

Identity pep(const QString &id)
{
    Identity identity;
    identity.id = id;
    identity.role = Role::Pep;
    return identity;
}

} // namespace

class IdentitiesTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void repeatedTokenFindsSameIdentity();
    void tokenOfSameLengthIsRejected();
    void rememberedTokenDoesNotCrossRegistries();
    void newIdentityIsSeenAfterALookup();
    void otherThreadsAuthenticateOnTheirOwn();
    void hashedTokenFromConfig();
    void shortTokenWarned();
};

void IdentitiesTest::repeatedTokenFindsSameIdentity()
{
    IdentityRegistry registry;
    QVERIFY(registry.add(pep(QStringLiteral("pep-a")), QStringLiteral("secret-a")).ok());
    QVERIFY(registry.add(pep(QStringLiteral("pep-b")), QStringLiteral("secret-b")).ok());

    for (int i = 0; i < 3; ++i) {
        QCOMPARE(registry.authenticate("secret-a")->id, QStringLiteral("pep-a"));
        QCOMPARE(registry.authenticate("secret-b")->id, QStringLiteral("pep-b"));
        QCOMPARE(registry.authenticate("secret-b")->id, QStringLiteral("pep-b"));
    }
}

// A token that differs from the remembered one in one byte, first or last, is not accepted.
void IdentitiesTest::tokenOfSameLengthIsRejected()
{
    IdentityRegistry registry;
    QVERIFY(registry.add(pep(QStringLiteral("pep-a")), QStringLiteral("secret-a")).ok());
    QVERIFY(registry.authenticate("secret-a"));

    QVERIFY(!registry.authenticate("secret-b"));
    QVERIFY(!registry.authenticate("Secret-a"));
    QVERIFY(!registry.authenticate("secret-"));
    QVERIFY(!registry.authenticate("secret-aa"));
    QVERIFY(!registry.authenticate(""));
    QCOMPARE(registry.authenticate("secret-a")->id, QStringLiteral("pep-a"));
}

// The remembered look-up belongs to one registry. A second registry, even one built at the
// address of a destroyed one, returns only its own identities.
void IdentitiesTest::rememberedTokenDoesNotCrossRegistries()
{
    IdentityRegistry first;
    QVERIFY(first.add(pep(QStringLiteral("pep-a")), QStringLiteral("shared-token")).ok());
    QCOMPARE(first.authenticate("shared-token")->id, QStringLiteral("pep-a"));

    IdentityRegistry second;
    QVERIFY(!second.authenticate("shared-token"));

    auto storage = std::make_unique<std::aligned_storage_t<sizeof(IdentityRegistry), alignof(IdentityRegistry)>>();
    auto *reused = new (storage.get()) IdentityRegistry;
    QVERIFY(reused->add(pep(QStringLiteral("pep-old")), QStringLiteral("reused-token")).ok());
    QCOMPARE(reused->authenticate("reused-token")->id, QStringLiteral("pep-old"));
    reused->~IdentityRegistry();

    reused = new (storage.get()) IdentityRegistry;
    QVERIFY(!reused->authenticate("reused-token"));
    QVERIFY(reused->add(pep(QStringLiteral("pep-new")), QStringLiteral("reused-token")).ok());
    QCOMPARE(reused->authenticate("reused-token")->id, QStringLiteral("pep-new"));
    reused->~IdentityRegistry();
}

void IdentitiesTest::newIdentityIsSeenAfterALookup()
{
    IdentityRegistry registry;
    QVERIFY(registry.add(pep(QStringLiteral("pep-a")), QStringLiteral("secret-a")).ok());
    QVERIFY(registry.authenticate("secret-a"));
    QVERIFY(!registry.authenticate("secret-c"));

    QVERIFY(registry.add(pep(QStringLiteral("pep-c")), QStringLiteral("secret-c")).ok());

    QCOMPARE(registry.authenticate("secret-c")->id, QStringLiteral("pep-c"));
    QCOMPARE(registry.authenticate("secret-a")->id, QStringLiteral("pep-a"));
}

void IdentitiesTest::otherThreadsAuthenticateOnTheirOwn()
{
    IdentityRegistry registry;
    QVERIFY(registry.add(pep(QStringLiteral("pep-a")), QStringLiteral("secret-a")).ok());
    QVERIFY(registry.add(pep(QStringLiteral("pep-b")), QStringLiteral("secret-b")).ok());
    QCOMPARE(registry.authenticate("secret-a")->id, QStringLiteral("pep-a"));

    QStringList seen;
    std::unique_ptr<QThread> thread(QThread::create([&registry, &seen] {
        for (const char *token : {"secret-b", "secret-a", "wrong-tok", "secret-b"}) {
            const std::optional<Identity> identity = registry.authenticate(token);
            seen.append(identity ? identity->id : QStringLiteral("none"));
        }
    }));
    thread->start();
    QVERIFY(thread->wait(10000));

    QCOMPARE(seen, (QStringList{QStringLiteral("pep-b"), QStringLiteral("pep-a"), QStringLiteral("none"),
                                QStringLiteral("pep-b")}));
    QCOMPARE(registry.authenticate("secret-a")->id, QStringLiteral("pep-a"));
}

void IdentitiesTest::hashedTokenFromConfig()
{
    const QString hash = QString::fromLatin1(QCryptographicHash::hash("from-config", QCryptographicHash::Sha256).toHex());
    const QJsonObject config{
        {QStringLiteral("identities"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("pep-h")},
                                {QStringLiteral("role"), QStringLiteral("pep")},
                                {QStringLiteral("token_sha256"), hash}}}}};
    IdentityRegistry registry;
    const auto loaded = registry.load(config);
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message));

    QCOMPARE(registry.authenticate("from-config")->id, QStringLiteral("pep-h"));
    QCOMPARE(registry.authenticate("from-config")->id, QStringLiteral("pep-h"));
    QVERIFY(!registry.authenticate("from-confih"));
}

void IdentitiesTest::shortTokenWarned()
{
    const auto entry = [](const char *id, const char *role, const char *member, const QString &token) {
        return QJsonObject{{QStringLiteral("id"), QLatin1String(id)},
                           {QStringLiteral("role"), QLatin1String(role)},
                           {QLatin1String(member), token}};
    };
    const QString hash = QString::fromLatin1(QCryptographicHash::hash("x", QCryptographicHash::Sha256).toHex());
    const QJsonObject config{
        {QStringLiteral("identities"),
         QJsonArray{entry("root", "admin", "token", QStringLiteral("z")),
                    entry("pep-long", "pep", "token", QStringLiteral("0123456789abcdef")),
                    entry("pep-short", "pep", "token", QStringLiteral("0123456789abcde")),
                    entry("pep-hashed", "pep", "token_sha256", hash),
                    // Eight emoji are 16 UTF-16 units but 8 characters.
                    entry("pep-emoji", "pep", "token", QString::fromUtf8("🔑🔑🔑🔑🔑🔑🔑🔑"))}}};
    IdentityRegistry registry;
    const auto loaded = registry.load(config);
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message));

    // The short tokens still authenticate, and each gets one warning that names its identity and
    // length but not the token itself. A hashed token's length is unknown, so it gets none.
    QCOMPARE(registry.authenticate("z")->id, QStringLiteral("root"));
    const QStringList warnings = registry.warnings();
    QCOMPARE(warnings.size(), 3);
    QVERIFY2(warnings.at(0).startsWith(QStringLiteral("The identity root has a token of 1 character, which can be guessed")),
             qPrintable(warnings.at(0)));
    QVERIFY2(warnings.at(1).startsWith(QStringLiteral("The identity pep-short has a token of 15 characters")),
             qPrintable(warnings.at(1)));
    QVERIFY(!warnings.at(1).contains(QStringLiteral("0123456789abcde")));
    QVERIFY2(warnings.at(2).startsWith(QStringLiteral("The identity pep-emoji has a token of 8 characters")),
             qPrintable(warnings.at(2)));
}

QTEST_GUILESS_MAIN(IdentitiesTest)
#include "tst_identities.moc"
