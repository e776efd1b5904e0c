#pragma once

#include <QObject>

class QSocketNotifier;

namespace Recourse::App {

// Turns SIGTERM and SIGINT into a Qt signal on the event loop (self-pipe), so the service can
// finish in-flight requests and close the store before it exits.
class UnixSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignals)

public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Recourse::App
