/** The staff UI's words: dashboard. */
export const dashboard = {
  title: 'Dashboard',
  firstShown: 'The first {{n}} shown.',
  downloadCsv: 'Download as CSV',
  // The clocks overdue and due this week, their chart and table.
  clocksTitle: 'Overdue, and due this week',
  noClocks: 'Nothing is overdue or due within seven days.',
  chartTitle: 'Clocks overdue (red) and due within seven days (blue), by kind: the table below says the same',
  chartCaption: 'Red: overdue. Blue: due within seven days.',
  whatIsDue: 'What is due',
  whoseDeadline: 'Whose deadline',
  overdue: 'Overdue',
  dueWithinWeek: 'Due within 7 days',
  theirs: "the controller's",
  ours: 'ours',
  // Open incidents.
  incidentsTitle: 'Open incidents',
  noIncidents: 'No incident is open.',
  incident: 'Incident',
  status: 'Status',
  noticesSent: 'Notices sent',
  sentOf: '{{sent}} of {{affected}}',
  // Trainings about to lapse.
  trainingsTitle: 'Trainings about to lapse',
  noTrainings: 'No training lapses within {{days}} days.',
  person: 'Person',
  trainingLapses: 'Training lapses',
  // Destructions in progress.
  destructionsTitle: 'Destructions in progress',
  noDestructions: 'No destruction is under way.',
  contract: 'Contract',
  controller: 'Controller',
  deadline: 'Deadline',
  // Sub-processor changes not yet in force.
  changesTitle: 'Sub-processor changes not yet in force',
  noChanges: 'No change is pending.',
  subProcessor: 'Sub-processor',
  location: 'Location',
  objectionsUntil: 'Objections until',
  inForce: 'In force',
  // Breach contacts unconfirmed.
  contactsTitle: 'Breach contacts unconfirmed',
  noContacts: 'Every controller asked has confirmed its breach contact.',
  breachContact: 'Breach contact',
  asked: 'Asked',
  nextReminder: 'Next reminder',
};
