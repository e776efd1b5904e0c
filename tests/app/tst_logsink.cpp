// The log line formats of the recourse executable: JSON members, text escaping, and the structured
// members attached with Log::ScopedFields.

#include "app/logsink.h"
#include "core/base/logfields.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace Recourse;
using namespace Recourse::App;

Q_DECLARE_METATYPE(Recourse::App::LogFormat)

namespace {

constexpr qint64 kNowMs = 1796378400123; // 2026-12-04T10:00:00.123Z

// Long enough that the flusher never writes on its own during a test.
constexpr int kNeverMs = 3600 * 1000;

QJsonObject parsed(const QByteArray &line)
{
    return QJsonDocument::fromJson(line).object();
}

// A log file in a temporary folder, open for writing until the object goes away. Declare it
// before the LogWriter that writes to it, so the writer is destroyed first.
class TempLog
{
public:
    TempLog() : m_path(m_dir.filePath(QStringLiteral("log"))), m_file(std::fopen(QFile::encodeName(m_path).constData(), "w")) { }
    ~TempLog()
    {
        if (m_file)
            std::fclose(m_file);
    }
    Q_DISABLE_COPY_MOVE(TempLog)

    std::FILE *file() const { return m_file; }

    QByteArray contents() const
    {
        QFile file(m_path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::FILE *m_file;
};

} // namespace

class TestLogSink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonLineHasCoreMembers();
    void fieldsCannotReplaceCoreMembers();
    void textLineEscapesControls();
    void scopedFieldsNestAndRestore();
    void jsonLineEscapesEveryValue();
    void textValuesCannotForgeFields();
    void textLineEscapesUnicodeControls();
    void laterFieldOverridesEarlier();
    void plainTextLineExact_data();
    void plainTextLineExact();
    void numberFieldsMatchQtFormat_data();
    void numberFieldsMatchQtFormat();
    void requestLineMatchesGenericLine_data();
    void requestLineMatchesGenericLine();
    void requestLineLeavesOddValues_data();
    void requestLineLeavesOddValues();
    void optionValues_data();
    void optionValues();
    void routineLinesWaitForUrgentOne();
    void pendingLinesWrittenAtDestruction();
    void pendingLinesBounded();
    void flusherWritesAfterDelay();
};

void TestLogSink::jsonLineHasCoreMembers()
{
    const QByteArray line = formatLogLine(LogFormat::Json, QtInfoMsg, "recourse.http", QStringLiteral("GET /healthz 200"),
                                          Log::Fields().add(QStringLiteral("request_id"), QStringLiteral("r-1")), kNowMs);

    const QJsonObject object = parsed(line);
    QCOMPARE(object.value(u"time").toString(), QStringLiteral("2026-12-04T10:00:00.123Z"));
    QCOMPARE(object.value(u"level").toString(), QStringLiteral("info"));
    QCOMPARE(object.value(u"category").toString(), QStringLiteral("recourse.http"));
    QCOMPARE(object.value(u"message").toString(), QStringLiteral("GET /healthz 200"));
    QCOMPARE(object.value(u"request_id").toString(), QStringLiteral("r-1"));
    QVERIFY(!line.contains('\n'));
}

void TestLogSink::fieldsCannotReplaceCoreMembers()
{
    const QJsonObject forged{{QStringLiteral("level"), QStringLiteral("debug")},
                             {QStringLiteral("message"), QStringLiteral("forged")},
                             {QStringLiteral("time"), QStringLiteral("1970-01-01T00:00:00Z")}};

    const QJsonObject object = parsed(formatLogLine(LogFormat::Json, QtWarningMsg, "recourse.service",
                                                    QStringLiteral("real"), Log::Fields(forged), kNowMs));

    QCOMPARE(object.value(u"level").toString(), QStringLiteral("warning"));
    QCOMPARE(object.value(u"message").toString(), QStringLiteral("real"));
    QCOMPARE(object.value(u"time").toString(), QStringLiteral("2026-12-04T10:00:00.123Z"));
}

void TestLogSink::textLineEscapesControls()
{
    const QByteArray line = formatLogLine(LogFormat::Text, QtInfoMsg, "recourse.http",
                                          QStringLiteral("first\nforged line\r\x01"),
                                          Log::Fields()
                                              .add(QStringLiteral("request_id"), QStringLiteral("a\nb"))
                                              .add(QStringLiteral("status"), 401),
                                          kNowMs);

    QCOMPARE(line, QByteArray("2026-12-04T10:00:00.123Z info recourse.http: first\\nforged line\\r\\x01 "
                              "request_id=a\\nb status=401"));
}

void TestLogSink::scopedFieldsNestAndRestore()
{
    QVERIFY(Log::ScopedFields::current().isEmpty());
    {
        const Log::ScopedFields outer(QJsonObject{{QStringLiteral("request_id"), QStringLiteral("r-1")}});
        {
            const Log::ScopedFields inner(QJsonObject{{QStringLiteral("task_id"), QStringLiteral("tsk_1")}});
            QCOMPARE(Log::ScopedFields::current().size(), 2);
        }
        QCOMPARE(Log::ScopedFields::current().size(), 1);
        QCOMPARE(Log::ScopedFields::current().value(u"request_id"), QStringLiteral("r-1"));
    }
    QVERIFY(Log::ScopedFields::current().isEmpty());
}

void TestLogSink::jsonLineEscapesEveryValue()
{
    const QString hostile = QStringLiteral("quote\" backslash\\ newline\n nul") + QChar(0) + QStringLiteral(" \x1f é 😀");
    const QJsonObject nested{{QStringLiteral("a"), QJsonArray{1, QStringLiteral("b\"")}}};
    const Log::Fields fields = Log::Fields(QJsonObject{{QStringLiteral("nested"), nested},
                                                       {QStringLiteral("flag"), true},
                                                       {QStringLiteral("nothing"), QJsonValue()}})
                                   .add(QStringLiteral("text"), hostile)
                                   .add(QStringLiteral("ratio"), 0.25)
                                   .add(QStringLiteral("infinite"), qInf())
                                   .add(QStringLiteral("count"), qint64(1) << 53);

    const QByteArray line = formatLogLine(LogFormat::Json, QtInfoMsg, "recourse.\"odd\"", hostile, fields, kNowMs);

    QJsonParseError error;
    const QJsonObject object = QJsonDocument::fromJson(line, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(!line.contains('\n'));
    QCOMPARE(object.value(u"message").toString(), hostile);
    QCOMPARE(object.value(u"category").toString(), QStringLiteral("recourse.\"odd\""));
    QCOMPARE(object.value(u"text").toString(), hostile);
    QCOMPARE(object.value(u"nested").toObject(), nested);
    QCOMPARE(object.value(u"flag"), QJsonValue(true));
    QVERIFY(object.value(u"nothing").isNull());
    QCOMPARE(object.value(u"ratio").toDouble(), 0.25);
    QVERIFY(object.value(u"infinite").isNull());
    QCOMPARE(object.value(u"count").toInteger(), qint64(1) << 53);
}

void TestLogSink::textValuesCannotForgeFields()
{
    const Log::Fields fields = Log::Fields()
                                   .add(QStringLiteral("status"), 401)
                                   .add(QStringLiteral("request_id"), QStringLiteral("x status=200 caller=bob"))
                                   .add(QStringLiteral("caller"), QStringLiteral("a\"b\\c"))
                                   .add(QStringLiteral("route"), QString());

    const QByteArray line = formatLogLine(LogFormat::Text, QtInfoMsg, "recourse.http", QStringLiteral("m"), fields, kNowMs);

    QVERIFY2(line.endsWith(" m status=401 request_id=\"x status=200 caller=bob\" caller=\"a\\\"b\\\\c\" route=\"\""),
             line.constData());
}

void TestLogSink::textLineEscapesUnicodeControls()
{
    const QString message = QStringLiteral("csi") + QChar(0x9b) + QStringLiteral("nel") + QChar(0x85)
        + QStringLiteral("ls") + QChar(0x2028) + QStringLiteral("ps") + QChar(0x2029) + QStringLiteral("del")
        + QChar(0x7f) + QStringLiteral("\n é 😀");

    const QByteArray text = formatLogLine(LogFormat::Text, QtInfoMsg, "recourse.http", message, {}, kNowMs);
    const QByteArray json = formatLogLine(LogFormat::Json, QtInfoMsg, "recourse.http", message, {}, kNowMs);

    QVERIFY2(text.endsWith("csi\\x9bnel\\x85ls\\u2028ps\\u2029del\\x7f\\n é 😀"), text.constData());
    QVERIFY2(json.contains("csi\\u009bnel\\u0085ls\\u2028ps\\u2029del\\u007f\\n é 😀"), json.constData());
    QCOMPARE(parsed(json).value(u"message").toString(), message);

    // Format characters that reorder or hide text, as a client could send in X-Request-ID.
    const QString hidden = QStringLiteral("x") + QChar(0x200b) + QChar(0x202e) + QStringLiteral("evil") + QChar(0xfeff)
        + QChar(0x2066) + QStringLiteral("end");
    const QByteArray hiddenText = formatLogLine(LogFormat::Text, QtInfoMsg, "recourse.http", hidden, {}, kNowMs);
    const QByteArray hiddenJson = formatLogLine(LogFormat::Json, QtInfoMsg, "recourse.http", hidden, {}, kNowMs);
    QVERIFY2(hiddenText.endsWith("x\\u200b\\u202eevil\\ufeff\\u2066end"), hiddenText.constData());
    QVERIFY2(hiddenJson.contains("x\\u200b\\u202eevil\\ufeff\\u2066end"), hiddenJson.constData());
    QCOMPARE(parsed(hiddenJson).value(u"message").toString(), hidden);
}

void TestLogSink::laterFieldOverridesEarlier()
{
    const Log::ScopedFields outer(Log::Fields().add(QStringLiteral("route"), QStringLiteral("/outer")));
    const Log::ScopedFields inner(Log::Fields().add(QStringLiteral("route"), QStringLiteral("/inner")));
    const Log::Fields &fields = Log::ScopedFields::current();

    const QJsonObject object = parsed(formatLogLine(LogFormat::Json, QtInfoMsg, "recourse.http", QStringLiteral("m"),
                                                    fields, kNowMs));
    const QByteArray text = formatLogLine(LogFormat::Text, QtInfoMsg, "recourse.http", QStringLiteral("m"), fields, kNowMs);

    QCOMPARE(object.value(u"route").toString(), QStringLiteral("/inner"));
    QVERIFY(text.endsWith(" route=/inner"));
    QCOMPARE(text.count("route="), 1);
}

void TestLogSink::plainTextLineExact_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QStringList>("fields"); // key, value, key, value...
    QTest::addColumn<QByteArray>("expected"); // after "2026-12-04T10:00:00.123Z info recourse.http: "

    QTest::newRow("request line") << QStringLiteral("POST /access/v1/evaluation 200")
                                  << QStringList{QStringLiteral("method"), QStringLiteral("POST"), QStringLiteral("status"),
                                                 QStringLiteral("200"), QStringLiteral("request_id"), QStringLiteral("r-1")}
                                  << QByteArray("POST /access/v1/evaluation 200 method=POST status=200 request_id=r-1");
    QTest::newRow("no fields") << QStringLiteral("started") << QStringList{} << QByteArray("started");
    QTest::newRow("overridden field") << QStringLiteral("m")
                                      << QStringList{QStringLiteral("a"), QStringLiteral("1"), QStringLiteral("b"),
                                                     QStringLiteral("2"), QStringLiteral("a"), QStringLiteral("3")}
                                      << QByteArray("m b=2 a=3");
    // Each of these needs the general path: quotes, an empty value, an escape.
    QTest::newRow("value with a space") << QStringLiteral("m") << QStringList{QStringLiteral("a"), QStringLiteral("x y")}
                                        << QByteArray("m a=\"x y\"");
    QTest::newRow("empty value") << QStringLiteral("m") << QStringList{QStringLiteral("a"), QString()} << QByteArray("m a=\"\"");
    QTest::newRow("value with an equals sign") << QStringLiteral("m") << QStringList{QStringLiteral("a"), QStringLiteral("b=c")}
                                               << QByteArray("m a=\"b=c\"");
    QTest::newRow("message with a tab") << QStringLiteral("a\tb") << QStringList{} << QByteArray("a\\tb");
    QTest::newRow("non-ASCII value") << QStringLiteral("m") << QStringList{QStringLiteral("a"), QStringLiteral("caf\u00e9")}
                                     << QByteArray("m a=caf\xc3\xa9");
}

// The same bytes whether a line takes the path for plain ASCII or the general one.
void TestLogSink::plainTextLineExact()
{
    QFETCH(QString, message);
    QFETCH(QStringList, fields);
    QFETCH(QByteArray, expected);
    Log::Fields added;
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2)
        added.add(fields.at(i), fields.at(i + 1));

