#pragma once

// Test doubles for callback deliveries: a host resolver that returns addresses from a table, and
// an HTTPS receiver on 127.0.0.1 that responds with scripted statuses. Used by the callback integration tests and by
// the console's test of the delivery log.

#include "core/base/hostresolver.h"
#include "core/service/tls.h"

#include <QHash>
#include <QHostAddress>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>

#include <functional>
#include <memory>

namespace Recourse::Testing {

// Resolves names from a table the test changes between submission and delivery.
class FakeResolver final : public HostResolver
{
public:
    void lookup(const QString &host, QObject *context,
                std::function<void(QList<QHostAddress>, QString)> done) const override
    {
        const QList<QHostAddress> addresses = answers.value(host);
        QTimer::singleShot(0, context, [addresses, done] {
            done(addresses, addresses.isEmpty() ? QStringLiteral("Host not found") : QString());
        });
    }

    QHash<QString, QList<QHostAddress>> answers;
};

// An HTTPS receiver on 127.0.0.1 that records each request and responds with scripted statuses.
class Receiver final : public QObject
{
public:
    struct Request
    {
        QByteArray head;
        QByteArray body;
        QByteArray header(const QByteArray &name) const
        {
            for (const QByteArray &line : head.split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                    return line.mid(colon + 1).trimmed();
            }
            return {};
        }
    };

    // Listens on 127.0.0.1 with a self-signed certificate for `hostName`, kept in certificateDir.
    bool listen(const QString &certificateDir, const QString &hostName)
    {
        auto material = Service::Tls::loadOrCreateSelfSigned(certificateDir, hostName);
        if (!material)
            return false;
        m_hostName = hostName;
        m_certificatePath = material->certificatePath;
        auto configuration = Service::Tls::serverConfiguration(material.value());
        if (!configuration)
            return false;
        m_server.setSslConfiguration(configuration.value());
        connect(&m_server, &QSslServer::startedEncryptionHandshake, this, [this] { ++connections; });
        connect(&m_server, &QSslServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }

    quint16 port() const { return m_server.serverPort(); }
    QString certificatePath() const { return m_certificatePath; }

    int connections = 0;
    QList<Request> requests;
    QList<int> script; // statuses to respond with, in order, then 200

private:
    void serve(QTcpSocket *socket)
    {
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            buffer->append(socket->readAll());
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            Request request{buffer->left(end), {}};
            const qsizetype length = request.header("Content-Length").toLongLong();
            if (buffer->size() < end + 4 + length)
                return;
            request.body = buffer->mid(end + 4, length);
            requests.append(request);
            const int status = script.isEmpty() ? 200 : script.takeFirst();
            QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + " Scripted\r\n";
            if (status == 302)
                response += "Location: https://" + m_hostName.toUtf8() + "/elsewhere\r\n";
            response += "Content-Length: 0\r\nConnection: close\r\n\r\n";
            socket->write(response);
            socket->disconnectFromHost();
            buffer->clear();
        });
    }

    QSslServer m_server;
    QString m_hostName;
    QString m_certificatePath;
};

} // namespace Recourse::Testing
