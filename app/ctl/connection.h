#pragma once

#include "core/base/result.h"

#include <QProcessEnvironment>
#include <QString>
#include <QUrl>

namespace Recourse::Ctl {

struct CommandLine;

// The service URL and the bearer token that recoursectl calls it with.
struct Connection
{
    QUrl url;
    QString token;
};

// Resolves the connection from, in order: --url and --token; RECOURSE_URL and RECOURSE_TOKEN;
// the service_url and console_token that the local console writes to local-identities.json in
// its data folder. The console's token is used only for the console's own URL, so it never
// reaches a service that the user named elsewhere. Fails with a usage error when no URL or no
// token is found, or when a plain http:// URL names a host other than loopback without
// --allow-insecure-http. Error messages never contain the token.
Result<Connection> resolveConnection(const CommandLine &line, const QProcessEnvironment &environment);

// The data folder of the console started without --data-dir. The console derives it from its
// application name, so recoursectl builds the same path instead of using its own name.
QString defaultConsoleDataDir();

} // namespace Recourse::Ctl
