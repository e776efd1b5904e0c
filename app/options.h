#pragma once

#include "app/logsink.h"
#include "core/base/result.h"
#include "core/escalation/decisionevents.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace Recourse::App {

// The recourse command line.
struct Options
{
    bool headless = false;
    bool version = false;
    bool allowInsecureHttp = false;
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0;
    bool portGiven = false;
    QString dataDir;
    QString policy;
    QString configPath;
    QJsonObject config;
    QUrl connectUrl;
    QString token;
    QString pin; // SHA-256 fingerprint of the certificate --connect accepts
    QString tlsCertificate;
    QString tlsKey;
    bool tlsSelfSigned = false;
    QUrl upstreamUrl;
    QString upstreamToken;
    int httpThreads = -1; // --http-threads; -1 picks one per core
    // --decision-events; when not given, all with the embedded console and denials with --headless
    std::optional<DecisionEvents> decisionEvents;
    QString backupTarget;  // --backup: copy the data folder there, then exit
    QString restoreSource; // --restore: put that backup in place as the data folder, then exit
    bool rotateSigningKey = false; // rotate the keys of the stopped service in dataDir, then exit
    LogFormat logFormat = LogFormat::Text;
    LogLevel logLevel = LogLevel::Info;
};

// Parses arguments (without the program name). Loads the --config file strictly.
Result<Options> parseOptions(const QStringList &arguments);

QString usage();

// Whether a GUI can open: a platform plugin was chosen or a display is reachable.
bool displayAvailable();

} // namespace Recourse::App
