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

namespace {

// 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z in milliseconds since the epoch: inside this
// range every year has four digits and QDateTime, which has no year 0, gives the same text.
constexpr qint64 kFirstFastMs = -62135596800000;
constexpr qint64 kEndFastMs = 253402300800000;

// The proleptic Gregorian date of a day number counted from 1970-01-01, by counting whole
// 400-year eras from 0000-03-01 so that leap days fall at the end of each year.
void civilFromDays(qint64 days, int *year, int *month, int *day)
{
    days += 719468; // days from 0000-03-01 to 1970-01-01
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const qint64 dayOfEra = days - era * 146097;
    const qint64 yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 monthFromMarch = (5 * dayOfYear + 2) / 153;
    *day = int(dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
    *month = int(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
    *year = int(yearOfEra + era * 400 + (*month <= 2 ? 1 : 0));
}

template <typename Char>
Char *putDigits(Char *out, int value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = Char('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

// Writes the 24 characters of formatWithMs() for a time inside the fast range.
template <typename Char>
void putWithMs(Char *out, qint64 msSinceEpoch)
{
    const qint64 ms = ((msSinceEpoch % 1000) + 1000) % 1000;
    const qint64 seconds = (msSinceEpoch - ms) / 1000;
    const qint64 secondOfDay = ((seconds % 86400) + 86400) % 86400;
    int year = 0;
    int month = 0;
    int day = 0;
    civilFromDays((seconds - secondOfDay) / 86400, &year, &month, &day);

    out = putDigits(out, year, 4);
    *out++ = Char('-');
    out = putDigits(out, month, 2);
    *out++ = Char('-');
    out = putDigits(out, day, 2);
    *out++ = Char('T');
    out = putDigits(out, int(secondOfDay / 3600), 2);
    *out++ = Char(':');
    out = putDigits(out, int(secondOfDay / 60 % 60), 2);
    *out++ = Char(':');
    out = putDigits(out, int(secondOfDay % 60), 2);
    *out++ = Char('.');
    out = putDigits(out, int(ms), 3);
    *out = Char('Z');
}

} // namespace

QString formatWithMs(qint64 msSinceEpoch)
{
    // Formatting through QDateTime took about 2% of the event loop thread when every request is
    // logged, so dates in the common range are computed directly.
    if (msSinceEpoch < kFirstFastMs || msSinceEpoch >= kEndFastMs)
        return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);

    QString text(kWithMsLength, Qt::Uninitialized);
    putWithMs(reinterpret_cast<char16_t *>(text.data()), msSinceEpoch);
    return text;
}

bool writeWithMs(qint64 msSinceEpoch, char *out)
{
    if (msSinceEpoch < kFirstFastMs || msSinceEpoch >= kEndFastMs)
        return false;
    putWithMs(out, msSinceEpoch);
    return true;
}

QString format(qint64 msSinceEpoch)
{
    const qint64 wholeSeconds = msSinceEpoch - (msSinceEpoch % 1000 + 1000) % 1000;
    if (wholeSeconds < kFirstFastMs || wholeSeconds >= kEndFastMs)
        return QDateTime::fromMSecsSinceEpoch(wholeSeconds, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));

    // The same text as formatWithMs() without the fraction.
    return formatWithMs(wholeSeconds).left(19) + u'Z';
}

} // namespace Recourse::Rfc3339
