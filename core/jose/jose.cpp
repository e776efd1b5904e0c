#include "core/jose/jose.h"

#include "core/base/sha256.h"
#include "core/json/json.h"

namespace Recourse::Jose {

namespace {

bool isBase64UrlCharacter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int base64UrlValue(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : 63;
}

Error invalidBase64Url(const QString &message)
{
    return Error::make(ErrorCode::InvalidRequest, message);
}

} // namespace

QByteArray base64UrlEncode(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Result<QByteArray> base64UrlDecode(QByteArrayView text)
{
    for (const char c : text) {
        if (!isBase64UrlCharacter(c))
            return invalidBase64Url(
                QStringLiteral("The text contains a character outside the base64url alphabet."));
    }
    // One leftover character cannot encode a whole byte.
    if (text.size() % 4 == 1)
        return invalidBase64Url(QStringLiteral("The base64url text has an invalid length."));

    // The unused low bits of the last character must be zero, so every byte string has exactly
    // one encoding and a token cannot be altered without changing its bytes.
    if (!text.isEmpty()) {
        const int last = base64UrlValue(text.back());
        const int unusedBitsMask = text.size() % 4 == 2 ? 0x0f : text.size() % 4 == 3 ? 0x03 : 0;
        if ((last & unusedBitsMask) != 0)
            return invalidBase64Url(QStringLiteral("The base64url text is not in canonical form."));
    }

    auto decoded = QByteArray::fromBase64Encoding(
        text.toByteArray(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return invalidBase64Url(QStringLiteral("The text is not valid base64url."));
    return std::move(decoded.decoded);
}

QString thumbprint(const QJsonObject &publicJwk)
{
    // RFC 7638: the required EC members only, in lexicographic order, without whitespace.
    const QStringList required { QStringLiteral("crv"), QStringLiteral("kty"), QStringLiteral("x"),
        QStringLiteral("y") };
    QJsonObject members;
    for (const QString &name : required) {
        const QJsonValue value = publicJwk.value(name);
        if (!value.isString())
            return {};
        members.insert(name, value);
    }

    const QByteArray canonical = Json::canonicalize(members);
    const QByteArray digest = Sha256::digest(canonical);
    return QString::fromLatin1(base64UrlEncode(digest));
}

} // namespace Recourse::Jose
