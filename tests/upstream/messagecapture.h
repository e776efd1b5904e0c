#pragma once

#include <QMutex>
#include <QMutexLocker>
#include <QStringList>
#include <QtGlobal>

namespace Recourse::Testing {

// Records every log message while it lives and passes each one on to the previous handler, so
// QTest::ignoreMessage() keeps working. Lets a test check what a log line must never contain.
class MessageCapture
{
public:
    MessageCapture()
    {
        instance() = this;
        m_previous = qInstallMessageHandler(&MessageCapture::handle);
    }
    ~MessageCapture()
    {
        qInstallMessageHandler(m_previous);
        instance() = nullptr;
    }
    Q_DISABLE_COPY_MOVE(MessageCapture)

    QStringList messages() const
    {
        QMutexLocker lock(&m_mutex);
        return m_messages;
    }

private:
    static MessageCapture *&instance()
    {
        static MessageCapture *current = nullptr;
        return current;
    }
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        MessageCapture *self = instance();
        if (!self)
            return;
        {
            QMutexLocker lock(&self->m_mutex);
            self->m_messages.append(message);
        }
        if (self->m_previous)
            self->m_previous(type, context, message);
    }

    QtMessageHandler m_previous = nullptr;
    mutable QMutex m_mutex;
    QStringList m_messages;
};

} // namespace Recourse::Testing