    const QByteArray line = formatLogLine(LogFormat::Text, QtInfoMsg, "recourse.http", message, added, kNowMs);

    QCOMPARE(line, "2026-12-04T10:00:00.123Z info recourse.http: " + expected);
}

// A request line is written without the generic message path, and must read exactly as that
// path writes the same message and fields.
void TestLogSink::requestLineMatchesGenericLine_data()
{
    QTest::addColumn<LogFormat>("format");
    QTest::addColumn<QByteArray>("requestId");
    QTest::addColumn<qint64>("tenths");
    QTest::addColumn<QString>("caller");

    for (const LogFormat format : {LogFormat::Text, LogFormat::Json}) {
        const char *name = format == LogFormat::Text ? "text" : "json";
        QTest::addRow("%s, every field", name) << format << QByteArray("05d63662350de7622d37de8fd39c81cd") << qint64(7) << QStringLiteral("pep-a");
        QTest::addRow("%s, whole milliseconds", name) << format << QByteArray("r-1") << qint64(120) << QStringLiteral("bob");
        QTest::addRow("%s, zero duration", name) << format << QByteArray("r-2") << qint64(0) << QString();
        QTest::addRow("%s, no duration", name) << format << QByteArray("r-3") << qint64(-1) << QStringLiteral("bob");
        QTest::addRow("%s, no request id", name) << format << QByteArray() << qint64(31) << QString();
        QTest::addRow("%s, long duration", name) << format << QByteArray("r-4") << qint64(123456789) << QStringLiteral("audit-1");
    }
}

