<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>Appearance</name>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::ActivityModel</name>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>permitted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>requestable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>revoked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>allowed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>progressed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 by %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>callback delivered (HTTP %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>callback attempt %1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>callback given up after attempt %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>item %1 approved by %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>item %1 denied by %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1 approved by %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approved by %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::ApproveDialog</name>
    <message>
        <source>Approve with an edited scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asked to %2 %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approval duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approval comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional comment for the approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Duration:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Comment:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve with this scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What this approval would unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scope preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As requested, until %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The template&apos;s default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>15 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>30 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>4 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>8 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking what this scope would unlock…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If approved: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 unlocked · %2 already permitted · %3 still denied by policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> — the approval does not change what policy still denies.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grant a broader scope?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This grants more than was requested:

%1.

Added beyond the request: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a later end than requested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Grant broader scope</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::AuditModel</name>
    <message numerus="yes">
        <source>%n record(s), no request</source>
        <translation>
            <numerusform>%n record, no request</numerusform>
            <numerusform>%n records, no request</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n record(s), task %1</source>
        <translation>
            <numerusform>%n record, task %1</numerusform>
            <numerusform>%n records, task %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Chain broken here — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hash %1
previous %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escalation / record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>record %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::AuditView</name>
    <message>
        <source>Audit chains</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hash chain has not been verified in this session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Records since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Records until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Verify chain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recompute every record&apos;s hash on the service and report the first broken link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON Lines…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the audit log failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 escalations, %2 records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> — only the first %1 records were loaded; narrow the search to see the rest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verifying the hash chain…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verification failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hash chain is intact: %1 records verified.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hash chain is broken. First broken link: record %1%2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported %1 records to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export audit records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::BatchDecisionDialog</name>
    <message>
        <source>Approve selected tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny selected tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Approve %n task(s), each exactly as requested:</source>
        <translation>
            <numerusform>Approve %n task, each exactly as requested:</numerusform>
            <numerusform>Approve %n tasks, each exactly as requested:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deny %n task(s) with one reason:</source>
        <translation>
            <numerusform>Deny %n task with one reason:</numerusform>
            <numerusform>Deny %n tasks with one reason:</numerusform>
        </translation>
    </message>
    <message>
        <source>Selected tasks and their outcomes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 may %2 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for the denials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Required: why these requests are denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Comment:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>&amp;Approve %n task(s)</source>
        <translation>
            <numerusform>&amp;Approve %n task</numerusform>
            <numerusform>&amp;Approve %n tasks</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>&amp;Deny %n task(s)</source>
        <translation>
            <numerusform>&amp;Deny %n task</numerusform>
            <numerusform>&amp;Deny %n tasks</numerusform>
        </translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was decided: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 decided, %2 failed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::ConnectDialog</name>
    <message>
        <source>Connect to service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The &amp;embedded service on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A &amp;remote service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approver token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remember the token on this computer (kept unencrypted in the settings file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pinned certificate fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SHA-256 fingerprint, for a self-signed certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Fetch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the certificate the server presents and fill in its fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate &amp;pin:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the certificate…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server presented a certificate for %1, valid until %2. Compare its fingerprint with the one the service printed at start before connecting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an unnamed host</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::ConnectionSettings</name>
    <message>
        <source>Enter the service&apos;s URL, for example https://recourse.example.com:8443.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use https for a service on another computer: over http the approver token would travel in clear text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter an approver token for the service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A certificate pin needs an https URL.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::DenialsModel</name>
    <message>
        <source>Open task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valid, %1 left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request hint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hard denials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEP</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::DenialsView</name>
    <message>
        <source>Filter denials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by subject, resource, template, task or PEP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requestable denials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the denials failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 requestable denials: %2 followed by a request, %3 without one, %4 with a hint still valid · %5 hard denials in the event history</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::DenyDialog</name>
    <message>
        <source>Deny request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for the denial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Required: why this access is denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Comment:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::EvaluationTree</name>
    <message>
        <source>Member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bound evaluation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>items</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n item</numerusform>
            <numerusform>%n items</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 on %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>context</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n member</numerusform>
            <numerusform>%n members</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{%n member(s)}</source>
        <translation>
            <numerusform>{%n member}</numerusform>
            <numerusform>{%n members}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>[%n element(s)]</source>
        <translation>
            <numerusform>[%n element]</numerusform>
            <numerusform>[%n elements]</numerusform>
        </translation>
    </message>
    <message>
        <source>bound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authorization-relevant: the approval is bound to this value.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::InboxFilterBar</name>
    <message>
        <source>Search tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search id, subject, resource, action, requester (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Partial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All templates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agent filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agent or gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Emergency only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show emergency requests only</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::InboxModel</name>
    <message>
        <source>Decided by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requester</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emergency request, %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::InboxPage</name>
    <message>
        <source>Loading the inbox failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select the tasks to decide first (Shift or Ctrl with a click).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch decided: %1 of %2 failed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::MainWindow</name>
    <message>
        <source>&amp;Inbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requestable &amp;denials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;udit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter events by type, subject, resource, outcome, reason or task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind of event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requestable denials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tasks and decisions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-evaluations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revocations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event stream connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed-in identity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receiving events from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● Offline, reconnecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline: live updates are paused until the service is reachable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline: %1 Live updates resume after reconnecting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not signed in: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in as %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in as %1 (%2: %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Recourse — %n pending</source>
        <translation>
            <numerusform>Recourse — %n pending</numerusform>
            <numerusform>Recourse — %n pending</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect to service…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Next task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Previous task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve with edited &amp;scope…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Deny…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve se&amp;lected…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny selec&amp;ted…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show p&amp;ending only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show a&amp;ll tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live &amp;activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desktop &amp;notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Recourse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Recourse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Recourse %1&lt;/h3&gt;&lt;p&gt;Approval and monitoring console for AuthZEN requestable denials.&lt;/p&gt;&lt;p&gt;Connected to %2 as %3.&lt;/p&gt;&lt;p&gt;Qt %4 (built with Qt %5)&lt;br&gt;%6&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an unknown identity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no TLS library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Callback deliveries</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::PolicyView</name>
    <message>
        <source>Permit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny: forbidden (no approval can override it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny, requestable through template %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny: no rule matched, so the default deny applies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded policy files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors of the last reload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test a request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluation request as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xplain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decide this request with the current policy and show why (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use &amp;shown task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the bound evaluation of the task shown in the inbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Matching rules</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Effect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AuthZEN evaluation request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The policy status could not be loaded: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder: %1
%2 rules and %3 templates in %4 files; search enumerates %5 subjects, %6 resources and %7 actions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last reload succeeded; the policy above is in force.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last reload failed with %1 errors; the previous policy stays in force until they are fixed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deciding…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The service rejected the request: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1:%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request is not a valid JSON object: %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::ScopeEditor</name>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Items to approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resources in the scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource id to add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another %1 id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actions in the scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action name to add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (requested)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resources (type %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uncheck the items this approval should leave pending.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::ScopePreviewModel</name>
    <message>
        <source>(default deny)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With this approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deciding rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already permitted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Still denied</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::TaskDecisions</name>
    <message>
        <source>%1  →  %2  →  %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke approval %1? It grants: %2.
Re-evaluations that cite it are denied from now on.

Comment:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denies the one item still pending. Items already decided keep their decision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denies the %1 items still pending. Items already decided keep their decision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve every item?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve all %1 pending items of this request?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose items…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::TaskDetailWidget</name>
    <message>
        <source>Select a task to see its bound evaluation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On behalf of:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Justification:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requested:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denial reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluation:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requester:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEP client:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflow:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approval comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional comment for the approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve exactly as requested (A)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit &amp;scope…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve with an edited scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Narrow, broaden or shorten the approval, with a preview of what it unlocks (S)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Deny…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny with a reason (D)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1  →  %2  →  %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · created %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no end requested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>until %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — emergency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no approval steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n step(s), finished</source>
        <translation>
            <numerusform>%n step, finished</numerusform>
            <numerusform>%n steps, finished</numerusform>
        </translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1 of %2, awaiting %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decided by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task is %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired %1 ago</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::TaskHistoryTabs</name>
    <message>
        <source>Bound evaluation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflow steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Groups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quorum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decisions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment or reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoked at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Revoke…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-evaluations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-evaluations that cited an approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>allowed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Callbacks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Callback deliveries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PEP did not request a callback, so it polls the status endpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifies %1 on these outcomes: %2. A notification is only a hint: the PEP reads the status endpoint before it acts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>next at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retrying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed, no more attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attempt %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing has been sent yet: a notification is queued when the task reaches one of these outcomes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Recourse::Ui::TrayNotifier</name>
    <message>
        <source>Show Recourse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recourse: no pending tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Recourse: %n pending task(s)</source>
        <translation>
            <numerusform>Recourse: %n pending task</numerusform>
            <numerusform>Recourse: %n pending tasks</numerusform>
        </translation>
    </message>
    <message>
        <source>Emergency access request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New access request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asks to %2 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The newest: %1 asks to %2 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n new access request(s)</source>
        <translation>
            <numerusform>%n new access request</numerusform>
            <numerusform>%n new access requests</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ScopeText</name>
    <message>
        <source>action %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>until the template&apos;s default duration ends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>until %1 (%2 from now)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 may %2 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 may %2 %3 %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exactly as requested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>broadened: %1 × %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n resource(s)</source>
        <translation>
            <numerusform>%n resource</numerusform>
            <numerusform>%n resources</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n action(s)</source>
        <translation>
            <numerusform>%n action</numerusform>
            <numerusform>%n actions</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 and %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TaskText</name>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n item</numerusform>
            <numerusform>%n items</numerusform>
        </translation>
    </message>
    <message>
        <source>several</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Partial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expired %1 ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 [unverified]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> for </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 for %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 via %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
