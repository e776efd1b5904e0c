#include "core/escalation/upstream.h"

#include "core/json/json.h"

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

Q_LOGGING_CATEGORY(lcUpstream, "recourse.upstream", QtWarningMsg)

namespace Recourse::Escalation {

namespace {

const QString kEvaluationPath = QStringLiteral("/access/v1/evaluation");

// A decision object nests one or two levels; anything deeper is not an answer to our question.
constexpr int kMaxAnswerDepth = 16;

// During an outage every evaluation fails, so repeats within this interval are counted, not logged.
constexpr qint64 kWarningIntervalMs = 10 * 1000;

QString checkAnswer(QNetworkReply *reply, qsizetype maxBytes, UpstreamVerdict &verdict)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0)
        return reply->errorString();
    // A redirect is refused rather than followed: the bearer token and the request must reach
    // only the configured PDP.
    if (status != 200)
        return QStringLiteral("HTTP status %1").arg(status);
    if (reply->error() != QNetworkReply::NoError)
        return reply->errorString();

    const QByteArray contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    if (contentType.split(';').first().trimmed().toLower() != "application/json")
        return QStringLiteral("Content-Type \"%1\" instead of application/json").arg(QString::fromLatin1(contentType.left(64)));

    const QByteArray body = reply->readAll();
    auto parsed = Json::parseObject(body, Json::ParseLimits{maxBytes, kMaxAnswerDepth});
    if (!parsed)
        return QStringLiteral("invalid JSON: ") + parsed.error().message;
    const QJsonValue decision = parsed->value(QStringLiteral("decision"));
    if (!decision.isBool())
        return QStringLiteral("the answer has no boolean \"decision\"");
    const QJsonValue context = parsed->value(QStringLiteral("context"));
    if (!context.isUndefined() && !context.isObject())
        return QStringLiteral("the answer's \"context\" is not an object");

    verdict = decision.toBool() ? UpstreamVerdict::Permit : UpstreamVerdict::Deny;
    return {};
}

} // namespace

Result<void> validateUpstreamUrl(const QUrl &url)
{
    const QString scheme = url.scheme();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")) || url.host().isEmpty()) {
        return Error::make(ErrorCode::InvalidRequest, QStringLiteral("The upstream PDP needs an http:// or https:// URL with a host."),
                           url.toString(QUrl::RemoveUserInfo).left(200));
    }
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment()) {
        return Error::make(ErrorCode::InvalidRequest,
                           QStringLiteral("The upstream PDP URL must have no user info, query or fragment; pass a token "
                                          "with --upstream-token instead of credentials in the URL."),
                           url.toString(QUrl::RemoveUserInfo).left(200));
    }
    return {};
}

struct UpstreamPdp::Pending
{
    QPointer<QNetworkReply> reply;
    QPointer<QTimer> deadline;
    std::function<void(UpstreamVerdict)> done;
};

struct UpstreamPdp::Private
{
    UpstreamOptions options;
    QUrl endpoint;
    QNetworkAccessManager *network = nullptr;
    QHash<quint64, Pending> pending;
    quint64 nextId = 1;
    QElapsedTimer sinceWarning;
    int unloggedFailures = 0;
};

UpstreamPdp::UpstreamPdp(UpstreamOptions options, QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    d->options = std::move(options);
    d->endpoint = d->options.url;
    QString path = d->endpoint.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    d->endpoint.setPath(path + kEvaluationPath);
    d->network = new QNetworkAccessManager(this);
}

UpstreamPdp::~UpstreamPdp()
{
    for (Pending &pending : d->pending) {
        if (pending.reply) {
            pending.reply->disconnect(this);
            pending.reply->abort();
            delete pending.reply;
        }
        delete pending.deadline;
    }
    d->pending.clear();
}

QUrl UpstreamPdp::evaluationEndpoint() const
{
    return d->endpoint;
}