void TestLogSink::requestLineMatchesGenericLine()
{
    QFETCH(LogFormat, format);
    QFETCH(QByteArray, requestId);
    QFETCH(qint64, tenths);
    QFETCH(QString, caller);

    const QString route = QStringLiteral("/access/v1/requests/{id}");
    const qint64 now = 1796525400351;
    Log::RequestLine request{"recourse.http", "POST", route, 202, requestId, std::nullopt, caller};
    if (tenths >= 0)
        request.durationTenthsMs = tenths;
    Log::Fields fields;
    fields.add(QStringLiteral("method"), QStringLiteral("POST")).add(QStringLiteral("route"), route).add(QStringLiteral("status"), 202);
    if (!requestId.isEmpty())
        fields.add(QStringLiteral("request_id"), QString::fromLatin1(requestId));
    if (tenths >= 0)
        fields.add(QStringLiteral("duration_ms"), double(tenths) / 10.0);
    if (!caller.isEmpty())
        fields.add(QStringLiteral("caller"), caller);

    const std::optional<QByteArray> direct = formatRequestLine(format, request, now);
    QVERIFY(direct);
    QCOMPARE(*direct, formatLogLine(format, QtInfoMsg, "recourse.http", QStringLiteral("POST ") + route + QStringLiteral(" 202"), fields, now));
}

