#pragma once

#include <QByteArrayView>
#include <QJsonValue>
#include <QLatin1StringView>

#include <optional>
#include <vector>

namespace Recourse::Json {

// A small JSON object read in one pass into a flat list of nodes that point into the text. It
// serves the most frequent evaluation requests, because building QJsonObjects took about a third
// of the instructions of a single evaluation (callgrind, the certification rule 1 body).
//
// It reads only a strict subset of JSON, on which it agrees with parse() value for value: member
// names and strings of printable ASCII without escapes, whole numbers of at most 15 digits,
// true, false, null, and objects and arrays nested at most kMaxDepth deep, with no member name
// twice in one object. read() returns nothing for any other text, valid or not, and the caller
// then takes parse(), which also gives the error for invalid text.
class FlatDocument
{
public:
    enum class Type : quint8 { Object, Array, String, Number, True, False, Null };

    static constexpr int kMaxDepth = 8;
    static constexpr qsizetype kMaxBytes = 8 * 1024;
    static constexpr int kMaxMembers = 32; // of one object, kept small for the duplicate check

    // `text` must outlive the document: nodes point into it.
    static std::optional<FlatDocument> read(QByteArrayView text);

    // Node 0 is the top-level value, which read() requires to be an object.
    static constexpr int kRoot = 0;

    Type type(int node) const { return m_nodes[size_t(node)].type; }
    // Returns the member of an object node named `name`, or -1 when the object has none, the node
    // is no object, or `object` is -1, so look-ups can be chained.
    int member(int object, QByteArrayView name) const;
    // Returns the value of a node as parse() gives it.
    QJsonValue value(int node) const;

private:
    friend struct FlatReader;

    struct Node
    {
        Type type = Type::Null;
        QByteArrayView name; // the member name when the parent is an object
        QByteArrayView text; // the string without quotes, the number, or the whole container
        int end = 0;         // the index after the node's last descendant: its next sibling
    };

    std::vector<Node> m_nodes;
};

} // namespace Recourse::Json