QJsonObject UpstreamPdp::forwardedBody(const AuthZen::EvaluationRequest &request)
{
    QJsonObject body{{QStringLiteral("subject"), request.subject},
                     {QStringLiteral("resource"), request.resource},
                     {QStringLiteral("action"), request.action}};
    QJsonObject context = request.context;
    context.remove(QStringLiteral("approval"));
    if (!context.isEmpty())
        body.insert(QStringLiteral("context"), context);
    return body;
}

void UpstreamPdp::evaluate(const AuthZen::EvaluationRequest &request, std::function<void(UpstreamVerdict)> done)
{
    const quint64 id = d->nextId++;

    QNetworkRequest outgoing(d->endpoint);
    outgoing.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    outgoing.setRawHeader("Accept", "application/json");
    if (!d->options.token.isEmpty())
        outgoing.setRawHeader("Authorization", "Bearer " + d->options.token.toUtf8());
    outgoing.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    // A decision must never come from a cache or depend on cookies an upstream once set.
    outgoing.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    outgoing.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    outgoing.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    outgoing.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    outgoing.setTransferTimeout(d->options.timeoutMs);

    Pending pending;
    pending.done = std::move(done);
    pending.reply = d->network->post(outgoing, Json::serialize(forwardedBody(request)));
    // The transfer timeout only measures silence; this bounds the whole exchange, so an upstream
    // that trickles bytes cannot hold an evaluation open.
    pending.deadline = new QTimer(this);
    pending.deadline->setSingleShot(true);
    connect(pending.deadline, &QTimer::timeout, this, [this, id] {
        finish(id, UpstreamVerdict::Failed, QStringLiteral("no answer within %1 ms").arg(d->options.timeoutMs));
    });
    pending.deadline->start(d->options.timeoutMs);

    QNetworkReply *reply = pending.reply;
    const qsizetype limit = d->options.maxResponseBytes;
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, id, reply, limit] {
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > limit)
            finish(id, UpstreamVerdict::Failed, QStringLiteral("an answer of %1 bytes, over the limit of %2").arg(length.toLongLong()).arg(limit));
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, id, reply, limit] {
        if (reply->bytesAvailable() > limit)
            finish(id, UpstreamVerdict::Failed, QStringLiteral("an answer over the limit of %1 bytes").arg(limit));
    });
    connect(reply, &QNetworkReply::finished, this, [this, id, reply, limit] {
        UpstreamVerdict verdict = UpstreamVerdict::Failed;
        const QString failure = checkAnswer(reply, limit, verdict);
        finish(id, verdict, failure);
    });
    d->pending.insert(id, std::move(pending));
}

void UpstreamPdp::finish(quint64 id, UpstreamVerdict verdict, const QString &failure)
{
    const auto it = d->pending.find(id);
    if (it == d->pending.end())
        return;
    Pending pending = std::move(it.value());
    d->pending.erase(it);

    if (pending.reply) {
        pending.reply->disconnect(this);
        if (!pending.reply->isFinished())
            pending.reply->abort();
        pending.reply->deleteLater();
    }
    if (pending.deadline) {
        pending.deadline->stop();
        pending.deadline->deleteLater();
    }

    if (!failure.isEmpty()) {
        verdict = UpstreamVerdict::Failed;
        warn(failure);
    }
    pending.done(verdict);
}

void UpstreamPdp::warn(const QString &failure)
{
    if (d->sinceWarning.isValid() && d->sinceWarning.elapsed() < kWarningIntervalMs) {
        ++d->unloggedFailures;
        return;
    }

    const QString repeats = d->unloggedFailures > 0
        ? QStringLiteral(" %1 more failed since the last warning.").arg(d->unloggedFailures)
        : QString();
    qCWarning(lcUpstream).noquote() << "Upstream PDP" << d->endpoint.toString() << "gave no usable decision ("
                                    << failure << "); answering deny." << repeats;
    d->unloggedFailures = 0;
    d->sinceWarning.start();
}

} // namespace Recourse::Escalation
