#include "core/base/rfc3339.h"

#include <QDate>
#include <QDateTime>
#include <QTime>
#include <QTimeZone>

namespace Recourse::Rfc3339 {

namespace {

class Cursor
{
public:
    explicit Cursor(QStringView text) : m_text(text) { }

    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text.at(m_pos); }

    // Reads exactly `count` ASCII digits; returns -1 when they are not there.
    int digits(int count)
    {
        int value = 0;
        for (int i = 0; i < count; ++i) {
            if (atEnd() || m_text.at(m_pos) < u'0' || m_text.at(m_pos) > u'9')
                return -1;
            value = value * 10 + (m_text.at(m_pos).unicode() - u'0');
            ++m_pos;
        }
        return value;
    }

    bool expect(char16_t c)
    {
        if (peek() != QChar(c))
            return false;
        ++m_pos;
        return true;
    }

    bool expectEither(char16_t a, char16_t b) { return expect(a) || expect(b); }

private:
    QStringView m_text;
    qsizetype m_pos = 0;
};

Error invalid(QStringView text, const QString &why)
{
    return Error::make(ErrorCode::InvalidRequest,
                       QStringLiteral("Invalid RFC 3339 timestamp: %1.").arg(why),
                       text.left(64).toString());
}

} // namespace

Result<qint64> parse(QStringView text)
{
    if (text.isEmpty())
        return invalid(text, QStringLiteral("the value is empty"));
    if (text.size() > 64)
        return invalid(text, QStringLiteral("the value is longer than 64 characters"));

    Cursor cursor(text);
    const int year = cursor.digits(4);
    if (year < 0 || !cursor.expect(u'-'))
        return invalid(text, QStringLiteral("expected a four-digit year and '-'"));
    const int month = cursor.digits(2);
    if (month < 0 || !cursor.expect(u'-'))
        return invalid(text, QStringLiteral("expected a two-digit month and '-'"));
    const int day = cursor.digits(2);
    if (day < 0 || !cursor.expectEither(u'T', u't'))
        return invalid(text, QStringLiteral("expected a two-digit day and 'T'"));

    const int hour = cursor.digits(2);
    if (hour < 0 || !cursor.expect(u':'))
        return invalid(text, QStringLiteral("expected a two-digit hour and ':'"));
    const int minute = cursor.digits(2);
    if (minute < 0 || !cursor.expect(u':'))
        return invalid(text, QStringLiteral("expected two-digit minutes and ':' (seconds are required)"));
    int second = cursor.digits(2);
    if (second < 0)
        return invalid(text, QStringLiteral("expected two-digit seconds"));

    int millis = 0;
    if (cursor.expect(u'.')) {
        int fractionDigits = 0;
        while (!cursor.atEnd() && cursor.peek().isDigit() && cursor.peek().unicode() < 128) {
            const int digit = cursor.digits(1);
            if (fractionDigits < 3)
                millis = millis * 10 + digit;
            ++fractionDigits;
        }
        if (fractionDigits == 0)
            return invalid(text, QStringLiteral("a '.' must be followed by fraction digits"));
        for (int i = fractionDigits; i < 3; ++i)
            millis *= 10;
    }

    int offsetSeconds = 0;
    if (!cursor.expectEither(u'Z', u'z')) {
        const QChar sign = cursor.peek();
        if (!cursor.expectEither(u'+', u'-'))
            return invalid(text, QStringLiteral("the offset is missing; add 'Z' or +hh:mm"));
        const int offsetHours = cursor.digits(2);
        if (offsetHours < 0 || !cursor.expect(u':'))
            return invalid(text, QStringLiteral("the offset must be +hh:mm or -hh:mm"));
        const int offsetMinutes = cursor.digits(2);
        if (offsetMinutes < 0 || offsetHours > 23 || offsetMinutes > 59)
            return invalid(text, QStringLiteral("the offset is out of range"));
        offsetSeconds = (offsetHours * 60 + offsetMinutes) * 60 * (sign == u'-' ? -1 : 1);
    }
    if (!cursor.atEnd())
        return invalid(text, QStringLiteral("unexpected characters after the offset"));

    // RFC 3339 allows a leap second; Unix time cannot represent it, so it folds into :59.
    if (second == 60)
        second = 59;
    const QDate date(year, month, day);
    const QTime time(hour, minute, second, millis);
    if (!date.isValid() || !time.isValid())
        return invalid(text, QStringLiteral("the date or time is out of range"));

    const QDateTime local(date, time, QTimeZone(offsetSeconds));
    return local.toMSecsSinceEpoch();
}

QString format(qint64 msSinceEpoch)
{
    const QDateTime utc = QDateTime::fromMSecsSinceEpoch(msSinceEpoch - (msSinceEpoch % 1000 + 1000) % 1000,
                                                         Qt::UTC);
    return utc.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
}

} // namespace Recourse::Rfc3339