// Values that need quotes or escapes, and times outside years 1 to 9999, are left to the generic
// path, which quotes and escapes them.
void TestLogSink::requestLineLeavesOddValues_data()
{
    QTest::addColumn<QByteArray>("requestId");
    QTest::addColumn<QString>("caller");
    QTest::addColumn<qint64>("now");

    QTest::newRow("space in the request id") << QByteArray("x status=200") << QStringLiteral("bob") << qint64(0);
    QTest::newRow("quote in the request id") << QByteArray("a\"b") << QStringLiteral("bob") << qint64(0);
    QTest::newRow("non-ASCII request id") << QByteArray("caf\xc3\xa9") << QStringLiteral("bob") << qint64(0);
    QTest::newRow("request id over 128 bytes") << QByteArray(129, 'a') << QStringLiteral("bob") << qint64(0);
    QTest::newRow("equals sign in the caller") << QByteArray("r-1") << QStringLiteral("a=b") << qint64(0);
    QTest::newRow("year 10000") << QByteArray("r-1") << QStringLiteral("bob") << qint64(253402300800000);
}

void TestLogSink::requestLineLeavesOddValues()
{
    QFETCH(QByteArray, requestId);
    QFETCH(QString, caller);
    QFETCH(qint64, now);

    const QString route = QStringLiteral("/access/v1/evaluation");
    const Log::RequestLine request{"recourse.http", "POST", route, 200, requestId, qint64(3), caller};
    QVERIFY(!formatRequestLine(LogFormat::Text, request, now));
    QVERIFY(!formatRequestLine(LogFormat::Json, request, now));
}

