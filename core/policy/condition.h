#pragma once

#include "core/policy/attributecache.h"
#include "core/policy/attributepath.h"
#include "core/policy/scalar.h"
#include "core/policy/sourcefile.h"

#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace Recourse::Policy::Detail {

// A compiled `when` condition: all/any/not over leaves of the form {"attr": path, OP: operand}.
// Operands are checked and converted at load time, so evaluate() only reads the request.
class Condition
{
public:
    // Compiles `json` found at `pointer` of `file`; reports every problem to `file` and returns
    // nothing when there was one.
    static std::optional<Condition> compile(const QJsonValue &json, const QString &pointer, SourceFile &file);

    bool evaluate(AttributeCache &cache) const;

    // Calls `place` with attribute values that would make this condition hold: every branch of
    // `all`, the first of `any`, nothing for `not`. Operators without an obvious value (glob,
    // before, after, equals_attr) are left out, so the caller checks the result by evaluating it.
    void suggest(const std::function<void(const QString &path, const QJsonValue &value)> &place) const;

    // The leaf operators in the order the documentation lists them.
    static const QStringList &operatorNames();

private:
    enum class Op : quint8 {
        All, Any, Not,
        Equals, NotEquals, In, Prefix, Glob, Gt, Gte, Lt, Lte, Before, After, Exists, Contains, EqualsAttr,
    };

    static std::optional<Condition> compileGroup(const QJsonObject &object, const QString &key,
                                                 const QString &pointer, SourceFile &file);
    static std::optional<Condition> compileLeaf(const QJsonObject &object, const QString &pointer, SourceFile &file);
    bool compileOperand(const QString &name, const QJsonValue &operand, const QString &pointer, SourceFile &file);
    bool evaluateLeaf(AttributeCache &cache) const;
    bool compareInstants(const QJsonValue &value, AttributeCache &cache) const;

    Op m_op = Op::All;
    AttributePath m_attr;
    std::optional<AttributePath> m_other; // equals_attr, or the reference operand of before/after
    Scalar m_scalar;                      // equals, not_equals, contains
    ScalarSet m_set;                      // in
    QString m_text;                       // prefix, glob
    double m_number = 0;                  // gt, gte, lt, lte
    qint64 m_instantMs = 0;               // before, after with a literal operand
    bool m_flag = false;                  // exists
    std::vector<Condition> m_children;    // all, any, not
};

// Matches `text` against a pattern where * is any run of characters and ? is one character.
bool globMatch(QStringView pattern, QStringView text);

} // namespace Recourse::Policy::Detail
