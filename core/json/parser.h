#pragma once

#include "core/json/json.h"

#include <QSet>

#include <optional>
#include <string_view>
#include <vector>

namespace Recourse::Json {

// Copies at most maxCharacters of text for a message, with control characters written as \u00XX.
QString printableText(QStringView text, qsizetype maxCharacters);

// Formats a byte as "0xC3" and a code point as "U+000A" for error messages.
QString hexByte(uchar byte);
QString codePointName(char32_t codePoint);

inline bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Strict, non-recursive JSON parser behind parse(), parseDetailed() and parseLocated(). It keeps
// an explicit stack of open containers bounded by ParseLimits::maxDepth, so hostile nesting costs
// neither native stack nor more than maxDepth frames.
class Parser
{
public:
    // The result of a successful run(): the value, or only a check of the text, where a container
    // comes back as null and a scalar as itself.
    enum class Output { Value, CheckOnly };

    // When `lines` is not null, the parser stores the line of every value under its JSON Pointer.
    Parser(QByteArrayView text, const ParseLimits &limits, QHash<QString, int> *lines = nullptr,
           Output output = Output::Value);

    // Returns the value, or nothing after a failure, which failure() then describes.
    std::optional<QJsonValue> run();
    // After a successful run(): whether the top-level value is an object or an array.
    bool foundContainer() const { return m_foundContainer; }
    // After a successful run(): whether QJsonDocument::fromJson() would build a different value
    // from the text, or an object whose members QJsonObject::value() cannot find.
    bool qtChangesText() const { return m_qtChangesText; }
    const ParseFailure &failure() const { return m_failure; }

private:
    struct Member
    {
        QString name;
        QJsonValue value;
    };

    struct Frame
    {
        bool isObject = false;
        QJsonArray array;
        std::vector<Member> members;
        QSet<QString> names; // used once an object outgrows a linear scan for duplicates
        // Output::CheckOnly: the member names as UTF-8, raw slices of the input where they have no
        // escapes, in place of `members` and `names`.
        std::vector<QByteArray> checkedNames;
        QSet<QByteArray> checkedNameSet;
        QString pendingName;
        QString pointer;
    };

    bool atEnd() const { return m_pos == m_end; }

    void skipWhitespace();
    void recordLine();

    bool openContainer(char bracket);
    QJsonValue closeContainer();
    void appendToContainer(const QJsonValue &value);
    bool parseMemberName();
    static bool hasMember(Frame &frame, const QString &name);
    static bool hasCheckedName(Frame &frame, const QByteArray &name);
    static void recordCheckedName(Frame &frame, QByteArray name);
    // Output::CheckOnly: reads a member name of printable ASCII without escapes as a slice of the
    // input. Returns false, with the position unchanged, for any other name.
    bool takePlainName(QByteArray *name);

    bool parseScalar(QJsonValue &value);
    bool parseLiteral(QJsonValue &value);
    bool parseNumber(QJsonValue &value);
    // Stores the decoded text in `text` unless it is null.
    bool parseString(QString *text);
    bool parseEscape(const char *stringStart);
    bool readHex4(const char *at, char16_t &unit) const;
    bool parseUtf8Sequence(const char *stringStart);
    bool appendCodePoint(char32_t codePoint, const char *stringStart, const char *position);
    static bool overflowsDouble(const char *start, const char *end);
    static bool losesPrecision(std::string_view digits, double number);

    bool failUnexpected(const char *position, const QString &expected);
    bool fail(const char *position, const QString &message, const char *tokenStart = nullptr,
              const char *tokenEnd = nullptr);

    const char *m_begin;
    const char *m_pos;
    const char *m_end;
    ParseLimits m_limits;
    QHash<QString, int> *m_lines;
    int m_line = 1;
    std::vector<Frame> m_stack;
    QString m_valuePointer; // JSON Pointer of the value being read, kept only for parseLocated()
    std::u16string m_scratch; // decoded UTF-16 of the string being read, reused across strings
    ParseFailure m_failure;
    Output m_output = Output::Value;
    bool m_foundContainer = false;
    bool m_qtChangesText = false;
};

} // namespace Recourse::Json
