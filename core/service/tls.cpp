#include "core/service/tls.h"

#include "core/service/servicelogging.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QSaveFile>
#include <QSslCertificate>
#include <QSslKey>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace Recourse::Service::Tls {

namespace {

template<typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *pointer) const { Free(pointer); }
};
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Error tlsError(const QString &message)
{
    return Error::make(ErrorCode::StorageUnavailable, message);
}

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(size));
}

bool addExtension(X509 *certificate, int nid, const QByteArray &value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.constData());
    if (!extension)
        return false;
    const bool added = X509_add_ext(certificate, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return added;
}

Result<QPair<QByteArray, QByteArray>> generate(const QString &hostName)
{
    PKeyPtr key(EVP_EC_gen("P-256"));
    X509Ptr certificate(X509_new());
    if (!key || !certificate)
        return tlsError(QStringLiteral("Cannot generate a TLS key."));

    X509_set_version(certificate.get(), 2);
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof(serial)) != 1)
        return tlsError(QStringLiteral("Cannot draw a certificate serial number."));
    serial[0] &= 0x7f; // a positive serial
    BIGNUM *serialNumber = BN_bin2bn(serial, sizeof(serial), nullptr);
    BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(certificate.get()));
    BN_free(serialNumber);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 365L * 24 * 3600);
    X509_set_pubkey(certificate.get(), key.get());

    X509_NAME *name = X509_get_subject_name(certificate.get());
    const QByteArray commonName = QByteArrayLiteral("Recourse demo ") + hostName.toUtf8();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>(commonName.constData()), -1, -1, 0);
    X509_set_issuer_name(certificate.get(), name);

    QByteArray altNames = QByteArrayLiteral("DNS:localhost,IP:127.0.0.1,IP:::1");
    if (!hostName.isEmpty() && hostName != QLatin1String("localhost")) {
        const bool isAddress = !QHostAddress(hostName).isNull();
        altNames += (isAddress ? ",IP:" : ",DNS:") + hostName.toUtf8();
    }
    if (!addExtension(certificate.get(), NID_subject_alt_name, altNames)
        || !addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE")
        || !addExtension(certificate.get(), NID_ext_key_usage, "serverAuth")) {
        return tlsError(QStringLiteral("Cannot set the certificate's extensions."));
    }
    if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0)
        return tlsError(QStringLiteral("Cannot sign the self-signed certificate."));

    BioPtr certificateBio(BIO_new(BIO_s_mem()));
    BioPtr keyBio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(certificateBio.get(), certificate.get()) != 1
        || PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return tlsError(QStringLiteral("Cannot encode the TLS certificate."));
    }
    return qMakePair(bioContents(certificateBio.get()), bioContents(keyBio.get()));
}

Result<void> writeFile(const QString &path, const QByteArray &contents, bool secret)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tlsError(QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    if (secret)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(contents);
    if (!file.commit())
        return tlsError(QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace

Result<Material> loadOrCreateSelfSigned(const QString &dataDir, const QString &hostName)
{
    const Material material{QDir(dataDir).filePath(QStringLiteral("tls-certificate.pem")),
                            QDir(dataDir).filePath(QStringLiteral("tls-key.pem"))};
    if (QFile::exists(material.certificatePath) && QFile::exists(material.keyPath))
        return material;

    auto generated = generate(hostName);
    if (!generated)
        return generated.error();
    if (auto written = writeFile(material.keyPath, generated->second, true); !written)
        return written.error();
    if (auto written = writeFile(material.certificatePath, generated->first, false); !written)
        return written.error();
    qCInfo(lcService) << "Created a self-signed TLS certificate in" << dataDir;
    return material;
}

Result<QSslConfiguration> serverConfiguration(const Material &material)
{
    QFile certificateFile(material.certificatePath);
    QFile keyFile(material.keyPath);
    if (!certificateFile.open(QIODevice::ReadOnly))
        return tlsError(QStringLiteral("Cannot read the TLS certificate %1.").arg(material.certificatePath));
    if (!keyFile.open(QIODevice::ReadOnly))
        return tlsError(QStringLiteral("Cannot read the TLS key %1.").arg(material.keyPath));

    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificateFile.readAll(), QSsl::Pem);
    const QByteArray keyPem = keyFile.readAll();
    QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
    if (chain.isEmpty() || key.isNull())
        return tlsError(QStringLiteral("The TLS certificate or key is not valid PEM."));

    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return configuration;
}

QString fingerprint(const QSslCertificate &certificate)
{
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':')).toUpper();
}

} // namespace Recourse::Service::Tls
