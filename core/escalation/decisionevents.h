#pragma once

#include <QString>
#include <QStringView>

#include <optional>

// In namespace Recourse rather than Escalation, so the service options can name it without
// bringing the Escalation namespace into every file that includes them.
namespace Recourse {

// The plain decisions recorded as events, those that start no escalation. Requestable denials and
// re-evaluations are steps of an escalation, so they are recorded in every mode.
enum class DecisionEvents {
    All,     // permits and plain denials
    Denials, // plain denials only
    None,
};

// Parses a --decision-events name: all, denials or none.
inline std::optional<DecisionEvents> decisionEventsFromName(QStringView name)
{
    if (name == u"all")
        return DecisionEvents::All;
    if (name == u"denials")
        return DecisionEvents::Denials;
    if (name == u"none")
        return DecisionEvents::None;
    return std::nullopt;
}

} // namespace Recourse
