#include "policytesthelpers.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace Recourse::Policy;
using namespace PolicyTest;

class TestPolicyStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void openLoadsFolder();
    void openFailsOnMissingFolder();
    void openFailsOnBrokenPolicy();
    void liveReloadKeepsLastGoodPolicy();
    void newFileIsPickedUp();
    void removedFileIsDropped();
    void currentIsSafeAcrossThreads();

private:
    void writeFile(const QString &name, const QByteArray &content);
    Effect readEffect(const PolicyStore &store) const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

static const QByteArray kPermitRead = R"({"rules": [{"id": "read", "effect": "permit", "match": {"action.name": "read"}}]})";
static const QByteArray kForbidRead = R"({"rules": [{"id": "read", "effect": "forbid", "match": {"action.name": "read"}}]})";

void TestPolicyStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestPolicyStore::writeFile(const QString &name, const QByteArray &content)
{
    QFile file(m_dir->filePath(name));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(content), content.size());
}

Effect TestPolicyStore::readEffect(const PolicyStore &store) const
{
    return store.current()->evaluate(request(R"({"subject": {"type": "user", "id": "a"}, "action": {"name": "read"}})")).effect;
}

void TestPolicyStore::openLoadsFolder()
{
    writeFile(QStringLiteral("rules.json"), kPermitRead);

    PolicyStore store;
    const auto opened = store.open(m_dir->path());
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
    QVERIFY(store.current());
    QCOMPARE(store.folder(), QDir(m_dir->path()).absolutePath());
    QVERIFY(store.lastErrors().isEmpty());
    QCOMPARE(readEffect(store), Effect::Permit);
}

void TestPolicyStore::openFailsOnMissingFolder()
{
    PolicyStore store;
    const auto opened = store.open(m_dir->filePath(QStringLiteral("absent")));
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, Recourse::ErrorCode::NotFound);
    QVERIFY(!store.current());
}

void TestPolicyStore::openFailsOnBrokenPolicy()
{
    writeFile(QStringLiteral("rules.json"), "{\n  \"rules\": [\n    {\"id\": \"x\", \"effect\": \"maybe\"}\n  ]\n}");

    PolicyStore store;
    const auto opened = store.open(m_dir->path());
    QVERIFY(!opened.ok());
    QVERIFY2(opened.error().message.contains(QStringLiteral("rules.json:3:")), qPrintable(opened.error().message));
    QVERIFY(!store.current());
    QCOMPARE(store.lastErrors().size(), 1);
    QCOMPARE(store.lastErrors().first().line, 3);
}

void TestPolicyStore::liveReloadKeepsLastGoodPolicy()
{
    writeFile(QStringLiteral("rules.json"), kPermitRead);
    PolicyStore store;
    QVERIFY(store.open(m_dir->path()).ok());
    QSignalSpy reloaded(&store, &PolicyStore::reloaded);
    const auto first = store.current();

    // Given a change to the file, the store swaps in the new policy on its own.
    writeFile(QStringLiteral("rules.json"), kForbidRead);
    QTRY_COMPARE(readEffect(store), Effect::Forbid);
    QVERIFY(store.current() != first);
    QVERIFY(store.lastErrors().isEmpty());
    QTRY_VERIFY(!reloaded.isEmpty());
    QCOMPARE(reloaded.last().first().toBool(), true);

    // A broken edit keeps serving the last good policy and reports where the problem is.
    reloaded.clear();
    writeFile(QStringLiteral("rules.json"), "{\n  \"rules\": [\n    {\"id\": \"read\", \"effect\": \"permit\",\n     \"when\": {\"attr\": \"subject.id\", \"equalz\": \"a\"}}\n  ]\n}");
    QTRY_VERIFY(!store.lastErrors().isEmpty());
    QCOMPARE(readEffect(store), Effect::Forbid);
    const LoadError error = store.lastErrors().first();
    QCOMPARE(error.file, QStringLiteral("rules.json"));
    QCOMPARE(error.line, 4);
    QVERIFY(error.message.contains(QStringLiteral("unknown operator \"equalz\"")));
    QTRY_VERIFY(!reloaded.isEmpty());
    QCOMPARE(reloaded.last().first().toBool(), false);

    // Fixing the file clears the errors.
    writeFile(QStringLiteral("rules.json"), kPermitRead);
    QTRY_COMPARE(readEffect(store), Effect::Permit);
    QVERIFY(store.lastErrors().isEmpty());
}

void TestPolicyStore::newFileIsPickedUp()
{
    writeFile(QStringLiteral("10-rules.json"), kPermitRead);
    PolicyStore store;
    QVERIFY(store.open(m_dir->path()).ok());

    writeFile(QStringLiteral("20-forbid.json"), R"({"rules": [{"id": "forbid-read", "effect": "forbid", "match": {"action.name": "read"}}]})");
    QTRY_COMPARE(readEffect(store), Effect::Forbid);
    QCOMPARE(store.current()->files().size(), 2);

    // The new file is watched too: editing it reloads again.
    writeFile(QStringLiteral("20-forbid.json"), R"({"rules": []})");
    QTRY_COMPARE(readEffect(store), Effect::Permit);
}

void TestPolicyStore::removedFileIsDropped()
{
    writeFile(QStringLiteral("10-rules.json"), kPermitRead);
    writeFile(QStringLiteral("20-forbid.json"), R"({"rules": [{"id": "forbid-read", "effect": "forbid", "match": {"action.name": "read"}}]})");
    PolicyStore store;
    QVERIFY(store.open(m_dir->path()).ok());
    QCOMPARE(readEffect(store), Effect::Forbid);

    QVERIFY(QFile::remove(m_dir->filePath(QStringLiteral("20-forbid.json"))));
    QTRY_COMPARE(readEffect(store), Effect::Permit);
    QCOMPARE(store.current()->files(), QStringList{QStringLiteral("10-rules.json")});
}

void TestPolicyStore::currentIsSafeAcrossThreads()
{
    writeFile(QStringLiteral("rules.json"), kPermitRead);
    PolicyStore store;
    QVERIFY(store.open(m_dir->path()).ok());

    std::atomic<bool> stop{false};
    std::atomic<int> evaluations{0};
    std::atomic<int> unexpected{0};
    std::thread reader([&] {
        const Request read = request(R"({"action": {"name": "read"}})");
        while (!stop.load()) {
            const auto set = store.current();
            const Effect effect = set->evaluate(read).effect;
            if (effect != Effect::Permit && effect != Effect::Forbid)
                ++unexpected;
            ++evaluations;
        }
    });

    for (int i = 0; i < 50; ++i) {
        writeFile(QStringLiteral("rules.json"), i % 2 ? kPermitRead : kForbidRead);
        QVERIFY(store.reload());
    }
    QTRY_VERIFY(evaluations.load() > 0);
    stop = true;
    reader.join();
    QCOMPARE(unexpected.load(), 0);
}

QTEST_GUILESS_MAIN(TestPolicyStore)
#include "tst_policystore.moc"
