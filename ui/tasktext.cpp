#include "ui/tasktext.h"

#include "core/base/rfc3339.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLocale>
#include <QJsonDocument>
#include <QStringList>

#include <algorithm>
#include <cstdlib>

namespace Recourse::Ui {

qint64 TaskText::timeMs(const QJsonValue &value)
{
    if (!value.isString())
        return -1;

    const Result<qint64> parsed = Rfc3339::parse(value.toString());
    return parsed.ok() ? parsed.value() : -1;
}

QString TaskText::localTime(const QJsonValue &value)
{
    return localTime(timeMs(value));
}

QString TaskText::localTime(qint64 ms)
{
    if (ms < 0)
        return {};
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms).toLocalTime();
    return QLocale().toString(local, QLocale::ShortFormat) + u' ' + local.timeZoneAbbreviation();
}

QString TaskText::entity(const QJsonObject &entity)
{
    const QString type = shown(entity.value(u"type").toString());
    const QString id = shown(entity.value(u"id").toString());
    if (type.isEmpty())
        return id;
    return type + u' ' + id;
}

QString TaskText::action(const QJsonObject &action)
{
    return shown(action.value(u"name").toString());
}

QString TaskText::taskResource(const QJsonObject &task)
{
    const QJsonArray items = task.value(u"items").toArray();
    if (task.contains(u"resource") || items.isEmpty())
        return entity(task.value(u"resource").toObject());
    return plural(tr("%n item(s)", nullptr, int(items.size())), int(items.size()));
}

QString TaskText::pair(const QJsonObject &item)
{
    return tr("%1 %2").arg(action(item.value(u"action").toObject()), entity(item.value(u"resource").toObject()));
}

QString TaskText::taskAction(const QJsonObject &task)
{
    const QJsonArray items = task.value(u"items").toArray();
    if (task.contains(u"action") || items.isEmpty())
        return action(task.value(u"action").toObject());

    QString shared = action(items.first().toObject().value(u"action").toObject());
    for (const QJsonValue &item : items) {
        if (action(item.toObject().value(u"action").toObject()) != shared)
            return tr("several");
    }
    return shared;
}

QString TaskText::status(const QString &status)
{
    if (status == u"pending")
        return tr("Pending");
    if (status == u"approved")
        return tr("Approved");
    if (status == u"denied")
        return tr("Denied");
    if (status == u"expired")
        return tr("Expired");
    if (status == u"cancelled")
        return tr("Cancelled");
    if (status == u"failed")
        return tr("Failed");
    if (status == u"partial")
        return tr("Partial");
    return shown(status);
}

QString TaskText::duration(qint64 ms)
{
    const qint64 seconds = std::llabs(ms) / 1000;
    const qint64 minutes = seconds / 60;
    const qint64 hours = minutes / 60;
    const qint64 days = hours / 24;

    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    if (minutes < 60)
        return tr("%1 min").arg(minutes);
    if (hours < 24)
        return minutes % 60 == 0 ? tr("%1 h").arg(hours) : tr("%1 h %2 min").arg(hours).arg(minutes % 60);
    // A PEP may ask for access until 9999; hours beside millions of days only add noise.
    if (days >= 2 * 365)
        return tr("%1 years").arg(days / 365);
    return hours % 24 == 0 ? tr("%1 d").arg(days) : tr("%1 d %2 h").arg(days).arg(hours % 24);
}

QString TaskText::expiresIn(qint64 expiresAtMs, qint64 nowMs)
{
    if (expiresAtMs < 0)
        return {};
    if (expiresAtMs <= nowMs)
        return tr("expired %1 ago").arg(duration(nowMs - expiresAtMs));
    return tr("in %1").arg(duration(expiresAtMs - nowMs));
}

QString TaskText::actorChain(const QJsonObject &task)
{
    QStringList parts;
    for (const QJsonValue &value : task.value(u"actor_chain").toArray()) {
        const QJsonObject actor = value.toObject();
        const QString id = shown(actor.value(u"id").toString());
        const QString type = shown(actor.value(u"type").toString());
        QString text = type.isEmpty() ? id : tr("%1 (%2)").arg(id, type);
        if (actor.contains(u"verified") && !actor.value(u"verified").toBool())
            text = tr("%1 [unverified]").arg(text);
        parts.append(text);
    }

    QString chain = parts.join(tr(" for "));
    const QString subject = shown(task.value(u"subject").toObject().value(u"id").toString());
    if (!subject.isEmpty())
        chain = chain.isEmpty() ? subject : tr("%1 for %2").arg(chain, subject);

    const QString requester = shown(task.value(u"requester").toObject().value(u"id").toString());
    if (!requester.isEmpty())
        chain = chain.isEmpty() ? requester : tr("%1 via %2").arg(chain, requester);
    return chain;
}

QString TaskText::plural(QString translated, int count)
{
    return translated.replace(QStringLiteral("(s)"), count == 1 ? QString() : QStringLiteral("s"));
}

QString TaskText::scalar(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return shown(value.toString());
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 15);
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Object:
        return shown(QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)));
    case QJsonValue::Array:
        return shown(QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)));
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

QString TaskText::shown(const QString &text, bool multiLine)
{
    const auto hidden = [multiLine](char32_t c) {
        if (c == U'\n')
            return !multiLine;
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
            return true;
        // Format characters (Cf) include every bidirectional control, U+200B ZERO WIDTH SPACE,
        // U+FEFF and the tag characters beyond U+FFFF.
        return c >= 0xad && QChar::category(c) == QChar::Other_Format;
    };

    // Nearly every text is returned as it is. A surrogate needs the code point to be checked.
    const bool plain = std::none_of(text.cbegin(), text.cend(), [&hidden](QChar c) {
        return c.isSurrogate() || hidden(c.unicode());
    });
    if (plain)
        return text;

    QString result;
    result.reserve(text.size() + 16);
    for (const char32_t c : text.toUcs4()) {
        if (hidden(c))
            result += u"[U+" + QString::number(uint(c), 16).toUpper().rightJustified(4, u'0') + u']';
        else
            result += QString::fromUcs4(&c, 1);
    }
    return result;
}

} // namespace Recourse::Ui
