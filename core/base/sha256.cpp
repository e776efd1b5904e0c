#include "core/base/sha256.h"

#include <QtGlobal>

#include <openssl/evp.h>

namespace Recourse::Sha256 {

QByteArray digest(QByteArrayView data)
{
    // Fetched once, because OpenSSL's crypto(7) page warns that fetching on every call is slow.
    // A fetched algorithm may be shared between threads.
    static EVP_MD *const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    Q_ASSERT(sha256);

    QByteArray out(32, Qt::Uninitialized);
    unsigned int length = 0;
    const int ok = EVP_Digest(data.data(), size_t(data.size()), reinterpret_cast<unsigned char *>(out.data()), &length,
                              sha256, nullptr);
    // SHA-256 of memory in hand has no failure mode but running out of memory.
    Q_ASSERT(ok == 1 && length == 32);
    Q_UNUSED(ok);
    return out;
}

} // namespace Recourse::Sha256
