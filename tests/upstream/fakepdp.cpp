#include "tests/upstream/fakepdp.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace Recourse::Testing {

namespace {

QByteArray response(const QByteArray &status, const QByteArray &contentType, const QByteArray &body,
                    const QByteArray &extraHeaders = {})
{
    return "HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n" + extraHeaders + "\r\n" + body;
}

QByteArray headerValue(const QByteArray &head, QByteArrayView lowerCaseName)
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == lowerCaseName)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

QByteArray bytesFor(FakeAnswer answer)
{
    const QByteArray json = QByteArrayLiteral("application/json");
    switch (answer) {
    case FakeAnswer::Permit:
        return response("200 OK", json, R"({"decision":true})");
    case FakeAnswer::Deny:
        return response("200 OK", json, R"({"decision":false,"context":{"reason_admin":{"en":"upstream says no"}}})");
    case FakeAnswer::ServerError:
        return response("500 Internal Server Error", json, R"({"code":13,"message":"policy check failed"})");
    case FakeAnswer::Garbage:
        return response("200 OK", json, "decision=true");
    case FakeAnswer::NotBoolean:
        return response("200 OK", json, R"({"decision":"true"})");
    case FakeAnswer::ContextNotObject:
        return response("200 OK", json, R"({"decision":true,"context":"yes"})");
    case FakeAnswer::WrongMediaType:
        return response("200 OK", "text/plain", R"({"decision":true})");
    case FakeAnswer::Oversized:
        return response("200 OK", json, R"({"decision":true,"padding":")" + QByteArray(256 * 1024, 'x') + R"("})");
    case FakeAnswer::OversizedUnsized:
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
               R"({"decision":true,"padding":")"
            + QByteArray(256 * 1024, 'x') + R"("})";
    case FakeAnswer::Redirect:
        return response("302 Found", json, "{}", "Location: /permit-anyway\r\n");
    case FakeAnswer::Silent:
        break;
    }
    return {};
}

} // namespace

FakePdp::FakePdp(QObject *parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakePdp::onConnection);
}

FakePdp::~FakePdp() = default;

bool FakePdp::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl FakePdp::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
}

void FakePdp::answer(const QString &resourceId, FakeAnswer answer, int delayMs)
{
    m_rules.insert(resourceId, Rule{answer, delayMs});
}

void FakePdp::clearRecords()
{
    m_bodies.clear();
    m_paths.clear();
    m_authorizations.clear();
}

void FakePdp::onConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            buffer->append(socket->readAll());
            const qsizetype headEnd = buffer->indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QByteArray head = buffer->left(headEnd);
            const qsizetype length = headerValue(head, "content-length").toLongLong();
            if (buffer->size() < headEnd + 4 + length)
                return;
            const QByteArray body = buffer->mid(headEnd + 4, length);
            buffer->clear();
            serve(socket, head, body);
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void FakePdp::serve(QTcpSocket *socket, const QByteArray &head, const QByteArray &body)
{
    const QJsonObject request = QJsonDocument::fromJson(body).object();
    m_bodies.append(request);
    m_paths.append(head.left(head.indexOf("\r\n")).split(' ').value(1));
    m_authorizations.append(headerValue(head, "authorization"));

    const QString resourceId = request.value(QStringLiteral("resource")).toObject().value(QStringLiteral("id")).toString();
    const Rule rule = m_rules.value(resourceId, Rule{m_fallback, 0});
    if (rule.answer == FakeAnswer::Silent)
        return;

    const QByteArray bytes = bytesFor(rule.answer);
    const auto send = [socket, bytes] {
        socket->write(bytes);
        socket->disconnectFromHost();
    };
    if (rule.delayMs > 0)
        QTimer::singleShot(rule.delayMs, socket, send);
    else
        send();
}

} // namespace Recourse::Testing
