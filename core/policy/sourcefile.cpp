#include "core/policy/sourcefile.h"

#include "core/json/json.h"

namespace Recourse::Policy::Detail {

SourceFile::SourceFile(QString name, QHash<QString, int> lines, QList<LoadError> *errors, AttributeSlots *slots)
    : m_name(std::move(name)), m_lines(std::move(lines)), m_errors(errors), m_slots(slots)
{
}

int SourceFile::lineOf(const QString &pointer) const
{
    QString current = pointer;
    while (true) {
        const auto it = m_lines.constFind(current);
        if (it != m_lines.constEnd())
            return it.value();
        if (current.isEmpty())
            return 1;
        current.truncate(current.lastIndexOf(u'/'));
    }
}

void SourceFile::error(const QString &pointer, const QString &message)
{
    ++m_errorCount;
    m_errors->append(LoadError{m_name, lineOf(pointer), message});
}

QString childPointer(const QString &pointer, const QString &member)
{
    return pointer + u'/' + Json::escapePointerToken(member);
}

QString childPointer(const QString &pointer, qsizetype index)
{
    return pointer + u'/' + QString::number(index);
}

QString describeType(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString quotedList(const QStringList &names, const QString &lastSeparator)
{
    QString text;
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i > 0)
            text += (i == names.size() - 1) ? lastSeparator : QStringLiteral(", ");
        text += u'"' + names.at(i) + u'"';
    }
    return text;
}

bool checkMembers(const QJsonObject &object, const QString &pointer, const QStringList &allowed,
                  const QString &where, SourceFile &file)
{
    bool ok = true;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (allowed.contains(it.key()))
            continue;
        file.error(childPointer(pointer, it.key()),
                   QStringLiteral("unknown member \"%1\" in %2; expected %3")
                       .arg(it.key(), where, quotedList(allowed)));
        ok = false;
    }
    return ok;
}

} // namespace Recourse::Policy::Detail
