#include "core/base/ids.h"

#include <QByteArray>
#include <QRandomGenerator>

#include <array>

namespace Recourse::Ids {

namespace {

// Crockford's base32 alphabet: no I, L, O or U, so ids survive being read aloud or retyped.
constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

} // namespace

QString random(QStringView prefix)
{
    std::array<quint32, 4> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());

    // 128 bits as 26 base32 digits (the top digit carries the remaining 3 bits).
    QString id = prefix.toString();
    id.reserve(prefix.size() + 26);
    quint64 high = (quint64(words[0]) << 32) | words[1];
    quint64 low = (quint64(words[2]) << 32) | words[3];
    for (int digit = 0; digit < 26; ++digit) {
        const int index = int(low & 0x1f);
        low = (low >> 5) | ((high & 0x1f) << 59);
        high >>= 5;
        id.append(QLatin1Char(kAlphabet[index]));
    }
    return id;
}

QString secretToken()
{
    std::array<quint32, 8> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    const QByteArray raw(reinterpret_cast<const char *>(words.data()), int(sizeof(words)));
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace Recourse::Ids