void TestLogSink::numberFieldsMatchQtFormat_data()
{
    QTest::addColumn<double>("number");

    for (const double number : {0.0, -0.0, 0.1 + 0.2, 3.8, 0.5, -0.3, 12.0, 1234567.8, 9999999999999.9, 1e-7, 1e15,
                                1e21, 1.5e300, -42.25, 123456789012345678.0, 0.000123456789012345678})
        QTest::newRow(qPrintable(QString::asprintf("%.17g", number))) << number;
}

// Durations and other numbers read the same as Qt's 'g' format with 15 digits writes them.
void TestLogSink::numberFieldsMatchQtFormat()
{
    QFETCH(double, number);

    const Log::Fields fields = Log::Fields().add(QStringLiteral("n"), number);

    QCOMPARE(fields.value(u"n"), QString::number(number, 'g', 15));
}

void TestLogSink::optionValues_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("level");
    QTest::addColumn<bool>("valid");

    QTest::newRow("json and debug") << QStringLiteral("json") << QStringLiteral("debug") << true;
    QTest::newRow("text and warning") << QStringLiteral("text") << QStringLiteral("warning") << true;
    QTest::newRow("unknown format") << QStringLiteral("xml") << QStringLiteral("info") << false;
    QTest::newRow("unknown level") << QStringLiteral("text") << QStringLiteral("verbose") << false;
}

void TestLogSink::optionValues()
{
    QFETCH(QString, format);
    QFETCH(QString, level);
    QFETCH(bool, valid);

    QCOMPARE(parseLogFormat(format).ok() && parseLogLevel(level).ok(), valid);
}

void TestLogSink::routineLinesWaitForUrgentOne()
{
    TempLog log;
    QVERIFY(log.file());
    LogWriter writer(log.file(), kNeverMs);

    writer.append("info one\n", false);
    writer.append("info two\n", false);
    QCOMPARE(log.contents(), QByteArray());

    writer.append("warning\n", true);
    QCOMPARE(log.contents(), QByteArray("info one\ninfo two\nwarning\n"));

    writer.append("info three\n", false);
    writer.flush();
    QCOMPARE(log.contents(), QByteArray("info one\ninfo two\nwarning\ninfo three\n"));
}

void TestLogSink::pendingLinesWrittenAtDestruction()
{
    TempLog log;
    QVERIFY(log.file());

    {
        LogWriter writer(log.file(), kNeverMs);
        writer.append("last words\n", false);
    }

    QCOMPARE(log.contents(), QByteArray("last words\n"));
}

void TestLogSink::pendingLinesBounded()
{
    TempLog log;
    QVERIFY(log.file());
    LogWriter writer(log.file(), kNeverMs);
    const QByteArray line = QByteArray(99, 'x') + '\n';

    int appended = 0;
    while (log.contents().isEmpty() && appended < 10000) {
        writer.append(line, false);
        ++appended;
    }

    // Written once 64 KiB gathered, not earlier and not never.
    QCOMPARE(appended, 656);
    QCOMPARE(log.contents().size(), 656 * 100);
}

void TestLogSink::flusherWritesAfterDelay()
{
    TempLog log;
    QVERIFY(log.file());

    // The background thread writes without a flush call or an urgent line. The delay is real
    // time, so the test waits for the file to change rather than for a fixed time.
    LogWriter writer(log.file(), 1);
    writer.append("routine\n", false);
    QTRY_COMPARE_WITH_TIMEOUT(log.contents(), QByteArray("routine\n"), 10000);
}

QTEST_GUILESS_MAIN(TestLogSink)
#include "tst_logsink.moc"
