#pragma once

#include "core/policy/policy.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace Recourse::Policy::Detail {

class AttributeSlots;

// One policy file while it is compiled: its name, the line of every value (keyed by JSON
// Pointer) and the list that collects its load errors.
class SourceFile
{
public:
    SourceFile(QString name, QHash<QString, int> lines, QList<LoadError> *errors, AttributeSlots *slots);

    const QString &name() const { return m_name; }
    // The slot numbering shared by every file of the policy being compiled.
    AttributeSlots &attributeSlots() const { return *m_slots; }
    // Line of the value at `pointer`, or of its nearest enclosing value when the parser recorded
    // no line for it (for example a member that is missing).
    int lineOf(const QString &pointer) const;
    void error(const QString &pointer, const QString &message);
    int errorCount() const { return m_errorCount; }

private:
    QString m_name;
    QHash<QString, int> m_lines;
    QList<LoadError> *m_errors = nullptr;
    AttributeSlots *m_slots = nullptr;
    int m_errorCount = 0;
};

QString childPointer(const QString &pointer, const QString &member);
QString childPointer(const QString &pointer, qsizetype index);

// Plain name of a JSON type for messages: "a string", "an object".
QString describeType(const QJsonValue &value);

// Reports every member of `object` that is not in `allowed`, as `unknown member "x" in <where>;
// expected "a", "b" or "c"`. Returns false when it found one.
bool checkMembers(const QJsonObject &object, const QString &pointer, const QStringList &allowed,
                  const QString &where, SourceFile &file);

// Joins names as `"a", "b" or "c"` for messages.
QString quotedList(const QStringList &names, const QString &lastSeparator = QStringLiteral(" or "));

} // namespace Recourse::Policy::Detail
