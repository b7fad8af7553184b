/** The staff UI's words: incidents. */
export const incidents = {
  // The list
  title: 'Incidents',
  noneRecorded: 'No incident recorded.',
  listCaption: '{{total}} incident(s), latest first',
  incident: 'Incident',
  status: 'Status',
  detected: 'Detected',
  affectedContracts: 'Affected contracts',
  notices: 'Notices',
  older: 'Older incidents',
  // Recording one
  recordTitle: 'Record an incident',
  summaryLabel: 'What happened',
  detectedAtLabel: 'Detected at (UTC)',
  locationsLegend: 'Storage locations touched',
  fromLabel: 'Window from (UTC)',
  toLabel: 'Window to (UTC)',
  record: 'Record',
  // One incident
  incidentTitle: 'Incident: {{summary}}',
  aware: 'Aware',
  scope: 'Scope',
  scopeWindow: '{{locations}} from {{from}} to {{to}}',
  scopeContracts: '{{total}} named contract(s)',
  updatesSent: 'Updates sent',
  affectedTitle: 'Affected contracts and their notices',
  resolvedOnConfirmation: 'Resolved once the incident is confirmed.',
  noneAffected: 'No contract was affected.',
  controller: 'Controller',
  notice: 'Notice',
  sent: 'Sent',
  // Confirming
  confirmTitle: 'Confirm: personal data was breached',
  awareAtLabel: 'Aware at (UTC): the notices\u2019 clocks run from here',
  confirmCheck: 'I confirm: every affected controller is notified at once.',
  confirmButton: 'Confirm the breach',
  // Dismissing
  dismissTitle: 'Dismiss: no personal data was breached',
  reasonLabel: 'Why it is not a personal data breach',
  dismissCheck: 'I confirm: the incident is closed for good, and no controller is notified.',
  dismissButton: 'Dismiss the incident',
  // Updating
  updateTitle: 'Send an update',
  measuresLabel: 'Measures taken or proposed',
  consequencesLabel: 'Likely consequences',
  updateButton: 'Send to every notice',
  // Closing
  closeTitle: 'Close the incident',
  endLabel: 'How it ended',
  closeCheck: 'I confirm: the incident is over; its notices are closed.',
  closeButton: 'Close the incident',
};
